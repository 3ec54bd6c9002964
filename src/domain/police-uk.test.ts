import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OUTCOMES_HEADER, STREET_HEADER, checkOutcomeRow, checkStreetRow, currentCategory, detectFileKind, isNoLocation, outcomeGroup, snapPointKey } from "./police-uk.ts";

const text = (value: string) => new TextEncoder().encode(value);
const street = (changes: Record<number, string> = {}) => {
  const row = ["a1b2", "2018-04", "Essex Police", "Essex Police", "0.727421", "51.538327", "On or near Ambleside Drive", "E01015840", "Southend-on-Sea 014B", "Drugs", "Under investigation", ""];
  for (const [index, value] of Object.entries(changes)) row[Number(index)] = value;
  return row;
};

describe("police.uk files", () => {
  it("recognises street and outcomes files by their header, whatever the case or a byte-order mark", () => {
    assert.deepEqual(detectFileKind(text("Crime ID,..."), [...STREET_HEADER]), { kind: "street" });
    assert.deepEqual(detectFileKind(text("x"), ["\uFEFFcrime id", ...STREET_HEADER.slice(1).map((h) => h.toUpperCase())]), { kind: "street" });
    assert.deepEqual(detectFileKind(text("Crime ID,..."), [...OUTCOMES_HEADER]), { kind: "outcomes" });
  });

  it("refuses anything else, saying what it is", () => {
    const what = (head: Uint8Array, header: string[] | null) => {
      const kind = detectFileKind(head, header);
      return kind.kind === "refused" ? kind.what : kind.kind;
    };
    assert.equal(what(text("Type,Date,Part of a policing operation"), ["Type", "Date", "Part of a policing operation", "Policing operation"]), "a police.uk stop-and-search file");
    assert.equal(what(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1]), null), "a zip archive (or a spreadsheet saved as .xlsx) inside an archive");
    assert.equal(what(text("%PDF-1.7"), ["%PDF-1.7"]), "a PDF document");
    assert.equal(what(new Uint8Array(0), null), "an empty file");
    assert.equal(what(new Uint8Array([65, 0, 66]), ["A"]), "a binary file, not text");
    assert.match(what(text("name,age"), ["name", "age"]), /not a police.uk street or outcomes file \(its first line is: "name,age"\)/);
    assert.match(what(text("Crime ID"), ["Crime ID", "Month", "Crime type"]), /unexpected header \(3 columns/);
  });

  it("maps old category labels to today's, and knows no others", () => {
    assert.equal(currentCategory("Violent crime"), "Violence and sexual offences");
    assert.equal(currentCategory("Public disorder and weapons"), "Public order");
    assert.equal(currentCategory("anti social behaviour"), "Anti-social behaviour");
    assert.equal(currentCategory("Drugs"), "Drugs");
    assert.equal(currentCategory("Kerb crawling"), null);
  });

  it("checks a street row, keeping No Location rows unmapped", () => {
    const ok = checkStreetRow(street());
    assert.ok(ok.ok);
    assert.equal(ok.row.point?.lsoaCode, "E01015840");
    assert.equal(snapPointKey(ok.row.point!), "0.727421,51.538327,E01015840,On or near Ambleside Drive");
    const unmapped = checkStreetRow(street({ 4: "", 5: "", 6: "No Location", 7: "", 8: "" }));
    assert.ok(unmapped.ok && unmapped.row.point === null);
    assert.ok(isNoLocation("No location") && isNoLocation(" NO LOCATION "));
    const old = checkStreetRow(street({ 9: "Violent crime" }));
    assert.ok(old.ok && old.row.relabelled && old.row.category === "Violence and sexual offences");
    const asb = checkStreetRow(street({ 0: "", 9: "Anti-social behaviour", 10: "" }));
    assert.ok(asb.ok && asb.row.crimeId === null && asb.row.lastOutcome === null);
  });

  it("says what is wrong with a malformed row", () => {
    const reason = (fields: string[]) => {
      const checked = checkStreetRow(fields);
      return checked.ok ? "ok" : checked.reason;
    };
    assert.equal(reason(street({ 1: "April" })), 'Month must be YYYY-MM (found "April")');
    assert.equal(reason(street({ 9: "Kerb crawling" })), '"Kerb crawling" is not a police.uk crime type');
    assert.equal(reason(street({ 4: "x" })), 'Longitude and Latitude must both be numbers (found "x", "51.538327")');
    assert.equal(reason(street({ 4: "2.35", 5: "48.85" })), "the point (2.35, 48.85) is outside the UK");
    assert.equal(reason(street({ 7: "nowhere" })), 'LSOA code "nowhere" is not a code like E01015840');
    assert.equal(reason(street({ 3: "" })), "Falls within (the force) is empty");
    assert.equal(reason(street().slice(0, 5)), "expected 12 fields, found 5");
    const outcome = checkOutcomeRow(["", "2018-04", "Essex Police", "Essex Police", "", "", "No location", "", "", "Suspect charged"]);
    assert.deepEqual(outcome, { ok: false, reason: "an outcome needs the Crime ID it belongs to" });
  });

  it("groups outcomes by whether anyone was dealt with", () => {
    assert.equal(outcomeGroup("Offender sent to prison"), "court");
    assert.equal(outcomeGroup("Suspect charged as part of another case"), "court");
    assert.equal(outcomeGroup("Offender given a caution"), "out-of-court");
    assert.equal(outcomeGroup("Local resolution"), "out-of-court");
    assert.equal(outcomeGroup("Investigation complete; no suspect identified"), "no-further-action");
    assert.equal(outcomeGroup("Formal action is not in the public interest"), "no-further-action");
    assert.equal(outcomeGroup("Awaiting court outcome"), "open");
    assert.equal(outcomeGroup(null), "open");
  });
});
