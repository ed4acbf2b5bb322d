/**
 * The simulator's workflows, as data: each scenario is a small graph (nodes in execution order,
 * with branches, containers and forks nested) and the Start-node form its /parameters shows.
 * script.ts turns one into the event sequence Dify would stream for it.
 */

export type SimNode =
  | { type: 'start'; id: string; title?: string }
  | {
      type: 'llm';
      id: string;
      title: string;
      text: string;
      promptTokens: number;
      completionTokens: number;
      /** Price of the call, Dify-style decimal text. */
      price: string;
      /** Stream its text as text_chunk events (top level only, as Dify does); default true. */
      stream?: boolean;
      /** How many text chunks to cut the text into; default one per word. */
      chunks?: number;
    }
  | {
      type: 'code' | 'template-transform' | 'http-request' | 'tool';
      id: string;
      title: string;
      outputs: Record<string, unknown>;
      /** The node fails with this error text. */
      fail?: string;
      /** With `fail`: the failure is handled and the run goes on (status `exception`). */
      errorStrategy?: 'fail-branch' | 'default-value';
      /** Failed attempts (node_retry) before it succeeds. */
      retries?: number;
    }
  | { type: 'if-else'; id: string; title: string; selected: string; then: SimNode[] }
  | {
      type: 'question-classifier';
      id: string;
      title: string;
      classId: string;
      className: string;
      tokens: number;
      price: string;
      then: SimNode[];
    }
  | {
      type: 'iteration';
      id: string;
      title: string;
      items: unknown[];
      children: SimNode[];
      parallel?: boolean;
    }
  | { type: 'loop'; id: string; title: string; count: number; breakAfter?: number; children: SimNode[] }
  /** Not a Dify node: parallel branches, whose events interleave. */
  | { type: 'parallel'; branches: SimNode[][] }
  | { type: 'end'; id: string; title?: string; outputs: Record<string, unknown> };

export interface FormField {
  type: 'text-input' | 'paragraph' | 'select' | 'number' | 'checkbox' | 'json_object';
  variable: string;
  required: boolean;
  options?: string[];
  max_length?: number | null;
}

export interface Scenario {
  name: string;
  description: string;
  form: FormField[];
  nodes: SimNode[];
  /** Pause between events, in ms (overridden by the server's stepMs option when set). */
  stepMs?: number;
}

const article: FormField = { type: 'paragraph', variable: 'article', required: true };
const tone: FormField = { type: 'select', variable: 'tone', required: false, options: ['neutral', 'upbeat'] };
const start: SimNode = { type: 'start', id: '1770700100001', title: 'Start' };

const summary =
  '- Acme Corp grew Q4 revenue 12% year over year to $48.2M, led by cloud analytics.\n' +
  '- A logistics restructuring lifted operating margin to 18%.\n' +
  '- 2026 guidance calls for 9-11% growth plus a $15M buyback; hardware stays weak.';

const llm = (id: string, title: string, text: string, stream = true): SimNode => ({
  type: 'llm',
  id,
  title,
  text,
  promptTokens: 268,
  completionTokens: 58,
  price: '0.0000750',
  stream,
});

export const SCENARIOS: Record<string, Scenario> = {
  simple: {
    name: 'simple',
    description: 'Start → LLM → End (the shape of the recorded fixture)',
    form: [article, tone],
    nodes: [
      start,
      llm('1770700100002', 'Summarize', summary),
      { type: 'end', id: '1770700100003', title: 'Output', outputs: { summary } },
    ],
  },
  ifelse: {
    name: 'ifelse',
    description: 'Start → IF/ELSE (ELIF taken) → Code → End',
    form: [article, tone],
    nodes: [
      start,
      {
        type: 'if-else',
        id: '1770700200002',
        title: 'Long article?',
        selected: '6d2f0a4e-1c3b-4b5a-9e8d-7f6a5b4c3d21',
        then: [{ type: 'code', id: '1770700200003', title: 'Trim', outputs: { result: 'trimmed' } }],
      },
      { type: 'end', id: '1770700200004', title: 'Output', outputs: { result: 'trimmed' } },
    ],
  },
  classifier: {
    name: 'classifier',
    description: 'Start → Question Classifier → Template → End',
    form: [article, tone],
    nodes: [
      start,
      {
        type: 'question-classifier',
        id: '1770700300002',
        title: 'Topic',
        classId: '2',
        className: 'finance',
        tokens: 120,
        price: '0.0000300',
        then: [
          {
            type: 'template-transform',
            id: '1770700300003',
            title: 'Format',
            outputs: { output: 'finance' },
          },
        ],
      },
      { type: 'end', id: '1770700300004', title: 'Output', outputs: { topic: 'finance' } },
    ],
  },
  iteration: {
    name: 'iteration',
    description: 'Start → Iteration over 3 items (LLM + Code per round) → End',
    form: [],
    nodes: [
      start,
      {
        type: 'iteration',
        id: '1770700400002',
        title: 'Each city',
        items: ['Paris', 'Lima', 'Osaka'],
        children: [
          llm('1770700400003', 'Describe', 'A city.', false),
          { type: 'code', id: '1770700400004', title: 'Shorten', outputs: { result: 'ok' } },
        ],
      },
      { type: 'end', id: '1770700400005', title: 'Output', outputs: { cities: ['ok', 'ok', 'ok'] } },
    ],
  },
  'iteration-parallel': {
    name: 'iteration-parallel',
    description: 'Start → parallel Iteration over 3 items (rounds finish out of order) → End',
    form: [],
    nodes: [
      start,
      {
        type: 'iteration',
        id: '1770700500002',
        title: 'Each city',
        parallel: true,
        items: ['Paris', 'Lima', 'Osaka'],
        children: [llm('1770700500003', 'Describe', 'A city.', false)],
      },
      { type: 'end', id: '1770700500005', title: 'Output', outputs: { cities: ['ok', 'ok', 'ok'] } },
    ],
  },
  loop: {
    name: 'loop',
    description: 'Start → Loop of 3 rounds (Code) → End',
    form: [],
    nodes: [
      start,
      {
        type: 'loop',
        id: '1770700600002',
        title: 'Refine',
        count: 3,
        children: [{ type: 'code', id: '1770700600003', title: 'Step', outputs: { n: 1 } }],
      },
      { type: 'end', id: '1770700600004', title: 'Output', outputs: { n: 3 } },
    ],
  },
  'loop-break': {
    name: 'loop-break',
    description: 'Start → Loop of up to 5 rounds that breaks after round 1 → End',
    form: [],
    nodes: [
      start,
      {
        type: 'loop',
        id: '1770700700002',
        title: 'Until good',
        count: 5,
        breakAfter: 1,
        children: [llm('1770700700003', 'Try', 'Better.', false)],
      },
      { type: 'end', id: '1770700700004', title: 'Output', outputs: { text: 'Better.' } },
    ],
  },
  parallel: {
    name: 'parallel',
    description: 'Start → two parallel branches (LLM, HTTP) → End',
    form: [],
    nodes: [
      start,
      {
        type: 'parallel',
        branches: [
          [llm('1770700800002', 'Draft', 'Draft text.', false)],
          [
            {
              type: 'http-request',
              id: '1770700800003',
              title: 'Fetch',
              outputs: { status_code: 200, body: '{}' },
            },
          ],
        ],
      },
      { type: 'end', id: '1770700800004', title: 'Output', outputs: { draft: 'Draft text.' } },
    ],
  },
  failing: {
    name: 'failing',
    description: 'Start → Code that fails → (run failed)',
    form: [],
    nodes: [
      start,
      {
        type: 'code',
        id: '1770700900002',
        title: 'Parse',
        outputs: {},
        fail: 'Traceback (most recent call last):\nValueError: bad input\nerror: exit status 255\n',
      },
      { type: 'end', id: '1770700900003', title: 'Output', outputs: {} },
    ],
  },
  partial: {
    name: 'partial',
    description: 'Start → HTTP that fails on a fail-branch → Template → End (partial-succeeded)',
    form: [],
    nodes: [
      start,
      {
        type: 'http-request',
        id: '1770701000002',
        title: 'Fetch',
        outputs: {},
        fail: 'Request timeout',
        errorStrategy: 'fail-branch',
      },
      { type: 'template-transform', id: '1770701000003', title: 'Fallback', outputs: { output: 'fallback' } },
      { type: 'end', id: '1770701000004', title: 'Output', outputs: { result: 'fallback' } },
    ],
  },
  retry: {
    name: 'retry',
    description: 'Start → HTTP retried twice then succeeding → End',
    form: [],
    nodes: [
      start,
      {
        type: 'http-request',
        id: '1770701100002',
        title: 'Flaky',
        outputs: { status_code: 200 },
        retries: 2,
      },
      { type: 'end', id: '1770701100003', title: 'Output', outputs: { ok: true } },
    ],
  },
  long: {
    name: 'long',
    description: 'Start → 40 Code steps, 30 ms apart (for timeouts, cancel and restarts)',
    form: [],
    stepMs: 30,
    nodes: [
      start,
      ...Array.from({ length: 40 }, (_, i): SimNode => ({
        type: 'code',
        id: `17707012${String(i).padStart(5, '0')}`,
        title: `Step ${i + 1}`,
        outputs: { i },
      })),
      { type: 'end', id: '1770701299999', title: 'Output', outputs: { done: true } },
    ],
  },
  chunky: {
    name: 'chunky',
    description: 'Start → LLM streaming 192 chunks → End: about 200 events (the benchmark)',
    form: [],
    stepMs: 1,
    nodes: [
      start,
      {
        ...(llm('1770701300002', 'Write', 'word '.repeat(192).trim()) as Extract<SimNode, { type: 'llm' }>),
        chunks: 192,
      },
      { type: 'end', id: '1770701300003', title: 'Output', outputs: { text: 'words' } },
    ],
  },
  empty: {
    name: 'empty',
    description: 'Start → LLM that answers nothing → End with an empty summary (succeeds in Dify)',
    form: [],
    nodes: [
      start,
      llm('1770701400002', 'Summarize', ' ', false),
      { type: 'end', id: '1770701400003', title: 'Output', outputs: { summary: '' } },
    ],
  },
  'judge-pass': {
    name: 'judge-pass',
    description: 'An output judge (inputs output, input) → LLM → End: verdict pass, score 0.92',
    form: [
      { type: 'paragraph', variable: 'output', required: true },
      { type: 'paragraph', variable: 'input', required: false },
    ],
    nodes: [
      start,
      llm('1770701500002', 'Judge', 'pass', false),
      { type: 'end', id: '1770701500003', title: 'Verdict', outputs: { verdict: 'pass', score: 0.92 } },
    ],
  },
  'judge-fail': {
    name: 'judge-fail',
    description: 'An output judge (inputs output, input) → LLM → End: verdict fail, score 0.31',
    form: [
      { type: 'paragraph', variable: 'output', required: true },
      { type: 'paragraph', variable: 'input', required: false },
    ],
    nodes: [
      start,
      llm('1770701600002', 'Judge', 'fail', false),
      { type: 'end', id: '1770701600003', title: 'Verdict', outputs: { verdict: 'fail', score: 0.31 } },
    ],
  },
};
