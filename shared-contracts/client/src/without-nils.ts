/**
 * A hub payload with every `null` field left out. JSON omits an optional field that has no value; MessagePack
 * sends it as nil, which decodes to `null`: both reach callers the same way, as an absent field.
 */
export function withoutNils<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutNils) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== null) out[key] = withoutNils(field);
  }
  return out as T;
}
