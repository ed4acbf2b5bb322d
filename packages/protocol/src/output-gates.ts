/**
 * A task's output gate: assertions a run's output must pass for the run to succeed (a JSON
 * Schema, required non-empty fields, regular expressions, numeric ranges, maximum lengths) and a
 * judge (another Dify workflow task whose answer gates the run). A failing gate fails the run
 * with `error.type: "assertion"`; each rule's result is the run's `checks`.
 */
import { z } from 'zod';

/**
 * A dotted path into the checked value (`summary`, `items.0.title`); the checked value is the
 * job type's result (for Dify: the workflow's `outputs`), else the run's output.
 */
const fieldPath = z
  .string()
  .min(1, 'must name a field')
  .max(500)
  .regex(/^[^.\s]+(\.[^.\s]+)*$/, 'must be a dotted path such as summary or items.0.title');

const regexFlags = z.string().regex(/^[imsu]*$/, 'may hold only the flags i, m, s and u');

export const OutputPattern = z
  .strictObject({
    path: fieldPath,
    pattern: z.string().min(1).max(2000),
    flags: regexFlags.optional(),
  })
  .superRefine((rule, ctx) => {
    try {
      new RegExp(rule.pattern, rule.flags);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        path: ['pattern'],
        message: `is not a valid regular expression (${(error as Error).message})`,
      });
    }
  });

export const OutputRange = z
  .strictObject({ path: fieldPath, min: z.number().optional(), max: z.number().optional() })
  .superRefine((rule, ctx) => {
    if (rule.min === undefined && rule.max === undefined)
      ctx.addIssue({ code: 'custom', path: ['min'], message: 'a range needs min, max or both' });
    else if (rule.min !== undefined && rule.max !== undefined && rule.min > rule.max)
      ctx.addIssue({ code: 'custom', path: ['max'], message: 'must be at least min' });
  });

export const OutputMaxLength = z.strictObject({
  /** Absent: the whole checked value. */
  path: fieldPath.optional(),
  /** Characters of a string, items of a list, characters of the JSON text of anything else. */
  max: z.number().int().min(0),
});

export const OutputJudge = z.strictObject({
  /** A dify_workflow task of the same namespace, called with `output` and `input` (JSON text). */
  taskId: z.number().int().positive(),
  /** With a threshold the judge's `score` must reach it; without, its `verdict` must be "pass". */
  threshold: z.number().optional(),
});

export const OutputGate = z.strictObject({
  /** A JSON Schema (draft 2020-12 or 07) the checked value must match. */
  jsonSchema: z.record(z.string(), z.unknown()).optional(),
  /** Fields that must be present and not empty (not null, "", whitespace, [] or {}). */
  required: z.array(fieldPath).max(100).optional(),
  patterns: z.array(OutputPattern).max(100).optional(),
  ranges: z.array(OutputRange).max(100).optional(),
  maxLength: z.array(OutputMaxLength).max(100).optional(),
  judge: OutputJudge.optional(),
});
export type OutputGate = z.infer<typeof OutputGate>;

export const OUTPUT_RULES = ['jsonSchema', 'required', 'pattern', 'range', 'maxLength', 'judge'] as const;

/** One rule's result. */
export const OutputCheck = z.object({
  rule: z.enum(OUTPUT_RULES),
  path: z.string().nullable(),
  passed: z.boolean(),
  /** Why it failed (or, for the judge, what it answered). */
  message: z.string().nullable(),
});
export type OutputCheck = z.infer<typeof OutputCheck>;

/** The judge's answer. */
export const JudgeAnswer = z.object({
  taskId: z.number().int(),
  /** The judge's own run (a run of the judge task, triggerType `judge`). */
  runId: z.number().int().nullable(),
  runStatus: z.string().nullable(),
  verdict: z.string().nullable(),
  score: z.number().nullable(),
  threshold: z.number().nullable(),
  passed: z.boolean(),
});
export type JudgeAnswer = z.infer<typeof JudgeAnswer>;

/** A run's `checks`: the output gate's result, recorded before its end. */
export const OutputChecks = z.object({
  passed: z.boolean(),
  checks: z.array(OutputCheck),
  judge: JudgeAnswer.nullable(),
});
export type OutputChecks = z.infer<typeof OutputChecks>;
