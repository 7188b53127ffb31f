/**
 * JSON with object keys sorted: equal values give equal text whatever their key order. Immutable
 * field checks and the apiserver's bootstrap compare objects with it.
 */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
