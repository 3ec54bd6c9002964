// A value that has been through the disclosure gate. Only this module can make one: the brand is
// a symbol no other module can name, and a guard test (disclosure.guard.test.ts) fails if any
// file outside src/modules/disclosure imports `publish` or casts to Published. The dashboard,
// Open311, the alerts, the feeds, the exports and the public API take only Published values.
declare const gate: unique symbol;

export type Published<T> = T & { readonly [gate]: true };

export function publish<T>(value: T): Published<T> {
  return value as Published<T>;
}
