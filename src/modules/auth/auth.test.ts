import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { FastifyInstance } from "fastify";
import { describeEachDatabase } from "../../../test/support/databases.ts";
import { awayFromWindowEdges, createStaffToken, signedInClient, testApp } from "../../../test/support/app.ts";
import { PageClient } from "../../../test/support/client.ts";
import { codeFor } from "./two-factor.ts";

describeEachDatabase("staff sign-in and sessions", (context) => {
  let app: FastifyInstance;
  before(async () => {
    app = await testApp(context());
  });
  after(async () => app.close());

  it("stores passwords as argon2id hashes and signs in with a new session id each time", async () => {
    await app.services.auth.addUser({ email: "pc.one@example.test", name: "PC One", role: "officer", password: "a long enough password", mustChangePassword: false });
    const row = await app.services.users.findByEmail("pc.one@example.test");
    assert.match(row!.passwordHash, /^\$argon2id\$/);
    const client = new PageClient(app);
    await client.get("/staff/sign-in");
    client.cookies.set("ob_session", "planted-by-an-attacker");
    const response = await client.post("/staff/sign-in", { email: "PC.One@example.test", password: "a long enough password", next: "/staff" });
    assert.equal(response.statusCode, 302);
    assert.notEqual(client.cookies.get("ob_session"), "planted-by-an-attacker", "session fixation: a planted id never becomes signed in");
    const sessions = await context().database.db.selectFrom("sessions").selectAll().where("userId", "=", row!.id).execute();
    assert.equal(sessions.length, 1);
    assert.ok(!sessions.some((s) => s.id === client.cookies.get("ob_session")), "only a hash of the token is stored");
    assert.equal((await client.get("/staff")).statusCode, 200);
  });

  it("answers a known and an unknown email alike, and slows guesses down without locking out the right password", async () => {
    // Once an email has had five failures each check waits its turn: at least 300 ms here (a second in production), doubling.
    const slowed = await testApp(context(), { signInSlowdownMs: 300 });
    try {
      const known = `known-${process.pid}@example.test`;
      const unknown = `unknown-${process.pid}@example.test`;
      await slowed.services.auth.addUser({ email: known, name: "PC Known", role: "officer", password: "the right password", mustChangePassword: false });
      // The holder signed in from their own browser before the attack.
      const ownBrowser = new PageClient(slowed);
      await ownBrowser.get("/staff/sign-in");
      assert.equal((await ownBrowser.post("/staff/sign-in", { email: known, password: "the right password", next: "/staff" })).statusCode, 302);
      await ownBrowser.get("/staff");
      assert.equal((await ownBrowser.post("/staff/sign-out", {})).statusCode, 302);

      const attacker = new PageClient(slowed);
      await attacker.get("/staff/sign-in");
      const answers: Record<string, Array<{ status: number; body: string }>> = { [known]: [], [unknown]: [] };
      const times: Record<string, number[]> = { [known]: [], [unknown]: [] };
      const answered: Record<string, number[]> = { [known]: [], [unknown]: [] };
      // Taken in turns, so a busy machine slows both alike; the known email last, so the holder
      // below comes straight after its seventh failure.
      for (let i = 0; i < 7; i++) {
        for (const email of [unknown, known]) {
          const started = performance.now();
          const response = await attacker.post("/staff/sign-in", { email, password: `wrong guess ${i}`, next: "/staff" });
          answered[email]!.push(performance.now());
          times[email]!.push(performance.now() - started);
          const body = response.body.replaceAll(email, "EMAIL").replace(/value="[A-Za-z0-9_-]{40,}"/g, "").replace(/nonce="[^"]+"/g, "");
          answers[email]!.push({ status: response.statusCode, body });
        }
      }
      assert.deepEqual(answers[known], answers[unknown], "status and page are the same for an account and for no account");
      assert.deepEqual(answers[known]!.map((a) => a.status), [401, 401, 401, 401, 401, 401, 401]);
      assert.match(answers[known]![6]!.body, /The email address or password is wrong/);
      // The quickest of each: a busy machine only ever adds time. Both are an argon2 check, so
      // they are of one order; skipping the check for an unknown email would make it tens of
      // times quicker. The bound is loose because CI shares two cores with the whole suite.
      const [k, u] = [Math.min(...times[known]!.slice(0, 5)), Math.min(...times[unknown]!.slice(0, 5))];
      assert.ok(Math.max(k, u) < 2.5 * Math.min(k, u) + 10, `an unknown email takes as long as a known one (${k.toFixed(0)} ms and ${u.toFixed(0)} ms)`);
      for (const email of [known, unknown]) {
        // The sixth check comes at least 300 ms after the fifth failure, the seventh 600 ms after the sixth.
        const gaps = [answered[email]![5]! - answered[email]![4]!, answered[email]![6]! - answered[email]![5]!];
        assert.ok(gaps[0]! >= 280 && gaps[1]! >= 580, `guesses after the fifth failure wait their turn (${gaps.map((t) => t.toFixed(0)).join(" and ")} ms after the failure before)`);
      }

      const newBrowser = new PageClient(slowed);
      await newBrowser.get("/staff/sign-in");
      const started = performance.now();
      const holder = await newBrowser.post("/staff/sign-in", { email: known, password: "the right password", next: "/staff" });
      assert.equal(holder.statusCode, 302, "the right password still signs in, only later");
      const waited = performance.now() - started;
      assert.ok(waited >= 250, "after waiting its turn");
      await ownBrowser.get("/staff/sign-in");
      const quick = performance.now();
      const again = await ownBrowser.post("/staff/sign-in", { email: known, password: "the right password", next: "/staff" });
      assert.equal(again.statusCode, 302);
      // Relative, not absolute: a loaded machine slows both sign-ins, but only the first waited a turn.
      assert.ok(performance.now() - quick < waited, "a browser the holder signed in from before does not wait behind the guesses");
    } finally {
      await slowed.close();
    }
  });

  it("queues guesses at one email that arrive together, a delay apart, on any number of connections", async () => {
    // Turns 400 ms apart: wider than a busy machine's spread in how long one check takes.
    const slowed = await testApp(context(), { signInSlowdownMs: 400 });
    try {
      const email = `queued-${process.pid}@example.test`;
      const guess = async () => {
        const client = new PageClient(slowed);
        await client.get("/staff/sign-in");
        return client;
      };
      const first = await guess();
      for (let i = 0; i < 5; i++) await first.post("/staff/sign-in", { email, password: `guess ${i}`, next: "/staff" });
      // Turns are counted from the fifth failure, so time is measured from it too.
      const started = performance.now();
      const clients = await Promise.all(Array.from({ length: 4 }, guess));
      const finished = await Promise.all(
        clients.map(async (client, i) => {
          const response = await client.post("/staff/sign-in", { email, password: `together ${i}`, next: "/staff" });
          return { status: response.statusCode, at: performance.now() - started };
        }),
      );
      assert.deepEqual(finished.map((f) => f.status), [401, 401, 401, 401]);
      const times = finished.map((f) => f.at).sort((a, b) => a - b);
      // The n-th answer cannot come before its turn, n × 400 ms on (less a margin for the clock):
      // a lower bound, which a loaded machine can only push later, never break.
      for (const [i, t] of times.entries()) assert.ok(t >= (i + 1) * 400 - 100, `each check waits its own turn (${times.map((x) => x.toFixed(0)).join(", ")} ms)`);
    } finally {
      await slowed.close();
    }
  });

  it("ends every other session and token when a password is changed, and keeps the session that changed it", async () => {
    const { client: here, email } = await signedInClient(app, "officer");
    const stolen = new PageClient(app);
    await stolen.get("/staff/sign-in");
    assert.equal((await stolen.post("/staff/sign-in", { email, password: "correct horse battery staple", next: "/staff" })).statusCode, 302);
    const token = await createStaffToken(stolen, "Made from a stolen session");
    const api = () => app.inject({ method: "GET", url: "/api/staff/reports", headers: { authorization: `Bearer ${token}` } });
    assert.equal((await api()).statusCode, 200);
    await here.get("/staff/password");
    const changed = await here.post("/staff/password", { current: "correct horse battery staple", password: "a brand new passphrase", confirm: "a brand new passphrase" });
    assert.equal(changed.statusCode, 302);
    assert.equal((await here.get("/staff")).statusCode, 200, "the session that changed the password goes on");
    assert.equal((await stolen.get("/staff")).statusCode, 302, "every other session has ended");
    assert.equal((await api()).statusCode, 401, "and every token");
  });

  it("makes a one-time password be changed before anything else", async () => {
    const { password } = await app.services.auth.addUser({ email: "new.starter@example.test", name: "New Starter", role: "officer" });
    assert.match(password, /^[a-z0-9]{4}(-[a-z0-9]{4}){3}$/);
    const client = new PageClient(app);
    await client.get("/staff/sign-in");
    const signedIn = await client.post("/staff/sign-in", { email: "new.starter@example.test", password, next: "/staff/reports" });
    assert.equal(signedIn.headers.location, "/staff/password");
    assert.equal((await client.get("/staff/reports")).headers.location, "/staff/password");
    await client.get("/staff/password");
    const short = await client.post("/staff/password", { current: password, password: "short", confirm: "short" });
    assert.match(short.body, /Password must be 12 characters or more/);
    const changed = await client.post("/staff/password", { current: password, password: "a brand new passphrase", confirm: "a brand new passphrase" });
    assert.equal(changed.statusCode, 302);
    assert.equal((await client.get("/staff/reports")).statusCode, 200);
  });

  it("signs out, and revoking a user's sessions takes effect at once", async () => {
    const { client, id } = await signedInClient(app, "operation-lead");
    assert.equal((await client.get("/staff")).statusCode, 200);
    await app.services.auth.signOutEverywhere(id);
    assert.equal((await client.get("/staff")).statusCode, 302);
    const second = await signedInClient(app, "officer");
    await second.client.get("/staff");
    assert.equal((await second.client.post("/staff/sign-out", {})).statusCode, 302);
    assert.equal((await second.client.get("/staff")).statusCode, 302);
  });

  it("only follows sign-in redirects within the staff pages", async () => {
    await app.services.auth.addUser({ email: "pc.three@example.test", name: "PC Three", role: "officer", password: "the right password", mustChangePassword: false });
    const client = new PageClient(app);
    await client.get("/staff/sign-in");
    const response = await client.post("/staff/sign-in", { email: "pc.three@example.test", password: "the right password", next: "//evil.example/steal" });
    assert.equal(response.headers.location, "/staff");
  });

  it("makes roles that reach sensitive data set up two-factor sign-in before anything else", async () => {
    await app.services.auth.addUser({ email: "auditor.one@example.test", name: "Auditor One", role: "auditor", password: "an auditor's password", mustChangePassword: false });
    const client = new PageClient(app);
    await client.get("/staff/sign-in");
    const signedIn = await client.post("/staff/sign-in", { email: "auditor.one@example.test", password: "an auditor's password", next: "/staff" });
    assert.equal(signedIn.headers.location, "/staff/two-factor");
    assert.equal((await client.get("/staff")).headers.location, "/staff/two-factor");
    const page = await client.get("/staff/two-factor");
    const key = /id="totp-key">([^<]+)</.exec(page.body)![1]!.replace(/\s+/g, "");
    // The setup link as a QR code to scan, drawn on the server, named for screen readers.
    assert.match(page.body, /id="totp-qr"><svg role="img" aria-label="QR code of the setup link for your authenticator app"[^>]*viewBox="0 0 \d+ \d+"/);
    assert.match(page.body, /<path [^>]*d="M[^"]{200,}"/, "the code's modules are drawn");
    const wrong = await client.post("/staff/two-factor", { sealed: /name="sealed" value="([^"]+)"/.exec(page.body)![1]!, code: "000000" });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /That code does not match/);
    const retry = await client.get("/staff/two-factor");
    const retryKey = /id="totp-key">([^<]+)</.exec(retry.body)![1]!.replace(/\s+/g, "");
    assert.notEqual(retryKey, key, "a failed attempt gets a fresh key");
    const ok = await client.post("/staff/two-factor", { sealed: /name="sealed" value="([^"]+)"/.exec(retry.body)![1]!, code: codeFor(retryKey) });
    assert.equal(ok.statusCode, 302);
    assert.equal((await client.get("/staff")).statusCode, 200);
    const row = await app.services.users.findByEmail("auditor.one@example.test");
    assert.ok(row!.totpSecret && !row!.totpSecret.includes(retryKey), "the secret is stored encrypted");
  });

  it("asks for the code at every sign-in, and never accepts the same code twice", async () => {
    const { id, twoFactorKey, email } = await signedInClient(app, "safeguarding-lead");
    assert.ok(twoFactorKey);
    const used = codeFor(twoFactorKey!);
    const client = new PageClient(app);
    await client.get("/staff/sign-in");
    const signedIn = await client.post("/staff/sign-in", { email, password: "correct horse battery staple", next: "/staff" });
    assert.match(String(signedIn.headers.location), /^\/staff\/sign-in\/code/);
    assert.equal((await client.get("/staff")).headers.location, "/staff/sign-in/code");
    await client.get("/staff/sign-in/code");
    const replay = await client.post("/staff/sign-in/code", { code: used, next: "/staff" });
    assert.equal(replay.statusCode, 401, "a code already used in this 30-second step is refused");
    assert.match(replay.body, /wrong or has already been used/);
    await app.services.auth.resetTwoFactor(id);
    const after = await client.get("/staff");
    assert.equal(after.statusCode, 302, "a reset ends the person's sessions");
  });

  /** Signs in with the password only, as far as the code page. */
  async function halfSignedIn(email: string, remoteAddress?: string): Promise<PageClient> {
    const client = new PageClient(app, {}, remoteAddress);
    await client.get("/staff/sign-in");
    const response = await client.post("/staff/sign-in", { email, password: "correct horse battery staple", next: "/staff" });
    assert.match(String(response.headers.location), /^\/staff\/sign-in\/code/);
    await client.get("/staff/sign-in/code");
    return client;
  }

  /** A 6-digit code that no step near now makes. */
  function wrongCode(key: string): string {
    const valid = [-30_000, 0, 30_000].map((offset) => codeFor(key, new Date(Date.now() + offset)));
    return ["000000", "111111", "222222", "333333"].find((code) => !valid.includes(code))!;
  }

  it("limits second-factor codes per session and per account, from however many addresses they come", async () => {
    await awayFromWindowEdges();
    const { email, twoFactorKey } = await signedInClient(app, "safeguarding-lead");
    const wrong = wrongCode(twoFactorKey!);
    const one = await halfSignedIn(email, "198.51.100.1");
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      await one.get("/staff/sign-in/code");
      statuses.push((await one.post("/staff/sign-in/code", { code: wrong, next: "/staff" })).statusCode);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429], "a session has five tries");

    let checked = 5;
    for (let address = 2; address <= 12; address++) {
      const client = await halfSignedIn(email, `198.51.100.${address}`);
      for (let i = 0; i < 10; i++) {
        await client.get("/staff/sign-in/code");
        const status = (await client.post("/staff/sign-in/code", { code: wrong, next: "/staff" })).statusCode;
        if (status !== 401) {
          assert.equal(status, 429);
          break;
        }
        checked++;
      }
    }
    assert.ok(checked <= 10, `an account has ten tries in a quarter of an hour, whatever the address (${checked} were checked)`);
    const last = await halfSignedIn(email, "198.51.100.13");
    const right = await last.post("/staff/sign-in/code", { code: codeFor(twoFactorKey!), next: "/staff" });
    assert.equal(right.statusCode, 429, "once the account's tries are spent even the right code waits");
    assert.match(right.body, /Too many codes have been tried for this account/);
  });

  it("accepts a code once, even when it reaches five half-signed-in sessions at the same moment", async () => {
    const { email, twoFactorKey } = await signedInClient(app, "safeguarding-lead");
    const sessions = await Promise.all(Array.from({ length: 5 }, () => halfSignedIn(email)));
    // The next step's code: the current one was spent signing in above.
    const code = codeFor(twoFactorKey!, new Date(Date.now() + 30_000));
    const answers = await Promise.all(sessions.map((client) => client.post("/staff/sign-in/code", { code, next: "/staff" })));
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [302, 401, 401, 401, 401]);
  });
});
