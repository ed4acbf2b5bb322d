/**
 * Names for metric labels (namespace, app, task type) by id, from memory. A name is read from
 * the store once per namespace, app or task, never once per run (the runs of a burst that all
 * miss share one read); an app's entry is dropped when the app changes (`app:changed`), a task's
 * when it changes or is deleted.
 */
import type { Store, TaskRecord } from '../store/store.js';

export interface RunLabels {
  namespace: string;
  app: string;
  type: string;
}

/** Names by id, each read at most once at a time. */
class NamesById {
  private readonly names = new Map<number, string>();
  private readonly reading = new Map<number, Promise<string>>();

  constructor(private readonly read: (id: number) => Promise<string>) {}

  known(id: number): string | undefined {
    return this.names.get(id);
  }

  async get(id: number): Promise<string> {
    const known = this.names.get(id);
    if (known !== undefined) return known;
    let reading = this.reading.get(id);
    if (!reading) {
      reading = this.read(id).finally(() => this.reading.delete(id));
      this.reading.set(id, reading);
    }
    const name = await reading;
    this.names.set(id, name);
    return name;
  }

  set(id: number, name: string): void {
    this.names.set(id, name);
  }

  forget(id: number): void {
    this.names.delete(id);
    this.reading.delete(id);
  }
}

export class LabelNames {
  private readonly namespaces: NamesById;
  private readonly apps: NamesById;
  private readonly taskTypes: NamesById;

  constructor(store: Pick<Store, 'getNamespace' | 'getApp' | 'getTask'>) {
    this.namespaces = new NamesById(async (id) => (await store.getNamespace(id))?.name ?? String(id));
    this.apps = new NamesById(async (id) => (await store.getApp(id))?.appName ?? String(id));
    this.taskTypes = new NamesById(async (id) => (await store.getTask(id))?.type ?? 'unknown');
  }

  /** The labels if every name is in memory already (the usual case), else undefined. */
  known(run: { namespaceId: number; appId: number; taskId: number }): RunLabels | undefined {
    const namespace = this.namespaces.known(run.namespaceId);
    const app = this.apps.known(run.appId);
    const type = this.taskTypes.known(run.taskId);
    if (namespace === undefined || app === undefined || type === undefined) return undefined;
    return { namespace, app, type };
  }

  /** The labels, reading from the store only the names not in memory yet. */
  async labels(run: { namespaceId: number; appId: number; taskId: number }): Promise<RunLabels> {
    return (
      this.known(run) ?? {
        namespace: await this.namespaceName(run.namespaceId),
        app: await this.appName(run.appId),
        type: await this.taskType(run.taskId),
      }
    );
  }

  namespaceName(id: number): Promise<string> {
    return this.namespaces.get(id);
  }

  appName(id: number): Promise<string> {
    return this.apps.get(id);
  }

  taskType(id: number): Promise<string> {
    return this.taskTypes.get(id);
  }

  /** Remembers what a payload already carries (the engine's task snapshot). */
  rememberTask(task: Pick<TaskRecord, 'id' | 'type'>): void {
    this.taskTypes.set(task.id, task.type);
  }

  forgetApp(appId: number): void {
    this.apps.forget(appId);
  }

  forgetTask(taskId: number): void {
    this.taskTypes.forget(taskId);
  }
}
