/**
 * Namespaces (tenants): resolved by name, cached by id for presenting records.
 */
import { KairosError } from '../errors.js';
import type { NamespaceRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { StoreConflictError } from '../store/store.js';

export const DEFAULT_NAMESPACE = 'default';

export class Namespaces {
  private readonly byId = new Map<number, NamespaceRecord>();

  constructor(private readonly store: Store) {}

  async ensureDefault(): Promise<NamespaceRecord> {
    return this.remember(await this.store.ensureNamespace(DEFAULT_NAMESPACE));
  }

  /** The namespace of a request: the named one, or `default`. */
  async resolve(name: string | undefined, field = 'namespace'): Promise<NamespaceRecord> {
    const ns = await this.store.getNamespaceByName(name ?? DEFAULT_NAMESPACE);
    if (!ns) throw new KairosError('NAMESPACE_NOT_FOUND', `namespace "${name}" does not exist`, { field });
    return this.remember(ns);
  }

  /** Refuses a grant naming a namespace that does not exist (400 on `<field>.<i>`). */
  async requireExisting(names: '*' | readonly string[], field = 'namespaces'): Promise<void> {
    if (names === '*') return;
    for (const [i, name] of names.entries()) {
      if (!(await this.store.getNamespaceByName(name))) {
        throw new KairosError('VALIDATION_ERROR', `${field}.${i}: namespace "${name}" does not exist`, {
          field: `${field}.${i}`,
        });
      }
    }
  }

  async nameOf(id: number): Promise<string> {
    const known = this.byId.get(id);
    if (known) return known.name;
    const ns = await this.store.getNamespace(id);
    return ns ? this.remember(ns).name : String(id);
  }

  async create(name: string, description: string | null): Promise<NamespaceRecord> {
    try {
      return this.remember(await this.store.createNamespace({ name, description }));
    } catch (error) {
      if (error instanceof StoreConflictError) {
        throw new KairosError('NAME_TAKEN', `namespace "${name}" already exists`, { field: 'name' });
      }
      throw error;
    }
  }

  private remember(ns: NamespaceRecord): NamespaceRecord {
    this.byId.set(ns.id, ns);
    return ns;
  }
}
