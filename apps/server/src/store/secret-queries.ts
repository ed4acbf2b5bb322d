/**
 * Named secrets: values sealed by the caller (SecretBox), unique by name in their
 * namespace. Both dialects.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, SecretsTable } from './db-schema.js';
import { mapConflict } from './db-errors.js';
import { StoreConflictError } from './store.js';

export interface SecretRecord {
  id: number;
  namespaceId: number;
  name: string;
  description: string | null;
  /** The sealed value (SecretBox); never leaves the server. */
  sealedValue: string;
  createdAt: number;
  updatedAt: number;
}

export interface SecretStore {
  /** Throws StoreConflictError when the namespace has a secret of that name. */
  createSecret(secret: Omit<SecretRecord, 'id' | 'createdAt' | 'updatedAt'>): Promise<SecretRecord>;
  getSecret(namespaceId: number, name: string): Promise<SecretRecord | undefined>;
  /** The namespace's secrets by name (all of them: a namespace has few). */
  listSecrets(namespaceId: number): Promise<SecretRecord[]>;
  /** Replaces the value (rotation) and, when given, the description. Undefined when unknown. */
  updateSecret(
    namespaceId: number,
    name: string,
    patch: { sealedValue: string; description?: string | null | undefined },
  ): Promise<SecretRecord | undefined>;
  deleteSecret(namespaceId: number, name: string): Promise<boolean>;
}

const toRecord = (row: Selectable<SecretsTable>): SecretRecord => ({
  id: Number(row.id),
  namespaceId: Number(row.namespace_id),
  name: row.name,
  description: row.description,
  sealedValue: row.value,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

export function secretOperations(parts: { db: Kysely<Database>; now: () => number }): SecretStore {
  const { db, now } = parts;
  return {
    async createSecret(secret) {
      const at = now();
      const row = await mapConflict(
        'unique',
        () =>
          new StoreConflictError(
            `a secret named "${secret.name}" exists already in this namespace`,
            'secrets_namespace_name_key',
          ),
        () =>
          db
            .insertInto('secrets')
            .values({
              namespace_id: secret.namespaceId,
              name: secret.name,
              description: secret.description,
              value: secret.sealedValue,
              created_at: at,
              updated_at: at,
            })
            .returningAll()
            .executeTakeFirstOrThrow(),
      );
      return toRecord(row);
    },
    async getSecret(namespaceId, name) {
      const row = await db
        .selectFrom('secrets')
        .selectAll()
        .where('namespace_id', '=', namespaceId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row && toRecord(row);
    },
    async listSecrets(namespaceId) {
      const rows = await db
        .selectFrom('secrets')
        .selectAll()
        .where('namespace_id', '=', namespaceId)
        .orderBy('name')
        .execute();
      return rows.map(toRecord);
    },
    async updateSecret(namespaceId, name, patch) {
      const row = await db
        .updateTable('secrets')
        .set({
          value: patch.sealedValue,
          updated_at: now(),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
        })
        .where('namespace_id', '=', namespaceId)
        .where('name', '=', name)
        .returningAll()
        .executeTakeFirst();
      return row && toRecord(row);
    },
    async deleteSecret(namespaceId, name) {
      const result = await db
        .deleteFrom('secrets')
        .where('namespace_id', '=', namespaceId)
        .where('name', '=', name)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
