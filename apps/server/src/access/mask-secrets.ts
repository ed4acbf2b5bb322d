/**
 * What the audit log keeps of a resource: the resource as the API shows it (task configs are
 * already masked by their job type, see TaskService.shownConfig), and anything else whose key
 * names a secret masked here as well, so a token shown once in full, a password or a stored
 * hash never reaches the log.
 */

const SECRET_KEY = /token|secret|passw|api[-_]?key|authorization|hash|cookie|credential/i;

/** Keeps a hint of a secret string (its last four characters when it is long), masks the rest. */
const masked = (value: unknown): unknown => {
  if (typeof value !== 'string') return value === null || value === undefined ? value : '****';
  if (value.includes('****')) return value;
  return value.length >= 16 ? `****${value.slice(-4)}` : '****';
};

export function maskSecrets(value: unknown, depth = 0): unknown {
  if (depth > 32) return '…';
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && !/hint$/i.test(key) ? masked(v) : maskSecrets(v, depth + 1);
  }
  return out;
}
