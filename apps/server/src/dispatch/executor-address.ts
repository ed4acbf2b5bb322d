/**
 * Which executor addresses Kairos agrees to call. An address is where Kairos sends the app's
 * token and a job, so a manual list (or a registration) must not point it at a cloud metadata
 * service or a link-local address (XXL-JOB's SSRF reports #3375, CVE-2025-7787): only http(s),
 * never 169.254.0.0/16, fe80::/10 or the well-known metadata names.
 */
import { isIP } from 'node:net';
import { normaliseExecutorAddress } from './xxl-protocol.js';

const METADATA_HOSTS = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
  '100.100.100.200', // Alibaba Cloud
  'fd00:ec2::254', // AWS over IPv6
]);

/** The reason the address is refused, or undefined when it may be called. */
export function refuseExecutorAddress(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(normaliseExecutorAddress(text));
  } catch {
    return 'is not a URL such as http://10.0.0.12:9999';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `must use http or https, not ${url.protocol.slice(0, -1)}`;
  }
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  if (url.search !== '' || url.hash !== '')
    return 'must not have a query or fragment (the executor matches paths exactly)';
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (METADATA_HOSTS.has(host)) return `points at a cloud metadata service (${host})`;
  if (isLinkLocal(host)) return `is link-local (${host}); link-local and metadata addresses are refused`;
  return undefined;
}

function isLinkLocal(host: string): boolean {
  const kind = isIP(host);
  if (kind === 4) return host.startsWith('169.254.');
  if (kind === 6) {
    if (/^fe[89ab][0-9a-f]:/.test(host)) return true;
    // IPv4-mapped (::ffff:169.254.x.x, which URL writes as ::ffff:a9fe:xxxx).
    return /^::ffff:(169\.254\.|a9fe:)/.test(host);
  }
  return false;
}
