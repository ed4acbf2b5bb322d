/**
 * One simulated workflow run: it plays its script on a timer whether or not anyone listens (as
 * Dify's runs go on when the client disconnects), keeps what it sent for re-attach and run
 * detail, and ends `stopped` when asked to stop.
 */
import type { Script, ScriptEvent } from './script.js';

export type Listener = (chunk: ScriptEvent | null) => void;

export class SimRun {
  status: 'running' | 'succeeded' | 'failed' | 'stopped' | 'partial-succeeded' = 'running';
  readonly sent: ScriptEvent[] = [];
  finishedData: Record<string, unknown> | undefined;
  private readonly listeners = new Set<Listener>();
  private stopAsked = false;
  private next = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly runId: string,
    readonly taskId: string,
    readonly user: string,
    readonly inputs: Record<string, unknown>,
    readonly createdAt: number,
    private readonly script: Script,
    private readonly stepMs: number,
  ) {}

  get workflowId(): string {
    return String(this.script.final.workflow_id);
  }

  start(): void {
    this.timer = setTimeout(() => this.step(), 0);
  }

  stop(): void {
    this.stopAsked = true;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ends the run at once (server shutdown). */
  dispose(): void {
    clearTimeout(this.timer);
    this.listeners.clear();
  }

  private step(): void {
    if (this.stopAsked) {
      const now = Math.floor(Date.now() / 1000);
      this.finish({
        ...this.script.final,
        status: 'stopped',
        outputs: {},
        error: 'Stopped by user.',
        finished_at: now,
      });
      return;
    }
    const event = this.script.events[this.next++];
    if (event === undefined) {
      this.finish(this.script.final);
      return;
    }
    this.publish(event);
    this.timer = setTimeout(() => this.step(), this.stepMs);
  }

  private finish(data: Record<string, unknown>): void {
    this.finishedData = data;
    this.status = data.status as SimRun['status'];
    this.publish({ event: 'workflow_finished', data });
    for (const l of this.listeners) l(null);
    this.listeners.clear();
  }

  private publish(event: ScriptEvent): void {
    this.sent.push(event);
    for (const l of this.listeners) l(event);
  }
}
