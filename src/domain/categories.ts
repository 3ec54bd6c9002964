// Report categories are data (categories.json, then the categories table, which a deployment
// may edit): each carries its guidance, its extra questions and whether a vehicle is asked for.
// This module holds their shape and the rules for answering their questions.
import defaults from "./categories.json" with { type: "json" };

export type QuestionType = "string" | "number" | "datetime" | "text" | "singlevaluelist" | "multivaluelist";

export interface Question {
  code: string;
  label: string;
  hint?: string;
  type: QuestionType;
  required: boolean;
  values: Array<{ key: string; name: string }>;
}

export interface Category {
  code: string;
  name: string;
  hint: string;
  guidance: string;
  askVehicle: boolean;
  inScope: boolean;
  /** Published only as operation-level quarterly totals, never offered to other apps. */
  sensitive: boolean;
  sortOrder: number;
  questions: Question[];
}

export const DEFAULT_CATEGORIES: Category[] = defaults as Category[];

export type Answers = Record<string, string | string[]>;

export interface AnswerProblem {
  question: string;
  message: string;
}

/** Checks answers against a category's questions; unknown questions are dropped, not stored. */
export function checkAnswers(category: Category, raw: Record<string, unknown>): { answers: Answers; problems: AnswerProblem[] } {
  const answers: Answers = {};
  const problems: AnswerProblem[] = [];
  for (const question of category.questions) {
    const value = raw[question.code];
    const given = Array.isArray(value)
      ? value.filter((v) => typeof v === "string" && v !== "")
      : typeof value === "string" && value.trim() !== ""
        ? value.trim()
        : typeof value === "number"
          ? String(value)
          : undefined;
    const empty = given === undefined || (Array.isArray(given) && given.length === 0);
    if (empty) {
      if (question.required) problems.push({ question: question.code, message: `Answer “${question.label}”` });
      continue;
    }
    const keys = question.values.map((v) => v.key);
    switch (question.type) {
      case "singlevaluelist": {
        const single = Array.isArray(given) ? given[0] : given;
        if (Array.isArray(given) && given.length > 1) problems.push({ question: question.code, message: `Choose one answer to “${question.label}”` });
        else if (!keys.includes(single as string)) problems.push({ question: question.code, message: `Choose one of the answers to “${question.label}”` });
        else answers[question.code] = single as string;
        break;
      }
      case "multivaluelist": {
        const many = Array.isArray(given) ? given : [given as string];
        if (many.some((v) => !keys.includes(v))) problems.push({ question: question.code, message: `Choose from the answers listed for “${question.label}”` });
        else answers[question.code] = [...new Set(many)];
        break;
      }
      case "number": {
        const text = Array.isArray(given) ? given[0]! : given!;
        if (!/^\d{1,6}$/.test(text)) problems.push({ question: question.code, message: `“${question.label}” must be a whole number, like 3` });
        else answers[question.code] = String(Number(text));
        break;
      }
      case "datetime": {
        const text = Array.isArray(given) ? given[0]! : given!;
        if (Number.isNaN(Date.parse(text))) problems.push({ question: question.code, message: `“${question.label}” must be a date and time, like 2026-05-01T21:30` });
        else answers[question.code] = new Date(text).toISOString();
        break;
      }
      default: {
        const text = Array.isArray(given) ? given.join(" ") : given!;
        const limit = question.type === "text" ? 2000 : 200;
        if (text.length > limit) problems.push({ question: question.code, message: `“${question.label}” must be ${limit} characters or fewer` });
        else answers[question.code] = text;
      }
    }
  }
  return { answers, problems };
}

/** Answers that show someone may be under 18 or controlled by another: the safeguarding path opens at once. */
export function answersRaiseSafeguarding(answers: Answers): boolean {
  const concerns = answers["concerns"];
  const list = Array.isArray(concerns) ? concerns : concerns ? [concerns] : [];
  return list.includes("may-be-under-18") || list.includes("controlled");
}
