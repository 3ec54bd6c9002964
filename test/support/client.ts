// A small browser for app.inject: keeps cookies, and fills in each form's CSRF token from the
// last page it read, so tests can walk the HTML pages as a person without JavaScript would.
import type { FastifyInstance, LightMyRequestResponse } from "fastify";

export class PageClient {
  readonly cookies = new Map<string, string>();
  lastBody = "";

  constructor(
    private readonly app: FastifyInstance,
    private readonly headers: Record<string, string> = {},
    /** The address the requests come from (app.inject's default otherwise): for limits per address. */
    private readonly remoteAddress?: string,
  ) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private remember(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      const expired = cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() < Date.now()) || cookie.value === "";
      if (expired) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    if (response.headers["content-type"]?.toString().includes("text/html")) this.lastBody = response.body;
    return response;
  }

  private from(): { remoteAddress?: string } {
    return this.remoteAddress ? { remoteAddress: this.remoteAddress } : {};
  }

  csrf(): string {
    const match = /name="_csrf" value="([^"]+)"/.exec(this.lastBody);
    return match?.[1] ?? "";
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.remember(await this.app.inject({ method: "GET", url, headers: { accept: "text/html", cookie: this.cookieHeader(), ...this.headers }, ...this.from() }));
  }

  /** Posts a form as a browser would; the CSRF token comes from the last page unless given. */
  async post(url: string, fields: Record<string, string | string[]>, options: { csrf?: string | null } = {}): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    const token = options.csrf === undefined ? this.csrf() : options.csrf;
    if (token !== null) body.append("_csrf", token);
    for (const [key, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
    return this.remember(
      await this.app.inject({
        method: "POST",
        url,
        payload: body.toString(),
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", cookie: this.cookieHeader(), ...this.headers },
        ...this.from(),
      }),
    );
  }

  /** Follows a redirect answer with a GET, as a browser would. */
  async follow(response: LightMyRequestResponse): Promise<LightMyRequestResponse> {
    const location = response.headers.location;
    if (!location || response.statusCode < 300 || response.statusCode >= 400) return response;
    return this.get(location.toString());
  }
}
