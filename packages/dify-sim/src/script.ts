/**
 * Turns a scenario into the events Dify ≥ 1.9 streams for it (reference §2.3-§2.4): key order
 * `event, workflow_run_id, task_id, data`; `index` 1 and `predecessor_node_id` null; no
 * node_started/node_finished for Iteration and Loop containers; `iteration_next(i)` before round
 * i (all up front for a parallel iteration, whose rounds then arrive in completion order);
 * `loop_next(i+1)` after round i, none after a break; node_retry between a node's start and
 * finish; a final empty text_chunk per streamed LLM; token totals counted once through
 * containers; `total_steps` = top-level node starts plus retries.
 */
import { randomUUID } from 'node:crypto';
import { iterationEvents, loopEvents, parallelEvents } from './container-events.js';
import type { Scenario, SimNode } from './scenarios.js';
import type { EventSink, ScriptEvent, Scope, Totals } from './script-state.js';

export type { ScriptEvent } from './script-state.js';

export interface RunIds {
  runId: string;
  taskId: string;
  workflowId: string;
  appId: string;
  user: string;
  endUserId: string;
  inputs: Record<string, unknown>;
  createdAt: number;
}

export interface Script {
  events: ScriptEvent[];
  /** The data of workflow_finished (also what run detail shows at the end). */
  final: Record<string, unknown>;
}

class ScriptBuilder implements EventSink {
  readonly events: ScriptEvent[] = [];
  private t: number;

  constructor(private readonly ids: RunIds) {
    this.t = ids.createdAt;
  }

  now(): number {
    this.t += 0.2;
    return Math.floor(this.t);
  }

  emit(event: string, data: Record<string, unknown>): void {
    this.events.push({ event, data });
  }

  /** Emits nodes in order; stops at an unhandled failure. Returns false when the run failed. */
  nodes(list: SimNode[], totals: Totals, scope: Scope): boolean {
    for (const node of list) if (!this.node(node, totals, scope)) return false;
    return true;
  }

  private node(node: SimNode, totals: Totals, scope: Scope): boolean {
    const top = scope.containerId === null;
    switch (node.type) {
      case 'iteration':
        return iterationEvents(this, node, totals);
      case 'loop':
        return loopEvents(this, node, totals);
      case 'parallel':
        return parallelEvents(this, node, totals, scope);
      default:
        break;
    }
    if (top) totals.steps++;
    const id = randomUUID();
    const created = this.now();
    const base = {
      id,
      node_id: node.id,
      node_type: node.type,
      title: 'title' in node && node.title ? node.title : node.type === 'start' ? 'Start' : 'Output',
      index: 1,
      predecessor_node_id: null,
    };
    const where = {
      iteration_id: scope.kind === 'iteration' ? scope.containerId : null,
      loop_id: scope.kind === 'loop' ? scope.containerId : null,
    };
    this.emit('node_started', {
      ...base,
      inputs: null,
      inputs_truncated: false,
      created_at: created,
      extras: {},
      ...where,
      agent_strategy: null,
    });
    let inputs: Record<string, unknown> = {};
    let outputs: Record<string, unknown> = {};
    let processData: Record<string, unknown> = {};
    let status = 'succeeded';
    let error: string | null = null;
    let meta: Record<string, unknown> | null = null;
    const scopeMeta =
      scope.containerId === null
        ? {}
        : scope.kind === 'iteration'
          ? { iteration_id: scope.containerId, iteration_index: scope.round }
          : { loop_id: scope.containerId, loop_index: scope.round };
    switch (node.type) {
      case 'start':
        inputs = outputs = { ...this.ids.inputs, ...this.sys(), 'sys.timestamp': created };
        break;
      case 'end':
        inputs = outputs = node.outputs;
        break;
      case 'llm': {
        const total = node.promptTokens + node.completionTokens;
        const usage = {
          prompt_tokens: node.promptTokens,
          completion_tokens: node.completionTokens,
          total_tokens: total,
          total_price: node.price,
          currency: 'USD',
          latency: 0.5,
        };
        if (top && node.stream !== false) this.chunks(node.id, node.text, node.chunks);
        outputs = { text: node.text, reasoning_content: '', usage, finish_reason: 'stop' };
        processData = {
          model_mode: 'chat',
          prompts: [{ role: 'user', text: 'Summarize the article.', files: [] }],
          usage,
          finish_reason: 'stop',
          model_provider: 'langgenius/openai/openai',
          model_name: 'gpt-4o-mini',
        };
        meta = { total_tokens: total, total_price: node.price, currency: 'USD', ...scopeMeta };
        if (top) {
          totals.tokens += total;
          totals.price += Number(node.price);
        } else {
          scope.tokens += total;
          scope.price += Number(node.price);
        }
        break;
      }
      case 'question-classifier': {
        outputs = {
          class_name: node.className,
          class_id: node.classId,
          usage: { total_tokens: node.tokens },
        };
        meta = { total_tokens: node.tokens, total_price: node.price, currency: 'USD', ...scopeMeta };
        if (top) {
          totals.tokens += node.tokens;
          totals.price += Number(node.price);
        }
        break;
      }
      case 'if-else': {
        const result = node.selected !== 'false';
        inputs = { conditions: [{ actual_value: 'x', expected_value: 'x', comparison_operator: 'is' }] };
        processData = {
          condition_results: [
            {
              group: { case_id: node.selected, logical_operator: 'and', conditions: [] },
              results: [result],
              final_result: result,
            },
          ],
        };
        outputs = { result, selected_case_id: node.selected };
        break;
      }
      default: {
        inputs = { arg: 'value' };
        for (let r = 1; r <= (node.retries ?? 0); r++) {
          if (top) totals.steps++;
          this.emit('node_retry', {
            ...base,
            inputs,
            inputs_truncated: false,
            process_data: {},
            process_data_truncated: false,
            outputs: {},
            outputs_truncated: false,
            status: 'retry',
            error: `attempt ${r} failed: connection reset`,
            elapsed_time: 0.1,
            execution_metadata: Object.keys(scopeMeta).length ? scopeMeta : null,
            created_at: created,
            finished_at: this.now(),
            files: [],
            ...where,
            retry_index: r,
          });
        }
        if (node.fail !== undefined) {
          error = node.fail;
          if (node.errorStrategy) {
            status = 'exception';
            outputs = { error_message: node.fail, error_type: 'HTTPRequestNodeError' };
            meta = { error_strategy: node.errorStrategy, ...scopeMeta };
            totals.exceptions++;
          } else {
            status = 'failed';
          }
        } else {
          outputs = node.outputs;
        }
      }
    }
    if (meta === null && Object.keys(scopeMeta).length > 0) meta = scopeMeta;
    const finished = this.now();
    this.emit('node_finished', {
      ...base,
      inputs,
      inputs_truncated: false,
      process_data: processData,
      process_data_truncated: false,
      outputs,
      outputs_truncated: false,
      status,
      error,
      elapsed_time: Math.max(0.001, finished - created + 0.123),
      execution_metadata: meta,
      created_at: created,
      finished_at: finished,
      files: [],
      ...where,
    });
    if (status === 'failed') {
      totals.failed = error;
      return false;
    }
    if (node.type === 'if-else' || node.type === 'question-classifier')
      return this.nodes(node.then, totals, scope);
    return true;
  }

  private chunks(nodeId: string, text: string, count?: number): void {
    const pieces = count ? splitInto(text, count) : text.split(/(?<= )/);
    for (const piece of pieces)
      this.emit('text_chunk', { text: piece, from_variable_selector: [nodeId, 'text'] });
    this.emit('text_chunk', { text: '', from_variable_selector: [nodeId, 'text'] });
  }

  private sys(): Record<string, unknown> {
    return {
      'sys.files': [],
      'sys.user_id': this.ids.user,
      'sys.app_id': this.ids.appId,
      'sys.workflow_id': this.ids.workflowId,
      'sys.workflow_run_id': this.ids.runId,
    };
  }
}

function splitInto(text: string, count: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / count));
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

export function buildScript(scenario: Scenario, ids: RunIds): Script {
  const b = new ScriptBuilder(ids);
  b.emit('workflow_started', {
    id: ids.runId,
    workflow_id: ids.workflowId,
    inputs: {
      ...ids.inputs,
      'sys.files': [],
      'sys.user_id': ids.user,
      'sys.app_id': ids.appId,
      'sys.workflow_id': ids.workflowId,
      'sys.workflow_run_id': ids.runId,
    },
    created_at: ids.createdAt,
    reason: 'initial',
  });
  const totals: Totals = { tokens: 0, price: 0, steps: 0, exceptions: 0, failed: null };
  const ok = b.nodes(scenario.nodes, totals, {
    kind: null,
    containerId: null,
    round: 0,
    tokens: 0,
    price: 0,
  });
  const end = scenario.nodes.find((n): n is Extract<SimNode, { type: 'end' }> => n.type === 'end');
  const finishedAt = b.now();
  const status = !ok ? 'failed' : totals.exceptions > 0 ? 'partial-succeeded' : 'succeeded';
  return {
    events: b.events,
    final: {
      id: ids.runId,
      workflow_id: ids.workflowId,
      status,
      outputs: ok ? (end?.outputs ?? {}) : {},
      error: ok ? null : totals.failed,
      elapsed_time: Math.max(0.5, finishedAt - ids.createdAt + 0.235417),
      total_tokens: totals.tokens,
      total_steps: totals.steps,
      created_by: { id: ids.endUserId, user: ids.user },
      created_at: ids.createdAt,
      finished_at: finishedAt,
      exceptions_count: totals.exceptions,
      files: [],
    },
  };
}
