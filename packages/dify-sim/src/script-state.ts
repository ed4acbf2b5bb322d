/**
 * What the script builder and the container-event builders share: the running totals, the
 * container scope a node runs in, and the sink events are written to.
 */
import type { SimNode } from './scenarios.js';

export interface ScriptEvent {
  event: string;
  data: Record<string, unknown>;
}

export interface Totals {
  tokens: number;
  price: number;
  steps: number;
  exceptions: number;
  failed: string | null;
}

export interface Scope {
  kind: 'iteration' | 'loop' | null;
  containerId: string | null;
  round: number;
  tokens: number;
  price: number;
}

/** Where events go, in order, with the simulated clock; `nodes` runs a list of nodes in a scope. */
export interface EventSink {
  readonly events: ScriptEvent[];
  now(): number;
  emit(event: string, data: Record<string, unknown>): void;
  nodes(list: SimNode[], totals: Totals, scope: Scope): boolean;
}

export const price7 = (n: number): string => n.toFixed(7);
