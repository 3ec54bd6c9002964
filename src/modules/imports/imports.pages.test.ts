// The analyst's import in the browser: upload, a job page that keeps itself up to date, the summary.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { signedInClient, testApp } from "../../../test/support/app.ts";
import type { PageClient } from "../../../test/support/client.ts";
import { writeSyntheticSample } from "../../../test/fixtures/police-uk/sample.ts";
import { writeZip } from "../../../test/fixtures/police-uk/zip.ts";

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../test/fixtures/police-uk");

/** A multipart/form-data body as a browser sends it: the CSRF field first, then the files. */
function multipart(fields: Record<string, string>, files: Array<{ name: string; content: Buffer }>): { payload: Buffer; contentType: string } {
  const boundary = "----openbeatTestBoundary7MA4YWxkTrZu0gW";
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const file of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n`), file.content, Buffer.from("\r\n"));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

describeEachDatabase("police.uk import pages", (context) => {
  let app: FastifyInstance;
  let analyst: PageClient;
  const sample = writeSyntheticSample({ months: ["2018-01", "2018-02"], rowsPerWeight: 2 });
  const [january, february] = fs.readdirSync(sample.folder).sort();

  before(async () => {
    app = await testApp(context());
    ({ client: analyst } = await signedInClient(app, "analyst"));
  });
  after(async () => app.close());

  const upload = async (client: PageClient, files: Array<{ name: string; content: Buffer }>, csrf = client.csrf()) => {
    const { payload, contentType } = multipart({ _csrf: csrf }, files);
    return app.inject({
      method: "POST",
      url: "/staff/imports",
      payload,
      headers: { "content-type": contentType, accept: "text/html", cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
  };
  const uploadsLeft = () => {
    const folder = path.join(app.services.config.dataDirectory, "imports");
    return fs.existsSync(folder) ? fs.readdirSync(folder).length : 0;
  };

  it("imports uploaded files as a job, shows its progress page, then its summary", async () => {
    const form = await analyst.get("/staff/imports");
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /enctype="multipart\/form-data"/);
    assert.match(form.body, /No police.uk data has been imported yet/);

    const zip = path.join(app.services.config.dataDirectory, "february.zip");
    writeZip(zip, [{ name: `2018-02/${february}`, content: fs.readFileSync(path.join(sample.folder, february!)) }]);
    const response = await upload(analyst, [
      { name: january!, content: fs.readFileSync(path.join(sample.folder, january!)) },
      { name: "february.zip", content: fs.readFileSync(zip) },
      { name: "stop-and-search.csv", content: fs.readFileSync(path.join(fixtures, "stop-and-search-synthetic.csv")) },
    ]);
    assert.equal(response.statusCode, 303, response.body);
    const location = response.headers.location as string;
    assert.match(location, /^\/staff\/imports\/\d+$/);

    const running = await analyst.get(location);
    assert.equal(running.statusCode, 200);
    assert.doesNotMatch(running.body, /http-equiv="refresh"/, "no page reloads itself under its reader");
    if (/Importing/.test(running.body)) assert.match(running.body, /Check progress again/, "without JavaScript, a link to check again");

    await app.services.imports.idle();
    const done = await analyst.get(location);
    assert.doesNotMatch(done.body, /http-equiv="refresh"/);
    assert.match(done.body, /Some files not imported/, "two of three is not \"Finished\"");
    assert.match(done.body, new RegExp(`2 of 3 files imported. Rows read ${sample.expected.rows}, inserted ${sample.expected.rows}`));
    assert.match(done.body, /refused: this is a police.uk stop-and-search file/);
    assert.match(done.body, new RegExp(`february.zip/2018-02/${february}`));
    assert.equal(uploadsLeft(), 0, "uploaded files are removed once imported");

    const index = await analyst.get("/staff/imports");
    assert.match(index.body, /2018-01, 2018-02/, "the months held are listed");
    assert.match(index.body, new RegExp(`href="${location}"`));
  });

  it("says \"Nothing imported\" when every file was refused, and \"already held\" when the same rows come again", async () => {
    await analyst.get("/staff/imports");
    const refused = await upload(analyst, [{ name: "stop-and-search.csv", content: fs.readFileSync(path.join(fixtures, "stop-and-search-synthetic.csv")) }]);
    await app.services.imports.idle();
    const page = await analyst.get(refused.headers.location as string);
    assert.match(page.body, /Nothing imported/);
    assert.doesNotMatch(page.body, /govuk-tag--green">\s*Finished/);
    await analyst.get("/staff/imports");
    const again = await upload(analyst, [{ name: january!, content: fs.readFileSync(path.join(sample.folder, january!)) }]);
    await app.services.imports.idle();
    const second = await analyst.get(again.headers.location as string);
    assert.match(second.body, /inserted 0, already held \d/);
    assert.doesNotMatch(second.body, /updated \d/);
    await analyst.get("/staff/imports");
  });

  it("summarises an archive of thousands of empty entries by reason, and pages the list, so the job page stays small", async () => {
    const zip = path.join(app.services.config.dataDirectory, "flood.zip");
    const empty = Buffer.alloc(0);
    writeZip(zip, [
      { name: `2018-01/${january}`, content: fs.readFileSync(path.join(sample.folder, january!)) },
      ...Array.from({ length: 3000 }, (_, i) => ({ name: `flood/${String(i).padStart(5, "0")}.csv`, content: empty })),
      ...Array.from({ length: 2000 }, (_, i) => ({ name: `flood/${String(i).padStart(5, "0")}.txt`, content: empty })),
    ]);
    const response = await upload(analyst, [{ name: "flood.zip", content: fs.readFileSync(zip) }]);
    assert.equal(response.statusCode, 303, response.body);
    const location = response.headers.location as string;
    await app.services.imports.idle();

    const first = await analyst.get(location);
    assert.equal(first.statusCode, 200);
    assert.ok(first.body.length < 100_000, `the job page is ${first.body.length.toLocaleString("en-GB")} characters`);
    assert.match(first.body, /1 of 3,001 files imported/);
    const notImported = first.body.replace(/\s+/g, " ");
    assert.match(notImported, /refused: this is an empty file.*?3,000.*?flood\.zip\/flood\/00000\.csv/, "the refusals are counted under their reason, with examples");
    assert.match(notImported, /not a CSV file.*?2,000.*?flood\.zip\/flood\/00000\.txt/, "so are the entries left alone");
    const listedOn = (body: string) => [...body.matchAll(/<th scope="row"[^>]*>flood\.zip\/(flood\/\d{5}\.csv)<\/th>/g)].map((m) => m[1]);
    assert.deepEqual(listedOn(first.body), Array.from({ length: 49 }, (_, i) => `flood/${String(i).padStart(5, "0")}.csv`), "the first page lists the first 50 files");
    assert.match(first.body, new RegExp(`href="${location}\\?page=2"`), "the list of files is paged");

    const second = await analyst.get(`${location}?page=2`);
    assert.ok(second.body.length < 100_000);
    assert.deepEqual(listedOn(second.body), Array.from({ length: 50 }, (_, i) => `flood/${String(i + 49).padStart(5, "0")}.csv`));
    const past = await analyst.get(`${location}?page=99999`);
    assert.equal(past.statusCode, 200, "a page past the end shows the last page, not an error");
    assert.match(past.body, /Each file: 951 to 1,000 of 1,000/);
    assert.match(past.body, /2,001 more files are not listed one by one/);

    const job = await context().database.db.selectFrom("importJobs").select("summary").where("id", "=", Number(location.split("/").pop())).executeTakeFirstOrThrow();
    assert.ok(job.summary!.length < 1_000_000, `the stored summary is ${job.summary!.length.toLocaleString("en-GB")} characters`);
  });

  it("asks for a file when none is chosen, and refuses a form without its CSRF token", async () => {
    await analyst.get("/staff/imports");
    const empty = await upload(analyst, []);
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /Choose one or more police.uk files/);

    const forged = await upload(analyst, [{ name: january!, content: fs.readFileSync(path.join(sample.folder, january!)) }], "forged");
    assert.equal(forged.statusCode, 403);
    assert.equal(uploadsLeft(), 0, "a refused upload leaves nothing behind");
  });

  it("is for analysts only", async () => {
    const { client: officer } = await signedInClient(app, "officer");
    assert.equal((await officer.get("/staff/imports")).statusCode, 403);
    assert.equal((await officer.get("/staff/imports/1")).statusCode, 404);
    assert.equal((await analyst.get("/staff/imports/99999")).statusCode, 404);
    const anonymous = await app.inject({ method: "GET", url: "/staff/imports", headers: { accept: "text/html" } });
    assert.equal(anonymous.statusCode, 302);
  });
});
