/**
 * The secrets of an `http` task config: header values that are credentials (Authorization,
 * Proxy-Authorization, Cookie, X-Api-Key, and any header the task lists in `secretHeaders`) are
 * stored sealed (SecretBox) and shown masked; credentials in the URL (`https://user:pass@host/`)
 * become a sealed `Authorization: Basic …` header when the task is saved (fetch refuses URLs with
 * credentials, and a URL is logged); a value may also be a named secret (`{"$secret": "name"}`),
 * resolved when the run starts. The values a run opened are scrubbed from its log lines.
 */
import { KairosError } from '../errors.js';
import { isSecretRef } from '../secrets/named-secrets.js';
import { SecretBox } from '../secrets/secret-box.js';

/** Header names whose values are always treated as secrets (lower case). */
export const SECRET_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
]);

export type HeaderValue = string | { $secret: string };

interface SecretFields {
  url: string;
  headers?: Record<string, HeaderValue> | undefined;
  secretHeaders?: string[] | undefined;
}

/** Resolves a named secret of the run's namespace. */
export interface NamedSecretResolver {
  resolve(namespaceId: number, name: string): Promise<string>;
}

const isSecretHeader = (name: string, config: SecretFields): boolean =>
  SECRET_HEADERS.has(name.toLowerCase()) ||
  (config.secretHeaders ?? []).some((marked) => marked.toLowerCase() === name.toLowerCase());

/** The stored form: URL credentials moved to a header, secret header values sealed. */
export function sealHttpSecrets<C extends SecretFields>(
  config: C,
  previous: C | undefined,
  box: SecretBox,
): C {
  const headers: Record<string, HeaderValue> = { ...config.headers };
  const url = new URL(config.url);
  let storedUrl = config.url;
  if (url.username !== '' || url.password !== '') {
    if (Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) {
      throw new KairosError(
        'INVALID_CONFIG',
        'config.url: carries credentials (user:password@) and config.headers has an Authorization header; keep one',
        { field: 'config.url' },
      );
    }
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
    url.username = '';
    url.password = '';
    storedUrl = url.href;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string' || !isSecretHeader(name, config)) continue;
    if (SecretBox.isSealed(value) || SecretBox.isMasked(value)) {
      // A read's masked value sent back unchanged keeps the stored one (sealed now if it was
      // stored in clear by a version before secrets were sealed).
      const kept = previousValue(previous, name);
      if (
        kept !== undefined &&
        SecretBox.isSealed(kept) &&
        (value === kept || value === SecretBox.maskOf(kept))
      ) {
        headers[name] = kept;
        continue;
      }
      if (kept !== undefined && !SecretBox.isSealed(kept) && value === SecretBox.mask(kept)) {
        headers[name] = box.seal(kept);
        continue;
      }
      throw new KairosError(
        'INVALID_CONFIG',
        `config.headers.${name}: send the value itself, not its masked form`,
        { field: `config.headers.${name}` },
      );
    }
    headers[name] = box.seal(value);
  }
  return { ...config, url: storedUrl, ...(config.headers || storedUrl !== config.url ? { headers } : {}) };
}

function previousValue(previous: SecretFields | undefined, name: string): string | undefined {
  for (const [key, value] of Object.entries(previous?.headers ?? {})) {
    if (key.toLowerCase() === name.toLowerCase() && typeof value === 'string') return value;
  }
  return undefined;
}

/**
 * The config as reads show it: sealed values masked, and secret headers stored in clear (by a
 * version before secrets were sealed) masked too; named references are shown as they are.
 */
export function maskHttpSecrets<C extends SecretFields>(stored: C): C {
  if (!stored.headers) return stored;
  const shown = (name: string, value: HeaderValue): HeaderValue => {
    if (typeof value !== 'string') return value;
    if (SecretBox.isSealed(value)) return SecretBox.maskOf(value);
    return isSecretHeader(name, stored) ? SecretBox.mask(value) : value;
  };
  const headers = Object.fromEntries(
    Object.entries(stored.headers).map(([name, value]) => [name, shown(name, value)]),
  );
  return { ...stored, headers };
}

/**
 * The headers to send, opened and resolved, and the secret values they hold (to scrub from logs).
 * Throws an Error naming the header (never the value) when a value cannot be opened or resolved.
 */
export async function openHttpHeaders(
  headers: Record<string, HeaderValue> | undefined,
  namespaceId: number,
  box: SecretBox | undefined,
  named: NamedSecretResolver | undefined,
): Promise<{ headers: Record<string, string>; secrets: string[] }> {
  const opened: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (isSecretRef(value)) {
      if (!named) throw new Error(`header ${name}: named secrets are not available on this server`);
      opened[name] = await named.resolve(namespaceId, value.$secret);
      secrets.push(opened[name]);
    } else if (SecretBox.isSealed(value)) {
      if (!box) throw new Error(`header ${name}: the value is sealed and this server has no secret key`);
      opened[name] = box.open(value);
      secrets.push(opened[name]);
    } else {
      opened[name] = value;
    }
  }
  return { headers: opened, secrets };
}

/** Replaces every secret value (and its Basic-decoded form) in text with `****`. */
export function scrubber(secrets: readonly string[]): (text: string) => string {
  const values = new Set<string>();
  for (const secret of secrets) {
    if (secret.length >= 4) values.add(secret);
    const basic = /^Basic\s+(.+)$/i.exec(secret)?.[1];
    if (basic) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8');
      const password = decoded.slice(decoded.indexOf(':') + 1);
      if (password.length >= 4) values.add(password);
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(secret)?.[1];
    if (bearer && bearer.length >= 4) values.add(bearer);
  }
  if (values.size === 0) return (text) => text;
  const list = [...values].sort((a, b) => b.length - a.length);
  return (text) => list.reduce((out, value) => out.split(value).join('****'), text);
}
