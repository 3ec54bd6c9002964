import type { Category } from "../../domain/categories.ts";
import type { CategoriesRepository } from "./categories.repository.ts";

/** Categories change rarely (an administrator's edit); a short cache spares every page a query. */
const CACHE_MS = 10_000;

export class CategoriesService {
  #cache: { at: number; categories: Promise<Category[]> } | null = null;

  constructor(private readonly repository: CategoriesRepository) {}

  list(): Promise<Category[]> {
    const now = Date.now();
    if (!this.#cache || now - this.#cache.at > CACHE_MS) {
      this.#cache = { at: now, categories: this.repository.list() };
      this.#cache.categories.catch(() => (this.#cache = null));
    }
    return this.#cache.categories;
  }

  async find(code: string): Promise<Category | undefined> {
    return (await this.list()).find((category) => category.code === code);
  }
}
