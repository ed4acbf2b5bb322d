/**
 * Apps: a group of tasks with an appName and an access token (executors present it). The token
 * is returned in full only at creation and rotation; the store keeps its hash.
 */
import type { z } from 'zod';
import type { AppCreate, AppUpdate } from '@kairos/protocol';
import { KairosError } from '../errors.js';
import type { AppRecord } from '../store/records.js';
import type { NewApp, Store } from '../store/store.js';
import { StoreConflictError } from '../store/store.js';
import type { EventBus } from '../events.js';
import type { Namespaces } from './namespaces.js';
import { generateToken, hashToken, tokenHint } from '../secrets/token-hash.js';

export const APP_TOKEN_PREFIX = 'kat';

export class AppService {
  constructor(
    private readonly store: Store,
    private readonly namespaces: Namespaces,
    private readonly events: EventBus,
  ) {}

  /** By numeric id, or by appName in the namespace. */
  async find(ref: string, namespace?: string): Promise<AppRecord> {
    const app = /^\d+$/.test(ref)
      ? await this.store.getApp(Number(ref))
      : await this.store.getAppByName((await this.namespaces.resolve(namespace)).id, ref);
    if (!app) throw new KairosError('APP_NOT_FOUND', `app ${ref} does not exist`);
    return app;
  }

  async create(input: z.output<typeof AppCreate>): Promise<{ app: AppRecord; accessToken: string }> {
    const ns = await this.namespaces.resolve(input.namespace);
    const { app: draft, accessToken } = this.draft(ns.id, input);
    try {
      const app = await this.store.createApp(draft);
      return { app, accessToken };
    } catch (error) {
      if (error instanceof StoreConflictError) {
        throw new KairosError(
          'APP_NAME_TAKEN',
          `appName "${input.appName}" is already used in namespace ${ns.name}`,
          {
            field: 'appName',
          },
        );
      }
      throw error;
    }
  }

  /** A new app's row, with a fresh access token (apply stores it in its own transaction). */
  draft(
    namespaceId: number,
    input: Pick<z.output<typeof AppCreate>, 'appName' | 'name' | 'maxConcurrency'> & {
      description?: string | null | undefined;
    },
  ): { app: NewApp; accessToken: string } {
    const accessToken = generateToken(APP_TOKEN_PREFIX);
    return {
      app: {
        namespaceId,
        appName: input.appName,
        name: input.name,
        description: input.description ?? null,
        maxConcurrency: input.maxConcurrency ?? null,
        accessTokenHash: hashToken(accessToken),
        accessTokenHint: tokenHint(accessToken),
      },
      accessToken,
    };
  }

  async update(ref: string, patch: z.output<typeof AppUpdate>): Promise<AppRecord> {
    const app = await this.find(ref);
    const updated = await this.store.updateApp(app.id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.maxConcurrency !== undefined ? { maxConcurrency: patch.maxConcurrency } : {}),
    });
    this.changed(app);
    return updated!;
  }

  async rotateToken(ref: string): Promise<{ app: AppRecord; accessToken: string }> {
    const app = await this.find(ref);
    const accessToken = generateToken(APP_TOKEN_PREFIX);
    const updated = await this.store.updateApp(app.id, {
      accessTokenHash: hashToken(accessToken),
      accessTokenHint: tokenHint(accessToken),
    });
    this.changed(app);
    return { app: updated!, accessToken };
  }

  async delete(ref: string): Promise<void> {
    const app = await this.find(ref);
    try {
      await this.store.deleteApp(app.id);
      this.changed(app);
    } catch (error) {
      if (error instanceof StoreConflictError) {
        throw new KairosError('IN_USE', `app ${app.appName} still has tasks: delete or move them first`);
      }
      throw error;
    }
  }

  /** Announces a change of the app (also one stored by apply's transaction). */
  changed(app: Pick<AppRecord, 'id' | 'appName'>): void {
    this.events.emit('app:changed', { appId: app.id, appName: app.appName });
  }
}
