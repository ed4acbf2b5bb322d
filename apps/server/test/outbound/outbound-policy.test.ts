import { lookup } from 'node:dns';
import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { OutboundPolicy } from '../../src/outbound/outbound-policy.js';
import type { HostResolver } from '../../src/outbound/outbound-policy.js';

/** A stand-in DNS: names the tests make up, resolved without the network. */
const zone: Record<string, LookupAddress[]> = {
  '169.254.169.254.nip.io': [{ address: '169.254.169.254', family: 4 }],
  'mapped.test': [{ address: '::ffff:169.254.169.254', family: 6 }],
  'mixed.test': [
    { address: '93.184.216.34', family: 4 },
    { address: 'fe80::1', family: 6 },
  ],
  'public.test': [{ address: '93.184.216.34', family: 4 }],
  'intranet.test': [{ address: '10.1.2.3', family: 4 }],
};
const resolver: HostResolver = async (host) => {
  const found = zone[host];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return found;
};

const REFUSED_BY_DEFAULT = [
  'http://169.254.169.254/latest/meta-data/',
  'http://169.254.1.1:8080/x',
  'http://2852039166/', // decimal
  'http://0xA9FEA9FE/', // hex
  'http://0xa9fea9fe/',
  'http://0251.0376.0251.0376/', // octal
  'http://0xa9.0xfe.0xa9.0xfe/',
  'http://169.254.43518/', // a.b.c with a 16-bit tail
  'http://[fe80::1]/',
  'http://[fe80::1%25eth0]/',
  'http://[FE80::abcd]/',
  'http://[::ffff:a9fe:a9fe]/', // IPv4-mapped IPv6
  'http://[::ffff:169.254.169.254]/',
  'http://[64:ff9b::a9fe:a9fe]/', // NAT64
  'http://[fd00:ec2::254]/', // AWS over IPv6
  'http://100.100.100.200/', // Alibaba Cloud
  'http://metadata.google.internal./',
  'http://METADATA.GOOGLE.INTERNAL/computeMetadata/v1/',
  'http://metadata/',
  'http://0.0.0.0/',
  'http://0/',
];

describe('OutboundPolicy', () => {
  const policy = new OutboundPolicy(undefined, resolver);

  it('refuses link-local and metadata addresses by default, in every spelling', () => {
    for (const url of REFUSED_BY_DEFAULT) expect(policy.server.urlProblem(url), url).toBeDefined();
  });

  it('allows public, loopback and private destinations by default', () => {
    for (const url of [
      'https://hooks.slack.com/services/x',
      'http://127.0.0.1:9/x',
      'http://localhost:8080/',
      'http://10.1.2.3/',
      'http://192.168.0.10/',
      'http://[::1]/',
      'http://[fd12::1]/',
    ]) {
      expect(policy.server.urlProblem(url), url).toBeUndefined();
    }
  });

  it('refuses a name that resolves to a refused address, whichever answer it is', async () => {
    expect(await policy.server.resolvedProblem('http://169.254.169.254.nip.io/')).toMatch(
      /resolves to 169\.254\.169\.254/,
    );
    expect(await policy.server.resolvedProblem('http://mapped.test/')).toMatch(/169\.254\.169\.254/);
    expect(await policy.server.resolvedProblem('http://mixed.test/')).toMatch(/fe80::1/);
    expect(await policy.server.resolvedProblem('http://public.test/')).toBeUndefined();
  });

  it('server deny lists add refusals and allow lists make exceptions', () => {
    const strict = new OutboundPolicy(
      { deny: ['127.0.0.0/8', '::1/128', '10.0.0.0/8'], allow: ['10.9.0.0/16', '169.254.10.5/32'] },
      resolver,
    );
    expect(strict.server.urlProblem('http://127.0.0.1/')).toMatch(/refused by the server/);
    expect(strict.server.urlProblem('http://2130706433/')).toBeDefined();
    expect(strict.server.urlProblem('http://[::ffff:7f00:1]/')).toBeDefined();
    expect(strict.server.urlProblem('http://localhost/')).toMatch(/loopback/);
    expect(strict.server.urlProblem('http://10.1.2.3/')).toBeDefined();
    expect(strict.server.urlProblem('http://10.9.1.1/')).toBeUndefined();
    expect(strict.server.urlProblem('http://169.254.10.5/')).toBeUndefined();
    expect(strict.server.urlProblem('http://169.254.169.254/')).toBeDefined();
  });

  it("a namespace's rules narrow the server's and never widen them", async () => {
    const namespaced = policy.guard({
      deny: ['10.0.0.0/8', '169.254.0.0/16'],
      allow: ['10.5.0.0/16', '169.254.169.254/32'],
    });
    expect(namespaced.urlProblem('http://10.1.2.3/')).toMatch(/namespace/);
    expect(namespaced.urlProblem('http://10.5.0.1/')).toBeUndefined();
    expect(namespaced.urlProblem('http://169.254.169.254/')).toMatch(/refused by the server/);
    expect(await namespaced.resolvedProblem('http://intranet.test/')).toMatch(/10\.1\.2\.3/);
    expect(policy.server.urlProblem('http://10.1.2.3/')).toBeUndefined();
  });

  it('its lookup resolves like dns.lookup and fails with EDESTINATIONREFUSED on a refused answer', async () => {
    const call = (host: string, all: boolean) =>
      new Promise<{ error: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
        policy.server.lookup(host, { all }, (error, address) => resolve({ error, address })),
      );
    expect(await call('public.test', false)).toEqual({ error: null, address: '93.184.216.34' });
    expect((await call('public.test', true)).address).toEqual([{ address: '93.184.216.34', family: 4 }]);
    const refused = await call('169.254.169.254.nip.io', true);
    expect(refused.error?.code).toBe('EDESTINATIONREFUSED');
    expect((await call('metadata.google.internal', false)).error?.code).toBe('EDESTINATIONREFUSED');
    expect((await call('unknown.test', false)).error?.code).toBe('ENOTFOUND');
  });

  it('uses the system resolver by default', async () => {
    const system = new OutboundPolicy();
    const resolved = await new Promise<string>((resolve, reject) =>
      lookup('localhost', (error, address) => (error ? reject(error) : resolve(address))),
    );
    expect(system.server.addressProblem(resolved)).toBeUndefined();
    expect(await system.server.resolvedProblem('http://localhost:9/')).toBeUndefined();
  });
});
