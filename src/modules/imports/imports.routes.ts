// The analyst's import in the browser: upload police.uk files (CSV or zip), follow the job on a
// page that keeps itself up to date with JavaScript (a link to check again without), and read the same summary as the command line.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import multipart, { type MultipartFile } from "@fastify/multipart";
import { errors } from "../../http/errors.ts";
import { formErrors } from "../../web/render.ts";
import { access } from "../auth/policy.ts";
import type { Services } from "../../services.ts";
import { OUTCOME_GROUP_NAMES } from "../../domain/police-uk.ts";
import { POLICE_UK_ATTRIBUTION } from "../../domain/police-uk.ts";

/** Large enough for a force's year of street, outcomes and stop-and-search files zipped together. */
const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;
const MAX_FILES = 50;

/** Files on each page of a job's list: the page stays small however many files the import read. */
const FILES_PER_PAGE = 50;

/** GOV.UK pagination items: the first, the last and the pages beside the current one, with gaps between. */
function pageLinks(base: string, page: number, pages: number): Array<{ number: string; href: string; current: boolean } | { ellipsis: true }> {
  const items: Array<{ number: string; href: string; current: boolean } | { ellipsis: true }> = [];
  for (let n = 1; n <= pages; n++) {
    if (n === 1 || n === pages || Math.abs(n - page) <= 1) items.push({ number: String(n), href: `${base}?page=${n}`, current: n === page });
    else if (!("ellipsis" in (items.at(-1) ?? {}))) items.push({ ellipsis: true });
  }
  return items;
}

interface Upload {
  path: string;
  name: string;
  directory: string;
}

type UploadRequest = FastifyRequest & { uploads?: Upload[]; uploadsTaken?: boolean };

/** A file name as the analyst gave it, safe to use on disk. */
function safeName(name: string): string {
  const base = path.basename(name || "upload").replace(/[^A-Za-z0-9._-]+/g, "_").slice(-120);
  return base || "upload";
}

async function removeUploads(uploads: Upload[] | undefined): Promise<void> {
  for (const upload of uploads ?? []) await fs.promises.rm(upload.directory, { recursive: true, force: true });
}

export function registerImportPages(app: FastifyInstance, services: Services): void {
  const run = access.to("imports:run");
  const record = access.to("imports:run", { record: true });
  const uploadRoot = path.join(services.config.dataDirectory, "imports");

  async function showIndex(reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const [jobs, held] = await Promise.all([services.imports.jobs(20), services.imports.heldMonths()]);
    const forces = [...new Set(held.map((m) => m.fallsWithin))].map((force) => ({
      force,
      street: held.filter((m) => m.fallsWithin === force && m.kind === "street"),
      outcomes: held.filter((m) => m.fallsWithin === force && m.kind === "outcomes"),
    }));
    return reply.page("imports/views/index.njk", { title: "Import police.uk data", jobs, forces, attribution: POLICE_UK_ATTRIBUTION, ...extra }, status);
  }

  app.get("/staff/imports", { config: { access: run } }, async (_request, reply) => showIndex(reply));

  app.get<{ Params: { id: string }; Querystring: { page?: string } }>("/staff/imports/:id", { config: { access: record } }, async (request, reply) => {
    const id = Number.parseInt(request.params.id, 10);
    const job = Number.isSafeInteger(id) ? await services.imports.job(id) : null;
    if (!job) throw errors.notFound("import");
    const running = job.status === "queued" || job.status === "running";
    const listed = job.summary?.files ?? [];
    const pages = Math.max(1, Math.ceil(listed.length / FILES_PER_PAGE));
    const page = Math.min(pages, Math.max(1, Math.floor(Number(request.query.page)) || 1));
    const first = (page - 1) * FILES_PER_PAGE;
    const files = listed.slice(first, first + FILES_PER_PAGE);
    return reply.page("imports/views/job.njk", {
      title: `Import ${job.id}`,
      job,
      running,
      files,
      page,
      pages,
      firstListed: first + 1,
      lastListed: first + files.length,
      pageLinks: pageLinks(`/staff/imports/${job.id}`, page, pages),
      groupNames: OUTCOME_GROUP_NAMES,
      attribution: POLICE_UK_ATTRIBUTION,
    });
  });

  // Multipart bodies only here: files are streamed to disk as they arrive, never held in memory,
  // and the form's other fields (its CSRF token) become an ordinary body for the CSRF check.
  app.register(async (scope) => {
    await scope.register(multipart, {
      attachFieldsToBody: "keyValues",
      limits: { fileSize: MAX_UPLOAD_BYTES, files: MAX_FILES, fields: 5, parts: MAX_FILES + 5 },
      async onFile(this: FastifyRequest, part: MultipartFile) {
        const request = this as UploadRequest;
        request.uploads ??= [];
        if (!part.filename) {
          part.file.resume();
          return;
        }
        // A body cut short in this file ends its stream without an error, and a pipe attached after
        // that waits forever: refuse a stream already ended, and pipe the others without awaiting first.
        if (part.file.destroyed) throw errors.badRequest("The upload was cut short. Choose the files and send the form again.");
        fs.mkdirSync(uploadRoot, { recursive: true });
        const directory = fs.mkdtempSync(path.join(uploadRoot, `${crypto.randomBytes(4).toString("hex")}-`));
        const target = path.join(directory, safeName(part.filename));
        request.uploads.push({ path: target, name: path.basename(part.filename), directory });
        await pipeline(part.file, fs.createWriteStream(target));
      },
    });
    // Files not handed to an import (a refused form, an expired CSRF token) are removed.
    scope.addHook("onSend", async (request, _reply, payload) => {
      const upload = request as UploadRequest;
      if (!upload.uploadsTaken) await removeUploads(upload.uploads);
      return payload;
    });

    scope.post("/staff/imports", { config: { access: run } }, async (request, reply) => {
      const upload = request as UploadRequest;
      const uploads = upload.uploads ?? [];
      if (uploads.length === 0) {
        return showIndex(reply, { errors: formErrors([{ field: "files", message: "Choose one or more police.uk files: street or outcomes CSV files, or a zip of them" }]) }, 400);
      }
      upload.uploadsTaken = true;
      const jobId = await services.imports.start({
        paths: uploads.map((u) => u.path),
        names: uploads.map((u) => u.name),
        userId: request.staff!.user.id,
        cleanup: () => removeUploads(uploads),
      });
      return reply.redirect(`/staff/imports/${jobId}`, 303);
    });
  });
}
