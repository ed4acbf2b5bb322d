/**
 * Named secrets: a value stored once per namespace (sealed with the cluster's secret key), that
 * task configs refer to as `{"$secret": "reports-token"}` and runs resolve when they start, so a
 * token is rotated in one place and never appears in a task. The API never returns a value.
 */
import type { Secret, SecretCreate, SecretUpdate } from '@kairos/protocol';
import { KairosError } from '../errors.js';
import type { Namespaces } from '../services/namespaces.js';
import type { SecretBox } from './secret-box.js';
import type { SecretRecord } from '../store/secret-queries.js';
import type { Store } from '../store/store.js';
import { StoreConflictError } from '../store/store.js';

const notFound = (name: string) =>
  new KairosError('SECRET_NOT_FOUND', `secret "${name}" does not exist in this namespace`);

export class NamedSecrets {
  constructor(
    private readonly store: Store,
    private readonly box: SecretBox,
    private readonly namespaces: Namespaces,
  ) {}

  async create(input: SecretCreate): Promise<Secret> {
    const ns = await this.namespaces.resolve(input.namespace);
    try {
      const record = await this.store.createSecret({
        namespaceId: ns.id,
        name: input.name,
        description: input.description ?? null,
        sealedValue: this.box.seal(input.value),
      });
      return this.present(record, ns.name);
    } catch (error) {
      if (error instanceof StoreConflictError) {
        throw new KairosError(
          'NAME_TAKEN',
          `a secret named "${input.name}" exists already in this namespace`,
          {
            field: 'name',
          },
        );
      }
      throw error;
    }
  }

  async list(namespace: string | undefined): Promise<Secret[]> {
    const ns = await this.namespaces.resolve(namespace);
    return (await this.store.listSecrets(ns.id)).map((s) => this.present(s, ns.name));
  }

  async get(namespace: string | undefined, name: string): Promise<Secret> {
    const ns = await this.namespaces.resolve(namespace);
    const record = await this.store.getSecret(ns.id, name);
    if (!record) throw notFound(name);
    return this.present(record, ns.name);
  }

  /** Rotation: every run that starts from now on uses the new value. */
  async update(namespace: string | undefined, name: string, input: SecretUpdate): Promise<Secret> {
    const ns = await this.namespaces.resolve(namespace);
    const record = await this.store.updateSecret(ns.id, name, {
      sealedValue: this.box.seal(input.value),
      description: input.description,
    });
    if (!record) throw notFound(name);
    return this.present(record, ns.name);
  }

  async delete(namespace: string | undefined, name: string): Promise<void> {
    const ns = await this.namespaces.resolve(namespace);
    if (!(await this.store.deleteSecret(ns.id, name))) throw notFound(name);
  }

  /** Whether the namespace has the secret (a config referring to a missing one is refused). */
  async exists(namespaceId: number, name: string): Promise<boolean> {
    return (await this.store.getSecret(namespaceId, name)) !== undefined;
  }

  /** The value, for a run; throws an Error that names the secret (never its value). */
  async resolve(namespaceId: number, name: string): Promise<string> {
    const record = await this.store.getSecret(namespaceId, name);
    if (!record) throw new Error(`secret "${name}" does not exist in the task's namespace`);
    return this.box.open(record.sealedValue);
  }

  private present(record: SecretRecord, namespace: string): Secret {
    return {
      name: record.name,
      namespace,
      description: record.description,
      createdAt: new Date(record.createdAt).toISOString(),
      updatedAt: new Date(record.updatedAt).toISOString(),
    };
  }
}

/** Every `{"$secret": name}` in a config, with its dotted field path (`config.headers.authorization`). */
export function secretRefsIn(value: unknown, path: string): { field: string; name: string }[] {
  if (isSecretRef(value)) return [{ field: path, name: value.$secret }];
  if (typeof value !== 'object' || value === null) return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return entries.flatMap(([key, child]) => secretRefsIn(child, `${path}.${key}`));
}

export function isSecretRef(value: unknown): value is { $secret: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { $secret?: unknown }).$secret === 'string'
  );
}
