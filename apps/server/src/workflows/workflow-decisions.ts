/**
 * What a node run's settlement needs to decide what follows (advance-now.ts) and that never
 * changes for a workflow version: its definition, the nodes whose outputs its mappings name, and
 * its tasks' app and namespace. Read once per version, inside a settlement, then kept here, so a
 * fan-out of a thousand items does not parse its definition a thousand times. One per server
 * node, made by kairos.ts and handed to the settler; a task moved to another app keeps its old
 * app here until the server restarts, as in the advancer's own cache.
 */
import type { WorkflowDefinition } from '../store/workflow-records.js';
import { namedNodes, type Expressions } from './expressions.js';

export interface VersionFacts {
  definition: WorkflowDefinition;
  /** The nodes whose outputs a mapping names (`all`: one reads `nodes` otherwise). */
  outputsOf: string[] | 'all';
  tasks: ReadonlyMap<number, { appId: number; namespaceId: number }>;
}

/** Versions kept; the oldest is dropped first. */
const MAX_VERSIONS = 1000;

export class WorkflowDecisions {
  readonly #versions = new Map<string, VersionFacts>();

  constructor(readonly expressions: Expressions) {}

  version(workflowId: number, version: number): VersionFacts | undefined {
    return this.#versions.get(`${workflowId}:${version}`);
  }

  remember(
    workflowId: number,
    version: number,
    definition: WorkflowDefinition,
    tasks: ReadonlyMap<number, { appId: number; namespaceId: number }>,
  ): VersionFacts {
    const facts = { definition, outputsOf: this.#namedOutputs(definition), tasks };
    if (this.#versions.size >= MAX_VERSIONS) this.#versions.delete(this.#versions.keys().next().value!);
    this.#versions.set(`${workflowId}:${version}`, facts);
    return facts;
  }

  /**
   * The nodes whose outputs a mapping of the definition names (`nodes.<key>…`), or `all` when
   * one reads `nodes` otherwise (only plain paths are evaluated in a settlement; the rest is left
   * to the advancer).
   */
  #namedOutputs(definition: WorkflowDefinition): string[] | 'all' {
    const named = new Set<string>();
    for (const node of definition.nodes) {
      for (const text of [node.input, node.forEach?.items]) {
        if (text === undefined || !text.includes('nodes')) continue;
        const keys = namedNodes(this.expressions.parse(text));
        if (keys.length === 0) return 'all';
        for (const key of keys) named.add(key);
      }
    }
    return [...named];
  }
}
