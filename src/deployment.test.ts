// The deployment's identity as data: read from its file and checked field by field, shown on
// every page and on the letter; invented, and saying so, for the demo; absent in production
// until it is set, when letters are refused rather than sent from no one.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { loadConfig } from "./config.ts";
import { DeploymentError, readDeployment } from "./deployment.ts";
import { createTestDatabase } from "../test/support/databases.ts";
import { testApp } from "../test/support/app.ts";
import { PageClient } from "../test/support/client.ts";

const directory = fs.mkdtempSync(path.join(os.tmpdir(), "openbeat-deployment-"));
const write = (name: string, value: unknown) => {
  const file = path.join(directory, name);
  fs.writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value));
  return file;
};
const essex = {
  force: { name: "Essex Police" },
  team: { name: "Southend Central Community Policing Team" },
  contact: { phone: "101", web: "https://www.essex.police.uk", postalAddress: ["Southend Police Station", "Victoria Avenue"] },
};

describe("the deployment's identity", () => {
  after(() => fs.rmSync(directory, { recursive: true, force: true }));

  it("reads the force, the team and their contact details from the file OPENBEAT_DEPLOYMENT names", () => {
    const config = loadConfig({ OPENBEAT_DATA_DIR: directory, OPENBEAT_DEPLOYMENT: write("essex.json", essex) });
    assert.equal(config.deployment?.force.name, "Essex Police");
    assert.equal(config.deployment?.fictional, false);
    assert.deepEqual(config.deployment?.contact.postalAddress, ["Southend Police Station", "Victoria Avenue"]);
  });

  it("says what to fix in a file that is wrong, field by field", () => {
    assert.throws(() => readDeployment(write("bad.json", { force: { name: "" }, contact: { phone: "101", web: "not a web address", postalAddress: [] } })), (error: Error) => {
      assert.ok(error instanceof DeploymentError);
      for (const field of ["force.name", "team", "contact.web", "contact.postalAddress"]) assert.match(error.message, new RegExp(field.replace(".", "\\.")), field);
      return true;
    });
    assert.throws(() => readDeployment(write("broken.json", "{ not json")), /could not be read as JSON/);
    assert.throws(() => readDeployment(write("logo.json", { ...essex, logo: "crest.svg" })), /the logo must be a PNG file/);
    assert.throws(() => loadConfig({ OPENBEAT_DATA_DIR: directory, OPENBEAT_DEPLOYMENT: path.join(directory, "missing.json") }), /could not be read/);
  });

  it("is invented, and says so, outside production when no file is given; and absent in production", () => {
    assert.equal(loadConfig({ OPENBEAT_DATA_DIR: directory }).deployment?.fictional, true);
    assert.match(loadConfig({ OPENBEAT_DATA_DIR: directory }).deployment!.force.name, /fictional/);
    assert.equal(loadConfig({ NODE_ENV: "production", OPENBEAT_SECRET: "s".repeat(40), OPENBEAT_AUDIT_KEY: "a".repeat(40) }).deployment, null);
  });

  it("names who runs it on every page, and refuses to print a letter from no one", async () => {
    const test = await createTestDatabase("sqlite");
    const app = await testApp(test, { deployment: null });
    try {
      await assert.rejects(app.services.vehicles.letterPdf("AB12CDE", { id: 1, role: "operation-lead" }), /Letters need the force's identity: set OPENBEAT_DEPLOYMENT/);
    } finally {
      await app.close();
    }
    const demo = await testApp(test);
    try {
      const page = (await new PageClient(demo).get("/")).body;
      assert.match(page, /id="deployment-name">Demo Constabulary \(fictional\)/);
      assert.match(page, /This is a demonstration: the force, the team and everything in it are invented/);
    } finally {
      await demo.close();
      await test.drop();
    }
  });
});
