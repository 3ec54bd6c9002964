// Parsing shared by the safeguarding and partner pages: the stated reason for reading or
// changing a case, and GOV.UK date inputs.
import type { FieldProblem } from "../../http/errors.ts";
import { CASE_REASON_CODES, isReasonReference, type CaseReasonCode } from "../../domain/safeguarding.ts";
import { isRealDate, utcToLondonParts } from "../../domain/time.ts";
import { field, type FormBody } from "../reports/report-form.ts";

export interface CaseReason {
  code: CaseReasonCode;
  reference: string;
}

/** The reason a lead gives for reading or changing a case: a code and a reference, never free text. */
export function parseReason(values: FormBody): { reason: CaseReason | null; problems: FieldProblem[] } {
  const code = field(values, "reasonCode");
  const reference = field(values, "reasonReference").trim();
  const problems: FieldProblem[] = [];
  if (!(CASE_REASON_CODES as readonly string[]).includes(code)) problems.push({ field: "reasonCode", message: "Choose why you need this case" });
  if (!isReasonReference(reference)) {
    problems.push({
      field: "reasonReference",
      message: "Give a reference with at least one number, such as the case reference (SG-000012), an incident number or a strategy meeting number: letters, numbers, slashes and dashes only",
    });
  }
  return problems.length ? { reason: null, problems } : { reason: { code: code as CaseReasonCode, reference }, problems };
}

/** The query string that carries a stated reason to the next page, so every page read is logged with it. */
export function reasonQuery(reason: CaseReason, extra: Record<string, string> = {}): string {
  return new URLSearchParams({ reasonCode: reason.code, reasonReference: reason.reference, ...extra }).toString();
}

/** Today's date in the UK, 'YYYY-MM-DD'. */
export function ukToday(now: Date = new Date()): string {
  const { year, month, day } = utcToLondonParts(now.toISOString());
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** A date from a form: its value when it is a real date, or the problem to show. */
export type ParsedDate = { value: string; problem: null } | { value: null; problem: FieldProblem };

/** Reads a GOV.UK date input (name-day, name-month, name-year) as 'YYYY-MM-DD'. */
export function parseDateInput(body: FormBody, name: string, label: string): ParsedDate {
  const day = field(body, `${name}-day`).trim();
  const month = field(body, `${name}-month`).trim();
  const year = field(body, `${name}-year`).trim();
  if (!day && !month && !year) return { value: null, problem: { field: `${name}-day`, message: `Enter the ${label}` } };
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year) || !isRealDate(Number(year), Number(month), Number(day))) {
    return { value: null, problem: { field: `${name}-day`, message: `The ${label} must be a real date, like 27 3 2026` } };
  }
  return { value: `${year}-${month.padStart(2, "0")}-${day.padStart(2, "0")}`, problem: null };
}

export function dateParts(value: string | null | undefined): { day: string; month: string; year: string } {
  const [year = "", month = "", day = ""] = (value ?? "").split("-");
  return { day: day.replace(/^0/, ""), month: month.replace(/^0/, ""), year };
}
