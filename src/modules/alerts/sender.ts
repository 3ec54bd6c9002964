// The loop that turns public updates into alerts and sends the mail queue, started by `serve`.
// Every instance may run it: leases and cursors in the database keep each message to one send.
import type { Services } from "../../services.ts";

export interface Logger {
  error(object: unknown, message?: string): void;
  warn(object: unknown, message?: string): void;
}

/** One pass: queue new alerts, erase unconfirmed subscriptions past their time, send what is due. */
export async function runMailOnce(services: Services, now: Date = new Date()) {
  const queued = await services.alerts.dispatch(now);
  await services.alerts.expirePending(now);
  const sent = await services.mail.sendDue(now);
  return { queued, ...sent };
}

export function startMailSender(services: Services, logger: Logger, intervalMs = 15_000): { stop(): Promise<void> } {
  if (services.config.smtpUrl && !services.config.publicUrl) {
    logger.warn({}, "OPENBEAT_SMTP_URL is set but OPENBEAT_PUBLIC_URL is not: links in alert emails will point at localhost");
  }
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = runMailOnce(services)
      .then(() => undefined)
      .catch((error: Error) => logger.error({ err: { message: error.message } }, "mail sender pass failed"))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, 1000);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
