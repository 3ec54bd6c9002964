// Named errors with stable ids, so handlers throw what happened and one place decides how each
// looks as JSON or as a page. Messages are written for the person who has to act on them.

export interface FieldProblem {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly id: string,
    readonly statusCode: number,
    message: string,
    readonly fields: FieldProblem[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const errors = {
  notFound: (what = "page") => new AppError("not_found", 404, `The ${what} you asked for was not found`),
  invalid: (fields: FieldProblem[], message = "Some answers need fixing") => new AppError("invalid_input", 400, message, fields),
  badRequest: (message: string) => new AppError("bad_request", 400, message),
  signInRequired: () => new AppError("sign_in_required", 401, "Sign in to see this page"),
  forbidden: () => new AppError("forbidden", 403, "Your role does not give you access to this page"),
  conflict: (message: string) => new AppError("conflict", 409, message),
  tooMany: (retryAfterSeconds: number, what = "Too many attempts from your connection") =>
    new AppError(
      "too_many_requests",
      429,
      `${what}. Wait ${Math.ceil(retryAfterSeconds / 60)} minute${retryAfterSeconds > 60 ? "s" : ""} and try again.`,
      [],
      { "retry-after": String(retryAfterSeconds) },
    ),
  busy: (retryAfterSeconds: number) =>
    new AppError(
      "busy",
      503,
      `openbeat is too busy to answer right now. Nothing you sent was saved, and anything you had typed into the form is kept: wait ${retryAfterSeconds} seconds and try again.`,
      [],
      { "retry-after": String(retryAfterSeconds) },
    ),
  unavailable: (message = "The database is not answering. Try again in a minute.") =>
    new AppError("unavailable", 503, message, [], { "retry-after": "30" }),
};
