/**
 * Builds a run's node track from its Dify events, following Dify's documented semantics rather
 * than one recorded run (reference §2.3-§2.4, §4.2-§4.3):
 * - top-level nodes in arrival order, keyed by execution id (`data.id`), never by `index`;
 * - Iteration and Loop containers emit no node_started/node_finished, only `*_started/_next/
 *   _completed` with `id == node_id`; their children carry `iteration_id`/`loop_id` and are grouped
 *   into rounds. A child's node_started has no round number: it joins the container's current
 *   round (iteration: the last `iteration_next.index`; loop: the last `loop_next.index`, which is
 *   sent *after* a round, 0 before any), and node_finished corrects it from
 *   `execution_metadata.iteration_index/loop_index` (parallel iterations need that);
 * - a child seen before its container's start event still gets a container;
 * - if-else and question-classifier nodes carry the branch taken (`selected_case_id`, `class_id`);
 * - node_retry events become the node's attempts; `exception` statuses are kept as they are.
 */
import { isoSeconds, num, obj, str } from './events.js';
import type { DifyEvent } from './events.js';

export interface TrackAttempt {
  index: number;
  status: string;
  error: string | null;
  elapsedMs: number | null;
  finishedAt: string | null;
}

export interface TrackRound {
  index: number;
  elapsedMs: number | null;
  nodes: TrackNode[];
}

export interface TrackNode {
  /** Execution id (containers: their node id). */
  id: string;
  nodeId: string;
  nodeType: string;
  title: string;
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
  elapsedMs: number | null;
  inputs: unknown;
  outputs: unknown;
  processData: unknown;
  error: string | null;
  tokens: number | null;
  price: number | null;
  currency?: string;
  /** if-else: `"true"` (IF), a case id (ELIF) or `"false"` (ELSE). */
  selectedCaseId?: string | null;
  /** question-classifier: the class taken. */
  classId?: string | null;
  className?: string | null;
  /** `fail-branch` / `default-value` when a failure was handled (status `exception`). */
  errorStrategy?: string;
  /** Failed attempts before the final one (node_retry). */
  attempts?: TrackAttempt[];
  /** Iteration and loop containers. */
  rounds?: TrackRound[];
  /** loop: `loop_completed` / `loop_break` / `error`. */
  completedReason?: string;
  /** Before Dify 1.9 only: the parallel branch the node ran on. */
  parallelId?: string;
}

export interface Track {
  nodes: TrackNode[];
}

interface Container {
  node: TrackNode;
  kind: 'iteration' | 'loop';
  current: number;
}

const ms = (seconds: unknown): number | null => {
  const n = num(seconds);
  return n === null ? null : Math.round(n * 1000);
};

export class TrackBuilder {
  private readonly top: TrackNode[] = [];
  private readonly executions = new Map<string, { node: TrackNode; container?: Container; round?: number }>();
  private readonly containers = new Map<string, Container>();
  private finalStatus: string | null = null;

  add(event: DifyEvent): void {
    const d = event.data ?? {};
    switch (event.event) {
      case 'node_started':
        this.execution(d, event.event);
        return;
      case 'node_retry': {
        const node = this.execution(d, event.event);
        (node.attempts ??= []).push({
          index: num(d.retry_index) ?? (node.attempts?.length ?? 0) + 1,
          status: 'retry',
          error: str(d.error),
          elapsedMs: ms(d.elapsed_time),
          finishedAt: isoSeconds(d.finished_at),
        });
        return;
      }
      case 'node_finished':
        this.finishNode(d);
        return;
      case 'iteration_started':
      case 'loop_started': {
        const c = this.container(d, event.event.startsWith('loop') ? 'loop' : 'iteration');
        c.node.inputs = d.inputs ?? c.node.inputs;
        c.node.startedAt = isoSeconds(d.created_at) ?? c.node.startedAt;
        return;
      }
      case 'iteration_next':
      case 'loop_next': {
        const c = this.container(d, event.event.startsWith('loop') ? 'loop' : 'iteration');
        c.current = num(d.index) ?? c.current;
        return;
      }
      case 'iteration_completed':
      case 'loop_completed':
        this.completeContainer(d, event.event.startsWith('loop') ? 'loop' : 'iteration');
        return;
      case 'workflow_finished':
        this.finalStatus = str(d.status);
        return;
      case 'error':
        this.finalStatus = 'failed';
        return;
      default:
        return;
    }
  }

  build(): Track {
    // A run that failed or was stopped leaves nodes without a finish event: Dify marks them failed.
    if (
      this.finalStatus !== null &&
      this.finalStatus !== 'succeeded' &&
      this.finalStatus !== 'partial-succeeded'
    ) {
      const status = this.finalStatus === 'stopped' ? 'stopped' : 'failed';
      for (const { node } of this.executions.values()) if (node.status === 'running') node.status = status;
      for (const { node } of this.containers.values()) if (node.status === 'running') node.status = status;
    }
    for (const c of this.containers.values()) c.node.rounds?.sort((a, b) => a.index - b.index);
    return { nodes: this.top };
  }

  private execution(d: Record<string, unknown>, from: string): TrackNode {
    const id = str(d.id) ?? `${str(d.node_id) ?? 'node'}:${this.executions.size}`;
    const known = this.executions.get(id);
    if (known) return known.node;
    const node: TrackNode = {
      id,
      nodeId: str(d.node_id) ?? id,
      nodeType: str(d.node_type) ?? 'unknown',
      title: str(d.title) ?? '',
      status: 'running',
      startedAt: isoSeconds(d.created_at),
      finishedAt: null,
      elapsedMs: null,
      inputs: from === 'node_started' ? (d.inputs ?? null) : null,
      outputs: null,
      processData: null,
      error: null,
      tokens: null,
      price: null,
    };
    const parallelId = str(d.parallel_id);
    if (parallelId !== null) node.parallelId = parallelId;
    const containerId = str(d.iteration_id) ?? str(d.loop_id);
    if (containerId === null) {
      this.top.push(node);
      this.executions.set(id, { node });
      return node;
    }
    const container = this.container(
      { id: containerId, node_id: containerId },
      str(d.loop_id) !== null ? 'loop' : 'iteration',
    );
    const meta = obj(d.execution_metadata);
    const round =
      num(container.kind === 'loop' ? meta?.loop_index : meta?.iteration_index) ?? container.current;
    this.round(container, round).nodes.push(node);
    this.executions.set(id, { node, container, round });
    return node;
  }

  private finishNode(d: Record<string, unknown>): void {
    const node = this.execution(d, 'node_finished');
    const entry = this.executions.get(node.id);
    node.status = str(d.status) ?? node.status;
    node.finishedAt = isoSeconds(d.finished_at);
    node.startedAt ??= isoSeconds(d.created_at);
    node.elapsedMs = ms(d.elapsed_time);
    node.inputs = d.inputs ?? node.inputs;
    node.outputs = d.outputs ?? null;
    node.processData = d.process_data ?? null;
    node.error = str(d.error);
    const meta = obj(d.execution_metadata);
    node.tokens = num(meta?.total_tokens);
    node.price = num(meta?.total_price);
    const currency = str(meta?.currency);
    if (currency !== null) node.currency = currency;
    const strategy = str(meta?.error_strategy);
    if (strategy !== null) node.errorStrategy = strategy;
    const outputs = obj(d.outputs);
    if (node.nodeType === 'if-else') node.selectedCaseId = outputs ? str(outputs.selected_case_id) : null;
    if (node.nodeType === 'question-classifier') {
      node.classId = outputs ? str(outputs.class_id) : null;
      node.className = outputs ? str(outputs.class_name) : null;
    }
    // The round a nested node ran in is known for sure only now (parallel iterations).
    if (entry?.container) {
      const c = entry.container;
      const index = num(c.kind === 'loop' ? meta?.loop_index : meta?.iteration_index);
      if (index !== null && index !== entry.round) {
        const from = this.round(c, entry.round ?? 0);
        from.nodes.splice(from.nodes.indexOf(node), 1);
        if (from.nodes.length === 0) c.node.rounds = c.node.rounds?.filter((r) => r !== from);
        this.round(c, index).nodes.push(node);
        entry.round = index;
      }
    }
  }

  private container(d: Record<string, unknown>, kind: 'iteration' | 'loop'): Container {
    const id = str(d.node_id) ?? str(d.id) ?? 'container';
    let c = this.containers.get(id);
    if (!c) {
      c = {
        kind,
        current: 0,
        node: {
          id,
          nodeId: id,
          nodeType: str(d.node_type) ?? kind,
          title: str(d.title) ?? '',
          status: 'running',
          startedAt: isoSeconds(d.created_at),
          finishedAt: null,
          elapsedMs: null,
          inputs: null,
          outputs: null,
          processData: null,
          error: null,
          tokens: null,
          price: null,
          rounds: [],
        },
      };
      this.containers.set(id, c);
      this.top.push(c.node);
    } else if (c.node.title === '' && str(d.title) !== null) {
      c.node.title = str(d.title) ?? '';
      c.node.nodeType = str(d.node_type) ?? c.node.nodeType;
    }
    return c;
  }

  private round(c: Container, index: number): TrackRound {
    const rounds = (c.node.rounds ??= []);
    let round = rounds.find((r) => r.index === index);
    if (!round) {
      round = { index, elapsedMs: null, nodes: [] };
      rounds.push(round);
    }
    return round;
  }

  private completeContainer(d: Record<string, unknown>, kind: 'iteration' | 'loop'): void {
    const c = this.container(d, kind);
    const node = c.node;
    node.status = str(d.status) ?? 'succeeded';
    node.finishedAt = isoSeconds(d.finished_at ?? d.created_at);
    node.elapsedMs = ms(d.elapsed_time);
    node.inputs = d.inputs ?? node.inputs;
    node.outputs = d.outputs ?? null;
    node.error = str(d.error);
    const meta = obj(d.execution_metadata);
    node.tokens = num(meta?.total_tokens) ?? num(d.total_tokens);
    node.price = num(meta?.total_price);
    const currency = str(meta?.currency);
    if (currency !== null) node.currency = currency;
    const reason = str(meta?.completed_reason);
    if (reason !== null) node.completedReason = reason;
    const durations = obj(meta?.[kind === 'loop' ? 'loop_duration_map' : 'iteration_duration_map']);
    if (durations) {
      for (const [index, seconds] of Object.entries(durations)) {
        const round = node.rounds?.find((r) => r.index === Number(index));
        if (round) round.elapsedMs = ms(seconds);
      }
    }
  }
}

/** The track of a run from its events in arrival order. */
export function buildTrack(events: Iterable<DifyEvent>): Track {
  const builder = new TrackBuilder();
  for (const event of events) builder.add(event);
  return builder.build();
}
