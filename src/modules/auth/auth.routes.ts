// Staff sign-in, sign-out, password change and the staff start page.
import type { FastifyInstance } from "fastify";
import { AppError } from "../../http/errors.ts";
import { formErrors } from "../../web/render.ts";
import { DEVICE_COOKIE, SESSION_COOKIE } from "../../http/cookies.ts";
import { field, type FormBody } from "../reports/report-form.ts";
import type { Services } from "../../services.ts";
import { access } from "./policy.ts";
import { MINIMUM_PASSWORD_LENGTH } from "./passwords.ts";
import { provisioningQrSvg } from "./two-factor.ts";
import { SESSION_LIFETIME_HOURS, type SignInResult } from "./auth.service.ts";

const DEVICE_COOKIE_DAYS = 180;

/** Only paths on this site: "next" must never send someone elsewhere after signing in. */
function safeNext(value: string): string {
  return /^\/(?!\/)[^\s\\]*$/.test(value) && value.startsWith("/staff") ? value : "/staff";
}

export function registerAuthPages(app: FastifyInstance, services: Services): void {
  const sessionCookie = {
    path: "/",
    httpOnly: true,
    sameSite: "lax" as const,
    secure: services.config.secureCookies,
    maxAge: SESSION_LIFETIME_HOURS * 3600,
  };

  app.get<{ Querystring: { next?: string } }>("/staff/sign-in", { config: { access: access.public } }, async (request, reply) => {
    if (request.staff) return reply.redirect("/staff");
    return reply.page("auth/views/sign-in.njk", { title: "Sign in", next: safeNext(request.query.next ?? "/staff"), noStore: true });
  });

  app.post("/staff/sign-in", { config: { access: access.public } }, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const email = field(body, "email").trim();
    const password = field(body, "password");
    const next = safeNext(field(body, "next"));
    const render = (message: string, status: number, name = "email") =>
      reply.page("auth/views/sign-in.njk", { title: "Sign in", next, email, errors: formErrors([{ field: name, message }]), noStore: true }, status);
    if (!email) return render("Enter your email address", 400);
    if (!password) return render("Enter your password", 400, "password");
    await services.rateLimits.hit({ name: "sign-in", max: services.config.rateLimits.signIn, windowSeconds: 900 }, request.clientKey);
    let result: SignInResult;
    try {
      result = await services.auth.signIn(email, password.slice(0, 200), { device: request.cookies[DEVICE_COOKIE] });
    } catch (error) {
      if (!(error instanceof AppError && error.statusCode === 429)) throw error;
      reply.headers(error.headers);
      return render(error.message, 429);
    }
    if (!result.ok) return render("The email address or password is wrong", 401);
    reply.setCookie(SESSION_COOKIE, result.token, sessionCookie);
    reply.setCookie(DEVICE_COOKIE, result.device, { ...sessionCookie, path: "/staff/sign-in", maxAge: DEVICE_COOKIE_DAYS * 86_400 });
    if (result.user.twoFactorEnabled) return reply.redirect(`/staff/sign-in/code?next=${encodeURIComponent(next)}`);
    if (result.user.mustChangePassword) return reply.redirect("/staff/password");
    return reply.redirect(result.user.twoFactorRequired ? "/staff/two-factor" : next);
  });

  app.get<{ Querystring: { next?: string } }>("/staff/sign-in/code", { config: { access: access.signedIn } }, async (request, reply) =>
    reply.page("auth/views/code.njk", { title: "Enter the code from your authenticator app", next: safeNext(request.query.next ?? "/staff"), noStore: true }),
  );

  app.post("/staff/sign-in/code", { config: { access: access.signedIn } }, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const next = safeNext(field(body, "next"));
    await services.rateLimits.hit({ name: "sign-in", max: services.config.rateLimits.signIn, windowSeconds: 900 }, request.clientKey);
    const staff = request.staff!;
    const refuse = (message: string, status: number) =>
      reply.page("auth/views/code.njk", { title: "Enter the code from your authenticator app", next, noStore: true, errors: formErrors([{ field: "code", message }]) }, status);
    let ok: boolean;
    try {
      ok = await services.auth.verifySecondFactor(staff.user.id, staff.sessionId, field(body, "code"));
    } catch (error) {
      if (!(error instanceof AppError && error.statusCode === 429)) throw error;
      reply.headers(error.headers);
      return refuse(error.message, 429);
    }
    if (!ok) return refuse("The code is wrong or has already been used. Enter the newest 6-digit code from your app.", 401);
    // A new session id once both factors are proved (session fixation).
    reply.setCookie(SESSION_COOKIE, await services.auth.renewSession(staff.token), sessionCookie);
    return reply.redirect(staff.user.mustChangePassword ? "/staff/password" : next);
  });

  const enrolment = async (email: string) => {
    const { secret, sealed, uri } = services.auth.beginTwoFactor(email);
    return { title: "Set up two-factor sign-in", secret: secret.match(/.{1,4}/g)!.join(" "), sealed, uri, qr: await provisioningQrSvg(uri), noStore: true };
  };

  app.get("/staff/two-factor", { config: { access: access.signedIn } }, async (request, reply) =>
    reply.page("auth/views/two-factor.njk", { ...(await enrolment(request.staff!.user.email)), enabled: request.staff!.user.twoFactorEnabled, required: request.staff!.user.twoFactorRequired }),
  );

  app.post("/staff/two-factor", { config: { access: access.signedIn } }, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const staff = request.staff!;
    await services.rateLimits.hit({ name: "sign-in", max: services.config.rateLimits.signIn, windowSeconds: 900 }, request.clientKey);
    const ok = await services.auth.confirmTwoFactor(staff.user.id, staff.sessionId, field(body, "sealed"), field(body, "code"));
    if (!ok) {
      return reply.page(
        "auth/views/two-factor.njk",
        { ...(await enrolment(staff.user.email)), enabled: staff.user.twoFactorEnabled, required: staff.user.twoFactorRequired, errors: formErrors([{ field: "code", message: "That code does not match. Add the new key below to your app and enter the code it shows." }]) },
        400,
      );
    }
    reply.setCookie(SESSION_COOKIE, await services.auth.renewSession(staff.token), sessionCookie);
    return reply.redirect("/staff?twoFactor=on");
  });

  app.post("/staff/sign-out", { config: { access: access.signedIn } }, async (request, reply) => {
    if (request.staff) await services.auth.signOut(request.staff.token);
    reply.clearCookie(SESSION_COOKIE, { path: "/" });
    return reply.redirect("/staff/sign-in?signedOut=1");
  });

  app.get("/staff/password", { config: { access: access.signedIn } }, async (request, reply) =>
    reply.page("auth/views/password.njk", { title: "Change your password", minimum: MINIMUM_PASSWORD_LENGTH, firstTime: request.staff!.user.mustChangePassword }),
  );

  app.post("/staff/password", { config: { access: access.signedIn } }, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const current = field(body, "current");
    const password = field(body, "password");
    const confirm = field(body, "confirm");
    const { user, sessionId } = request.staff!;
    const fail = (name: string, message: string) =>
      reply.page("auth/views/password.njk", { title: "Change your password", minimum: MINIMUM_PASSWORD_LENGTH, firstTime: user.mustChangePassword, errors: formErrors([{ field: name, message }]) }, 400);
    if (!current) return fail("current", "Enter your current password");
    if (password !== confirm) return fail("confirm", "The two new passwords do not match");
    const problem = await services.auth.changePassword(user.id, sessionId, current, password);
    if (problem) return fail(problem.field, problem.message);
    return reply.redirect("/staff?passwordChanged=1");
  });
}
