/**
 * The job types a server knows. Adding a type means its own file in this folder and one line in
 * builtInJobTypes(); the scheduler and run engine look types up here by the task's `type`.
 */
import { KairosError } from '../errors.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { LatencyTuning } from '../runtime/latency-tuning.js';
import { difyJobType } from './dify/dify-job-type.js';
import { serverGuards } from '../outbound/namespace-guards.js';
import type { GuardSource } from '../outbound/namespace-guards.js';
import { OutboundPolicy } from '../outbound/outbound-policy.js';
import type { NamedSecretResolver } from './http-secrets.js';
import { createHttpJobType, httpJobType } from './http.js';
import type { JobType } from './job-type.js';
import { scriptJobType } from './script.js';

/** What built-in types need from the node (types that need a missing one are left out). */
export interface BuiltInJobTypeDeps {
  /** Encrypts secrets in task configs (dify_workflow API keys). */
  secrets?: SecretBox | undefined;
  /** Where http and Dify requests may go, per namespace (absent: the default policy). */
  guards?: GuardSource | undefined;
  /** Named secrets (`{"$secret": "name"}` in configs), resolved when a run starts. */
  named?: NamedSecretResolver | undefined;
  /** false: no `script` type (KAIROS_SCRIPT_TASKS=off). */
  scriptTasks?: boolean | undefined;
  /** The node's latency layers (Dify: warmed connections, paced stream reads); absent: none. */
  latency?: LatencyTuning | undefined;
}

/** The types every server starts with. */
export function builtInJobTypes(deps: BuiltInJobTypeDeps = {}): JobType[] {
  return [
    deps.guards || deps.secrets
      ? createHttpJobType(deps.guards ?? serverGuards(new OutboundPolicy()), {
          box: deps.secrets,
          named: deps.named,
        })
      : httpJobType,
    ...(deps.scriptTasks === false ? [] : [scriptJobType]),
    ...(deps.secrets
      ? [difyJobType(deps.secrets, deps.guards, deps.latency) as JobType<never> as JobType]
      : []),
  ] as JobType[];
}

export class JobTypeRegistry {
  readonly #types = new Map<string, JobType>();

  constructor(types: Iterable<JobType> = []) {
    for (const type of types) this.register(type);
  }

  /** Throws on a second type of the same name: silently replacing a built-in would surprise. */
  register(type: JobType): this {
    if (this.#types.has(type.name)) throw new Error(`job type "${type.name}" is already registered`);
    this.#types.set(type.name, type);
    return this;
  }

  get(name: string): JobType | undefined {
    return this.#types.get(name);
  }

  /** Like get(), for a task's `type` field: an unknown name is the request's fault. */
  require(name: string): JobType {
    const type = this.#types.get(name);
    if (type === undefined) {
      throw new KairosError(
        'UNKNOWN_JOB_TYPE',
        `unknown job type "${name}"; known types: ${this.names().join(', ')}`,
        {
          field: 'type',
        },
      );
    }
    return type;
  }

  /** Sorted, for stable listings. */
  names(): string[] {
    return [...this.#types.keys()].sort();
  }
}
