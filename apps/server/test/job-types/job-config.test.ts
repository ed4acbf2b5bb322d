import { describe, expect, it } from 'vitest';
import { KairosError } from '../../src/errors.js';
import { httpJobType } from '../../src/job-types/http.js';
import { parseJobConfig } from '../../src/job-types/job-config.js';
import type { JobType } from '../../src/job-types/job-type.js';
import { scriptJobType } from '../../src/job-types/script.js';

function refusal(type: JobType, config: unknown): { message: string; field: string | undefined } {
  try {
    parseJobConfig(type, config);
  } catch (error) {
    expect(error).toBeInstanceOf(KairosError);
    const kairos = error as KairosError;
    expect(kairos.code).toBe('INVALID_CONFIG');
    expect(kairos.status).toBe(400);
    return { message: kairos.message, field: kairos.field };
  }
  throw new Error('expected the config to be refused');
}

describe('parseJobConfig', () => {
  it('fills in the documented defaults', () => {
    expect(parseJobConfig(httpJobType, { url: 'https://example.com/hook' })).toEqual({
      method: 'GET',
      url: 'https://example.com/hook',
      maxResponseBytes: 65536,
    });
    expect(parseJobConfig(scriptJobType, { language: 'shell', source: 'true' })).toEqual({
      language: 'shell',
      source: 'true',
    });
  });

  it.each([
    [{ url: 'ftp://example.com/file' }, 'config.url', 'config.url: must use http or https, not ftp'],
    [
      { url: 'example.com/hook' },
      'config.url',
      'config.url: must be an absolute URL such as https://example.com/hook',
    ],
    [{}, 'config.url', 'config.url: is required'],
    [{ url: 42 }, 'config.url', 'config.url: must be a string, not a number'],
    [
      { url: 'https://e.com', method: 'get' },
      'config.method',
      'config.method: must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS',
    ],
    [
      { url: 'https://e.com', timeout: 5 },
      'config.timeout',
      'config.timeout: is not a setting of the "http" job type',
    ],
    [
      { url: 'https://e.com', maxResponseBytes: 2 * 1024 * 1024 },
      'config.maxResponseBytes',
      'config.maxResponseBytes: must be at most 1048576 (1 MiB)',
    ],
    [
      { url: 'https://e.com', body: { a: 1 } },
      'config.body',
      'config.body: is not allowed with GET; use POST, PUT or PATCH',
    ],
    [
      { url: 'https://e.com', headers: { Host: 'other.example' } },
      'config.headers.Host',
      'config.headers.Host: header Host is taken from the URL; remove it',
    ],
    [
      { url: 'https://e.com', headers: { 'bad header': 'x' } },
      'config.headers.bad header',
      'config.headers.bad header: must be a valid HTTP header name (letters, digits, "-")',
    ],
    [
      { url: 'https://e.com', headers: { 'X-A': 'one\r\nX-Injected: two' } },
      'config.headers.X-A',
      'config.headers.X-A: must not contain CR, LF or NUL',
    ],
    [
      { url: 'https://e.com', expectStatus: [200, 700] },
      'config.expectStatus.1',
      'config.expectStatus.1: must be an HTTP status from 100 to 599',
    ],
    [
      { url: 'https://e.com', expectStatus: '2xx' },
      'config.expectStatus',
      'config.expectStatus: must be an HTTP status (100-599) or a non-empty list of them',
    ],
    ['https://e.com', 'config', 'config: must be an object, not a string'],
  ])('refuses the http config %j naming %s', (config, field, message) => {
    expect(refusal(httpJobType, config)).toEqual({ field, message });
  });

  it.each([
    [
      { language: 'ruby', source: 'puts 1' },
      'config.language',
      'config.language: must be one of shell, python, node',
    ],
    [{ language: 'shell' }, 'config.source', 'config.source: is required'],
    [{ language: 'shell', source: '' }, 'config.source', 'config.source: must not be empty'],
    [
      { language: 'shell', source: '#'.repeat(256 * 1024 + 1) },
      'config.source',
      'config.source: must be at most 256 KiB',
    ],
    [
      { language: 'shell', source: 'true', args: ['ok', 1] },
      'config.args.1',
      'config.args.1: must be a string, not a number',
    ],
    [
      { language: 'shell', source: 'true', env: { KAIROS_RUN_ID: '9' } },
      'config.env.KAIROS_RUN_ID',
      'config.env.KAIROS_RUN_ID: KAIROS_* names are reserved for the variables Kairos sets',
    ],
    [
      { language: 'shell', source: 'true', env: { '1BAD': 'x' } },
      'config.env.1BAD',
      'config.env.1BAD: must be a variable name: letters, digits and "_", not starting with a digit',
    ],
    [
      { language: 'shell', source: 'true', cwd: '/srv' },
      'config.cwd',
      'config.cwd: is not a setting of the "script" job type',
    ],
  ])('refuses the script config %j naming %s', (config, field, message) => {
    expect(refusal(scriptJobType, config)).toEqual({ field, message });
  });
});
