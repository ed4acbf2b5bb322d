/**
 * Checks a task's inputs against the workflow's Start-node variables (`GET /v1/parameters`,
 * `user_input_form`) with the rules Dify applies at run time (reference §3.4), so a task that
 * would fail on every run is refused when it is saved.
 */
import { num, obj, str } from './events.js';

export interface InputProblem {
  /** `inputs.<variable>` */
  field: string;
  message: string;
}

interface FormVariable {
  type: string;
  variable: string;
  label: string;
  required: boolean;
  maxLength: number | null;
  options: string[];
}

/** The variables of a `user_input_form` (each element a one-key object `{<type>: {...}}`). */
export function formVariables(form: unknown): FormVariable[] {
  if (!Array.isArray(form)) return [];
  const variables: FormVariable[] = [];
  for (const item of form) {
    const entry = obj(item);
    if (!entry) continue;
    const [type, spec] = Object.entries(entry)[0] ?? [];
    const s = obj(spec);
    const variable = s ? str(s.variable) : null;
    if (type === undefined || !s || variable === null) continue;
    variables.push({
      type: str(s.type) ?? type,
      variable,
      label: str(s.label) ?? variable,
      required: s.required === true,
      maxLength: num(s.max_length),
      options: Array.isArray(s.options) ? s.options.filter((o): o is string => typeof o === 'string') : [],
    });
  }
  return variables;
}

/** Errors refuse the task; warnings (unknown names, which Dify ignores) do not. */
export function checkInputs(
  inputs: Record<string, unknown>,
  form: unknown,
): { errors: InputProblem[]; warnings: string[] } {
  const variables = formVariables(form);
  const errors: InputProblem[] = [];
  const warnings: string[] = [];
  const known = new Set(variables.map((v) => v.variable));
  for (const name of Object.keys(inputs)) {
    if (!known.has(name)) warnings.push(`inputs.${name} is not a variable of the workflow; Dify ignores it`);
  }
  for (const v of variables) {
    const field = `inputs.${v.variable}`;
    const value = inputs[v.variable];
    if (value === undefined || value === null || value === '') {
      if (v.required)
        errors.push({ field, message: `is required by the workflow ("${v.label}", ${v.type})` });
      continue;
    }
    const problem = checkValue(v, value);
    if (problem) errors.push({ field, message: problem });
  }
  return { errors, warnings };
}

function checkValue(v: FormVariable, value: unknown): string | undefined {
  switch (v.type) {
    case 'text-input':
    case 'paragraph':
    case 'select':
      if (typeof value !== 'string') return `must be a string (${v.type})`;
      if (v.type === 'select' && v.options.length > 0 && !v.options.includes(value)) {
        return `must be one of ${v.options.map((o) => JSON.stringify(o)).join(', ')}`;
      }
      if (v.type !== 'select' && v.maxLength !== null && value.length > v.maxLength) {
        return `must be at most ${v.maxLength} characters`;
      }
      return undefined;
    case 'number':
      return num(value) === null ? 'must be a number' : undefined;
    case 'checkbox':
      return typeof value === 'boolean' ||
        ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(String(value))
        ? undefined
        : 'must be true or false';
    case 'json_object':
    case 'file':
      return obj(value) ? undefined : `must be an object (${v.type})`;
    case 'file-list':
      if (!Array.isArray(value) || !value.every((x) => obj(x))) return 'must be a list of file objects';
      if (v.maxLength !== null && value.length > v.maxLength) return `must hold at most ${v.maxLength} files`;
      return undefined;
    default:
      return undefined;
  }
}
