/**
 * JSON Schema validation for output gates, with ajv 8 (the most used validator, kept current,
 * draft-07 and 2020-12) and ajv-formats (date-time, email, uri…). A schema that names
 * `https://json-schema.org/draft/2020-12/schema` is checked under 2020-12, any other under
 * draft-07. Compiled validators are kept by the schema object: a task record's gate is one
 * object for as long as the record lives, so runs of one task version compile once.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';

// ajv-formats is CommonJS: its default export arrives as the module object under NodeNext.
const addFormats = ((addFormatsImport as unknown as { default?: unknown }).default ?? addFormatsImport) as (
  ajv: Ajv,
) => Ajv;

const options = { allErrors: true, strict: false, validateFormats: true } as const;
const draft07 = new Ajv(options);
const draft2020 = new Ajv2020(options);
addFormats(draft07);
addFormats(draft2020 as unknown as Ajv);

const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: Record<string, unknown>): Ajv {
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  return (dialect.includes('2020-12') ? draft2020 : draft07) as Ajv;
}

/** Why a schema is not a valid JSON Schema: the dotted path inside it and the reason; null when valid. */
export function schemaProblem(schema: Record<string, unknown>): { path: string; message: string } | null {
  const ajv = validatorFor(schema);
  if (!ajv.validateSchema(schema)) {
    const first = ajv.errors?.[0];
    return {
      path: pathOf(first?.instancePath ?? ''),
      message: first ? `${first.message ?? 'is invalid'}` : 'is not a valid JSON Schema',
    };
  }
  try {
    compile(schema);
  } catch (error) {
    return { path: '', message: (error as Error).message };
  }
  return null;
}

function compile(schema: Record<string, unknown>): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = validatorFor(schema).compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** The value's mismatches with the schema, as readable lines (empty: it matches). */
export function schemaMismatches(schema: Record<string, unknown>, value: unknown): string[] {
  const validate = compile(schema);
  if (validate(value)) return [];
  return (validate.errors ?? []).map(describe);
}

function describe(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'the output' : pathOf(error.instancePath);
  return `${where} ${error.message ?? 'does not match'}`;
}

/** `/a/0/b` → `a.0.b` */
const pathOf = (pointer: string): string =>
  pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
