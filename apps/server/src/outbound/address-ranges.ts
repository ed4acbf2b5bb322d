/**
 * The address ranges the outbound destination policy reasons about, and the one canonical
 * spelling it compares: every form an IPv4 address can take in a URL (decimal `2852039166`, hex
 * `0xa9fea9fe`, octal `0251.0376.0251.0376`) is turned into the dotted form by the WHATWG URL
 * parser before it gets here, and IPv6 forms that carry an IPv4 address (mapped `::ffff:a9fe:a9fe`,
 * compatible `::a9fe:a9fe`, NAT64 `64:ff9b::a9fe:a9fe`) are unwrapped here, so that one IPv4 rule
 * covers them all.
 */
import { BlockList, isIP } from 'node:net';

/** Names of cloud metadata services, refused whatever they resolve to. */
export const METADATA_HOSTS: ReadonlySet<string> = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.com',
  'instance-data',
  'instance-data.ec2.internal',
]);

/**
 * Refused by default: link-local (where the AWS, GCP, Azure and OpenStack metadata services
 * answer, 169.254.169.254), the other clouds' metadata addresses, and the unspecified addresses
 * (connecting to 0.0.0.0 reaches the local host on Linux).
 */
export const DEFAULT_REFUSED: readonly string[] = [
  '169.254.0.0/16',
  'fe80::/10',
  'fd00:ec2::254/128', // AWS metadata over IPv6
  '100.100.100.200/32', // Alibaba Cloud metadata
  '0.0.0.0/8',
  '::/128',
];

/** Loopback and private ranges: allowed by default (internal endpoints are the common case). */
export const LOOPBACK_RANGES: readonly string[] = ['127.0.0.0/8', '::1/128'];
export const PRIVATE_RANGES: readonly string[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  'fc00::/7',
];

/** The canonical form of an address (brackets dropped, lower case, IPv4 inside IPv6 unwrapped), or undefined when it is not an IP address. */
export function canonicalAddress(text: string): string | undefined {
  const bare = text.replace(/^\[|\]$/g, '').toLowerCase();
  const kind = isIP(bare);
  if (kind === 0) return undefined;
  if (kind === 4) return bare;
  return embeddedIpv4(bare) ?? bare;
}

/** `::ffff:a9fe:a9fe`, `::ffff:169.254.169.254`, `::a9fe:a9fe`, `64:ff9b::a9fe:a9fe` → `169.254.169.254`. */
function embeddedIpv4(ipv6: string): string | undefined {
  const match = /^(?:::ffff:|::|64:ff9b::)(?:([0-9a-f]{1,4}):([0-9a-f]{1,4})|(\d+\.\d+\.\d+\.\d+))$/.exec(
    ipv6,
  );
  if (!match) return undefined;
  if (match[3] !== undefined) return match[3];
  const high = parseInt(match[1]!, 16);
  const low = parseInt(match[2]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** Why a CIDR (or a bare address) is not valid, or undefined. */
export function cidrProblem(text: string): string | undefined {
  const [address, prefix, ...rest] = text.split('/');
  if (rest.length > 0 || address === undefined) return 'must be a CIDR such as 10.0.0.0/8 or fd00::/8';
  const kind = isIP(address);
  if (kind === 0) return `${address} is not an IPv4 or IPv6 address`;
  if (prefix === undefined) return undefined;
  const bits = Number(prefix);
  const max = kind === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || bits > max) return `the prefix length must be 0 to ${max}`;
  return undefined;
}

/** A set of CIDRs to test addresses against. Throws on an invalid CIDR (check with cidrProblem first). */
export class AddressRanges {
  readonly #list = new BlockList();
  readonly cidrs: readonly string[];

  constructor(cidrs: readonly string[]) {
    this.cidrs = cidrs;
    for (const cidr of cidrs) {
      const problem = cidrProblem(cidr);
      if (problem !== undefined) throw new Error(`${cidr}: ${problem}`);
      const [address, prefix] = cidr.split('/') as [string, string | undefined];
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      const canonical = canonicalAddress(address) ?? address;
      const canonicalFamily = isIP(canonical) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.#list.addAddress(canonical, canonicalFamily);
      else if (canonicalFamily !== family) {
        // An IPv4-mapped range (::ffff:10.0.0.0/104) is the IPv4 range it maps.
        this.#list.addSubnet(canonical, Math.max(0, Number(prefix) - 96), 'ipv4');
      } else this.#list.addSubnet(canonical, Number(prefix), family);
    }
  }

  /** Whether a canonical address (canonicalAddress) lies in one of the ranges. */
  has(canonical: string): boolean {
    return this.#list.check(canonical, isIP(canonical) === 6 ? 'ipv6' : 'ipv4');
  }
}
