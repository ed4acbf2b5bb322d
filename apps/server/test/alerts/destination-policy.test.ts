import { describe, expect, it } from 'vitest';
import { DestinationPolicy } from '../../src/alerts/destination-policy.js';

describe('DestinationPolicy', () => {
  const open = new DestinationPolicy({ allowLoopback: true, allowPrivate: true });
  const strict = new DestinationPolicy({ allowLoopback: false, allowPrivate: false });

  it('always refuses link-local and metadata addresses, in every spelling', () => {
    for (const url of [
      'http://169.254.169.254/',
      'http://169.254.1.1:8080/x',
      'http://2852039166/',
      'http://0xA9FEA9FE/',
      'http://0251.0376.0251.0376/',
      'http://0xa9.0xfe.0xa9.0xfe/',
      'http://[fe80::1%25eth0]/',
      'http://[FE80::abcd]/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://[fd00:ec2::254]/',
      'http://metadata.google.internal./',
      'http://METADATA/',
      'http://0.0.0.0/',
    ]) {
      expect(open.urlProblem(url), url).toBeDefined();
    }
  });

  it('allows public, loopback and private destinations by default; refuses them by setting', () => {
    for (const url of [
      'https://hooks.slack.com/services/x',
      'http://127.0.0.1:9/x',
      'http://10.1.2.3/',
      'http://[::1]/',
    ]) {
      expect(open.urlProblem(url), url).toBeUndefined();
    }
    for (const url of [
      'http://127.0.0.1/',
      'http://2130706433/',
      'http://localhost/',
      'http://[::1]/',
      'http://192.168.1.1/',
      'http://[fd12::1]/',
    ]) {
      expect(strict.urlProblem(url), url).toBeDefined();
    }
    expect(strict.urlProblem('https://example.com/hook')).toBeUndefined();
  });

  it('refuses a host name that resolves to a refused address when sending', async () => {
    expect(await strict.resolvedProblem('http://localhost:9/x')).toBeDefined();
    expect(await open.resolvedProblem('http://localhost:9/x')).toBeUndefined();
  });
});
