/**
 * Names for metric labels (namespace, app, task type) by id, from memory. A name is read from
 * the store once per namespace, app or task, never once per run; an app's entry is dropped when
 * the app changes (`app:changed`), a task's when it changes or is deleted.
 */
import type { Store, TaskRecord } from '../store/store.js';

export interface RunLabels {
  namespace: string;
  app: string;
  type: string;
}

export class LabelNames {
  private readonly namespaces = new Map<number, string>();
  private readonly apps = new Map<number, string>();
  private readonly taskTypes = new Map<number, string>();

  constructor(private readonly store: Pick<Store, 'getNamespace' | 'getApp' | 'getTask'>) {}

  /** The labels if every name is in memory already (the usual case), else undefined. */
  known(run: { namespaceId: number; appId: number; taskId: number }): RunLabels | undefined {
    const namespace = this.namespaces.get(run.namespaceId);
    const app = this.apps.get(run.appId);
    const type = this.taskTypes.get(run.taskId);
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

  async namespaceName(id: number): Promise<string> {
    const known = this.namespaces.get(id);
    if (known !== undefined) return known;
    const name = (await this.store.getNamespace(id))?.name ?? String(id);
    this.namespaces.set(id, name);
    return name;
  }

  async appName(id: number): Promise<string> {
    const known = this.apps.get(id);
    if (known !== undefined) return known;
    const name = (await this.store.getApp(id))?.appName ?? String(id);
    this.apps.set(id, name);
    return name;
  }

  async taskType(id: number): Promise<string> {
    const known = this.taskTypes.get(id);
    if (known !== undefined) return known;
    const type = (await this.store.getTask(id))?.type ?? 'unknown';
    this.taskTypes.set(id, type);
    return type;
  }

  /** Remembers what a payload already carries (the engine's task snapshot). */
  rememberTask(task: Pick<TaskRecord, 'id' | 'type'>): void {
    this.taskTypes.set(task.id, task.type);
  }

  forgetApp(appId: number): void {
    this.apps.delete(appId);
  }

  forgetTask(taskId: number): void {
    this.taskTypes.delete(taskId);
  }
}
