/**
 * Where webhooks may be sent. A webhook URL is chosen by API users, so without a policy it can make
 * the server call the cloud metadata service (169.254.169.254, credentials) or other link-local
 * hosts. Refused always: link-local 169.254.0.0/16 and fe80::/10, the metadata addresses and
 * hostnames. Refused by setting: loopback (127.0.0.0/8, ::1, localhost) and private ranges.
 *
 * Addresses are compared after the WHATWG URL parser normalised them, which turns the decimal
 * (http://2852039166/), hex (http://0xa9fea9fe/) and octal (http://0251.0376.0251.0376/) forms
 * of an IPv4 address into the dotted form; IPv4-mapped IPv6 (::ffff:a9fe:a9fe) is unwrapped
 * here. At send time the host's resolved addresses are checked again (checkResolved), so a name
 * that points at a refused address is refused too (a DNS answer that changes between that check
 * and the connection is not covered).
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

export interface DestinationPolicyOptions {
  /** Allow 127.0.0.0/8, ::1 and localhost (tests, a local relay). */
  allowLoopback: boolean;
  /** Allow 10/8, 172.16/12, 192.168/16, 100.64/10 and fc00::/7. */
  allowPrivate: boolean;
}

const METADATA_HOSTS = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
]);

function alwaysRefused(): BlockList {
  const list = new BlockList();
  list.addSubnet('169.254.0.0', 16, 'ipv4');
  list.addSubnet('fe80::', 10, 'ipv6');
  list.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6
  list.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
  list.addSubnet('0.0.0.0', 8, 'ipv4');
  list.addAddress('::', 'ipv6');
  return list;
}

function loopback(): BlockList {
  const list = new BlockList();
  list.addSubnet('127.0.0.0', 8, 'ipv4');
  list.addAddress('::1', 'ipv6');
  return list;
}

function privateRanges(): BlockList {
  const list = new BlockList();
  list.addSubnet('10.0.0.0', 8, 'ipv4');
  list.addSubnet('172.16.0.0', 12, 'ipv4');
  list.addSubnet('192.168.0.0', 16, 'ipv4');
  list.addSubnet('100.64.0.0', 10, 'ipv4');
  list.addSubnet('fc00::', 7, 'ipv6');
  return list;
}

/** `::ffff:a9fe:a9fe` and `::ffff:169.254.169.254` → `169.254.169.254`. */
function unmapped(address: string): string {
  const match = /^::ffff:(?:([0-9a-f]{1,4}):([0-9a-f]{1,4})|(\d+\.\d+\.\d+\.\d+))$/i.exec(address);
  if (!match) return address;
  if (match[3]) return match[3];
  const high = parseInt(match[1]!, 16);
  const low = parseInt(match[2]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

export class DestinationPolicy {
  readonly #refused = alwaysRefused();
  readonly #loopback = loopback();
  readonly #private = privateRanges();

  constructor(private readonly options: DestinationPolicyOptions) {}

  /** Why an address may not be called, or undefined when it may. */
  addressProblem(address: string): string | undefined {
    const ip = unmapped(address.replace(/^\[|\]$/g, '').toLowerCase());
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    if (isIP(ip) === 0) return undefined;
    if (this.#refused.check(ip, family)) return `${ip} is a link-local, metadata or unspecified address`;
    if (!this.options.allowLoopback && this.#loopback.check(ip, family)) return `${ip} is a loopback address`;
    if (!this.options.allowPrivate && this.#private.check(ip, family)) return `${ip} is a private address`;
    return undefined;
  }

  /** Why a URL may not be called (checked without DNS), or undefined when it may. */
  urlProblem(value: string): string | undefined {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return 'is not a URL';
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
    if (url.username !== '' || url.password !== '') return 'must not carry a user name or password';
    const host = url.hostname.toLowerCase().replace(/\.$/, '');
    if (METADATA_HOSTS.has(host)) return `${host} is a cloud metadata host`;
    if (!this.options.allowLoopback && (host === 'localhost' || host.endsWith('.localhost'))) {
      return `${host} is a loopback host`;
    }
    return this.addressProblem(host);
  }

  /** urlProblem, then every address the host resolves to (at send time). */
  async resolvedProblem(value: string): Promise<string | undefined> {
    const problem = this.urlProblem(value);
    if (problem) return problem;
    const host = new URL(value).hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0) return undefined;
    const addresses = await lookup(host, { all: true });
    for (const { address } of addresses) {
      const found = this.addressProblem(address);
      if (found) return `${host} resolves to ${found}`;
    }
    return undefined;
  }
}
