/**
 * Which executor addresses Kairos agrees to call. An address is where Kairos sends the app's
 * token and a job, so a manual list (or a registration) must not point it at a cloud metadata
 * service or a link-local address (XXL-JOB's SSRF reports #3375, CVE-2025-7787): only http(s),
 * without credentials, query or fragment, and a destination the outbound policy of the app's
 * namespace allows (outbound/outbound-policy.ts; every call is checked again at connect time,
 * on the address the name resolves to).
 */
import type { DestinationGuard } from '../../outbound/outbound-policy.js';
import { normaliseExecutorAddress } from './xxl-protocol.js';

/** The reason the address is refused, or undefined when it may be called. */
export function refuseExecutorAddress(text: string, guard: DestinationGuard): string | undefined {
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
  const refused = guard.urlProblem(url.href);
  return refused === undefined ? undefined : `is refused by the outbound destination policy: ${refused}`;
}
