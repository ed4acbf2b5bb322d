/**
 * Checks a task's output gate when the task is saved: its JSON Schema must be a valid schema
 * (ajv), and its judge a dify_workflow task of the same namespace. A bad gate is a 400 naming
 * the field; nothing is saved.
 */
import type { OutputGate } from '@kairos/protocol';
import { KairosError } from '../errors.js';
import type { TaskRecord } from '../store/records.js';
import { schemaProblem } from './json-schema.js';

/** The job type whose runs can judge (a judge is a Dify workflow). */
export const JUDGE_TASK_TYPE = 'dify_workflow';

export async function checkOutputGate(
  gate: OutputGate | null | undefined,
  namespaceId: number,
  getTask: (id: number) => Promise<TaskRecord | undefined>,
  selfId?: number,
): Promise<void> {
  if (!gate) return;
  if (gate.jsonSchema) {
    const problem = schemaProblem(gate.jsonSchema);
    if (problem) {
      const field = ['outputGate.jsonSchema', problem.path].filter(Boolean).join('.');
      throw new KairosError('VALIDATION_ERROR', `${field}: not a valid JSON Schema: ${problem.message}`, {
        field,
      });
    }
  }
  if (gate.judge) {
    const field = 'outputGate.judge.taskId';
    const judge = await getTask(gate.judge.taskId);
    if (!judge || judge.namespaceId !== namespaceId)
      throw new KairosError(
        'VALIDATION_ERROR',
        `${field}: task ${gate.judge.taskId} does not exist in this namespace`,
        { field },
      );
    if (judge.type !== JUDGE_TASK_TYPE)
      throw new KairosError(
        'VALIDATION_ERROR',
        `${field}: task ${judge.id} is a ${judge.type} task; a judge must be a ${JUDGE_TASK_TYPE} task`,
        { field },
      );
    if (selfId !== undefined && judge.id === selfId)
      throw new KairosError('VALIDATION_ERROR', `${field}: a task cannot judge its own output`, { field });
  }
}
