// How long openbeat keeps each kind of record (docs/retention.md explains the choices).
// Configurable per deployment with OPENBEAT_RETENTION_<NAME>_DAYS.

export const RETENTION_DEFAULTS_DAYS = {
  /** A resident's email, after their report is closed (the reopen window is 28 days). */
  contactAfterClosure: 90,
  /** A closed report's free text, exact point and vehicle words, after closure; counts and the H3 cell remain. */
  reportDetailAfterClosure: 365,
  /** The exact point of an engagement or enforcement action; the H3 cell remains. */
  activityPoint: 365,
  /** Audit events are sealed into a segment once a month is over... */
  auditSealAfter: 31,
  /** ...and whole sealed segments expire after six years. */
  auditExpireAfter: 6 * 365,
} as const;

export type RetentionPolicy = Record<keyof typeof RETENTION_DEFAULTS_DAYS, number>;

export function retentionPolicy(environment: NodeJS.ProcessEnv = process.env): RetentionPolicy {
  const policy = { ...RETENTION_DEFAULTS_DAYS } as RetentionPolicy;
  for (const key of Object.keys(policy) as Array<keyof RetentionPolicy>) {
    const name = `OPENBEAT_RETENTION_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}_DAYS`;
    const value = environment[name];
    if (value !== undefined) {
      const days = Number(value);
      if (!Number.isInteger(days) || days < 1) throw new Error(`${name} must be a whole number of days, 1 or more`);
      policy[key] = days;
    }
  }
  return policy;
}

export function daysBefore(now: Date, days: number): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString();
}
