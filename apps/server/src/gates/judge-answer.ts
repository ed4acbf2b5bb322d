/**
 * What a judge says: its run's result (the judge workflow's outputs) carries `verdict`
 * ("pass"/"fail") or `score` (a number, compared with the gate's threshold). The judge is called
 * with `output` and `input`, each as text (JSON for anything but a string), as Dify's Start-node
 * variables are.
 */
import type { JudgeAnswer, OutputGate } from '@kairos/protocol';
import { valueAt } from './value-path.js';

type Judge = NonNullable<OutputGate['judge']>;

/** The judge run's input. */
export function judgeInput(result: unknown, runInput: unknown): { output: string; input: string } {
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v ?? null));
  return { output: text(result), input: text(runInput) };
}

/** The judge's answer from its run (`result`: the judge run's result; null when it did not succeed). */
export function judgeAnswer(
  judge: Judge,
  run: { id: number; status: string } | null,
  result: unknown,
): JudgeAnswer {
  const rawVerdict = valueAt(result, 'verdict');
  const rawScore = valueAt(result, 'score');
  const verdict = typeof rawVerdict === 'string' ? rawVerdict.trim().toLowerCase() : null;
  const score =
    typeof rawScore === 'number'
      ? rawScore
      : typeof rawScore === 'string' && rawScore.trim() !== '' && Number.isFinite(Number(rawScore))
        ? Number(rawScore)
        : null;
  const succeeded = run?.status === 'succeeded';
  const passed =
    succeeded &&
    (judge.threshold !== undefined ? score !== null && score >= judge.threshold : verdict === 'pass');
  return {
    taskId: judge.taskId,
    runId: run?.id ?? null,
    runStatus: run?.status ?? null,
    verdict,
    score,
    threshold: judge.threshold ?? null,
    passed,
  };
}

/** Why the judge failed the run, in words. */
export function judgeFailure(answer: JudgeAnswer): string {
  if (answer.runStatus !== 'succeeded')
    return `the judge (task ${answer.taskId}, run ${answer.runId ?? '-'}) did not answer: its run ${answer.runStatus ?? 'did not start'}`;
  if (answer.threshold !== null)
    return answer.score === null
      ? `the judge (task ${answer.taskId}) gave no numeric score`
      : `the judge scored ${answer.score}, below the threshold ${answer.threshold}`;
  return answer.verdict === null
    ? `the judge (task ${answer.taskId}) gave no verdict`
    : `the judge's verdict is "${answer.verdict}"`;
}
