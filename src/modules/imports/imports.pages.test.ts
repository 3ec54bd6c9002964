// The analyst's import in the browser: upload, a job page that refreshes itself, the summary.
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
    if (/Importing/.test(running.body)) assert.match(running.body, /<meta http-equiv="refresh" content="2">/, "refreshes itself while it runs, without JavaScript");

    await app.services.imports.idle();
    const done = await analyst.get(location);
    assert.doesNotMatch(done.body, /http-equiv="refresh"/);
    assert.match(done.body, /Finished/);
    assert.match(done.body, new RegExp(`2 of 3 files imported. Rows read ${sample.expected.rows}, inserted ${sample.expected.rows}`));
    assert.match(done.body, /refused: this is a police.uk stop-and-search file/);
    assert.match(done.body, new RegExp(`february.zip/2018-02/${february}`));
    assert.equal(uploadsLeft(), 0, "uploaded files are removed once imported");

    const index = await analyst.get("/staff/imports");
    assert.match(index.body, /2018-01, 2018-02/, "the months held are listed");
    assert.match(index.body, new RegExp(`href="${location}"`));
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
