import { describe, expect, it } from 'vitest';
import { KairosError } from '../../src/errors.js';
import { httpJobType } from '../../src/job-types/http.js';
import { builtInJobTypes, JobTypeRegistry } from '../../src/job-types/registry.js';
import { scriptJobType } from '../../src/job-types/script.js';

describe('JobTypeRegistry', () => {
  it('holds the built-in types by name', () => {
    const registry = new JobTypeRegistry(builtInJobTypes());
    expect(registry.names()).toEqual(['http', 'script']);
    expect(registry.get('http')).toBe(httpJobType);
    expect(registry.get('script')).toBe(scriptJobType);
    expect(registry.get('dify')).toBeUndefined();
  });

  it('refuses a second type with a taken name', () => {
    const registry = new JobTypeRegistry([httpJobType]);
    expect(() => registry.register(httpJobType)).toThrow('job type "http" is already registered');
  });

  it('names the known types when a task asks for an unknown one', () => {
    const registry = new JobTypeRegistry(builtInJobTypes());
    const error = (() => {
      try {
        registry.require('dify');
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(KairosError);
    expect(error).toMatchObject({
      code: 'UNKNOWN_JOB_TYPE',
      field: 'type',
      message: 'unknown job type "dify"; known types: http, script',
    });
  });
});
