// The warning letter to a vehicle's registered keeper, as a PDF. Its wording is neutral: it
// lists when and where the vehicle was seen, accuses no one, and says the keeper may not have
// been the driver. It carries nothing from residents: no words of theirs, and not who reported.
import PDFDocument from "pdfkit";
import type { Deployment } from "../../deployment.ts";

export interface LetterContent {
  reference: string;
  issuedAt: string;
  /** Who sends it, and how the keeper checks it is real: the deployment's identity. */
  from: Pick<Deployment, "force" | "team" | "contact" | "logoFile" | "fictional">;
  operation: string;
  keeper: { name: string; address: string };
  vehicle: { registration: string; make: string; colour: string };
  sightings: Array<{ seenAt: string; place: string }>;
  approvedBy: string;
}

// The PDF's built-in Helvetica covers Windows-1252 only: anything else would print as
// nonsense, so letters outside it lose their accents, or become "?" when they have none.
const WIN_ANSI_EXTRAS = new Set("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ");
const WITHOUT_DECOMPOSITION: Record<string, string> = { Ł: "L", ł: "l", Đ: "D", đ: "d", Ħ: "H", ħ: "h", ı: "i", Ŧ: "T", ŧ: "t", ſ: "s" };

function printable(char: string): boolean {
  const code = char.codePointAt(0)!;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRAS.has(char);
}

/** Text as the letter can print it, character for character where possible. */
export function pdfText(text: string): string {
  let out = "";
  for (const char of text.normalize("NFC")) {
    if (char === "\n") out += char;
    else if (char === "\t") out += " ";
    else if (printable(char)) out += char;
    else if (WITHOUT_DECOMPOSITION[char]) out += WITHOUT_DECOMPOSITION[char];
    else {
      const base = char.normalize("NFD").replace(/\p{M}/gu, "");
      out += base && [...base].every(printable) ? base : /\p{C}/u.test(char) ? "" : "?";
    }
  }
  return out;
}

const LONDON = "Europe/London";

export function letterDate(iso: string): string {
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: LONDON }).format(new Date(iso));
}

/** "Monday 1 June 2026 at 21:30", in UK time. */
export function letterDateTime(iso: string): string {
  const parts = new Intl.DateTimeFormat("en-GB", {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: LONDON,
  }).formatToParts(new Date(iso));
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)!.value;
  return `${get("weekday")} ${get("day")} ${get("month")} ${get("year")} at ${get("hour")}:${get("minute")}`;
}

export function renderLetter(content: LetterContent): Promise<Buffer> {
  const doc = new PDFDocument({
    size: "A4",
    margin: 56,
    info: { Title: `Warning letter ${content.reference}`, Author: pdfText(content.from.force.name), Subject: "About your vehicle" },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });

  const t = pdfText;
  const vehicle = `${content.vehicle.registration} (${[content.vehicle.colour, content.vehicle.make].filter(Boolean).join(" ")})`;
  // The letterhead: who it is from and how to check, so a keeper can tell it from a scam.
  const from = content.from;
  if (from.logoFile) doc.image(from.logoFile, { fit: [160, 48] }).moveDown(0.5);
  doc.font("Helvetica-Bold").fontSize(14).text(t(from.force.name));
  doc.font("Helvetica").fontSize(11).text(t(from.team.name));
  for (const addressLine of from.contact.postalAddress) doc.text(t(addressLine));
  doc.text(t(`Telephone ${from.contact.phone}${from.contact.web ? ` · ${from.contact.web}` : ""}${from.contact.email ? ` · ${from.contact.email}` : ""}`));
  if (from.fictional) doc.font("Helvetica-Bold").text("DEMONSTRATION: this letter and its sender are invented.").font("Helvetica");
  doc.moveDown();
  doc.font("Helvetica").fontSize(11);
  doc.text(t(content.keeper.name));
  for (const line of content.keeper.address.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) doc.text(t(line));
  doc.moveDown();
  doc.text(`Our reference: ${t(content.reference)}`);
  doc.text(`Date: ${letterDate(content.issuedAt)}`);
  doc.moveDown();
  doc.font("Helvetica-Bold").fontSize(13).text(`About your vehicle ${t(content.vehicle.registration)}`);
  doc.moveDown(0.5);
  doc.font("Helvetica").fontSize(11);
  doc.text("Dear registered keeper,");
  doc.moveDown(0.5);
  doc.text(
    t(
      `Records show that you are the registered keeper of the vehicle ${vehicle}. A vehicle registered to you was seen on the occasions listed below in an area where kerb crawling causes harm to residents and to people who are exploited. ${content.operation} is working to stop it.`,
    ),
  );
  doc.moveDown(0.5);
  doc.text(
    "This letter does not accuse you or anyone else of an offence. The keeper of a vehicle may not have been its driver. If other people drive this vehicle, please make sure they know about this letter.",
  );
  doc.moveDown();
  doc.font("Helvetica-Bold").text("When and where the vehicle was seen");
  doc.font("Helvetica");
  for (const sighting of content.sightings) doc.text(t(`•  ${letterDateTime(sighting.seenAt)}: ${sighting.place}`), { indent: 12 });
  doc.moveDown();
  doc.text(
    "Soliciting a person in a street or public place for sex is an offence under section 51A of the Sexual Offences Act 2003. Officers will continue to patrol the area.",
  );
  doc.moveDown(0.5);
  doc.text(
    `If you think this letter has reached you by mistake, for example because your vehicle was not there or its number plates may have been copied, please call ${t(from.contact.phone)} and quote the reference ${t(content.reference)}.${from.contact.web ? ` You can check that this letter is genuine at ${t(from.contact.web)}.` : ""}`,
  );
  doc.moveDown();
  doc.text("Yours faithfully,");
  doc.moveDown(0.5);
  doc.text(t(content.approvedBy));
  doc.text(t(`Operation lead, ${content.operation}, ${from.team.name}`));
  doc.end();
  return done;
}
