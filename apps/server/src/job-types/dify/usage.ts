/**
 * Token usage and cost of a Dify run. `workflow_finished` carries only `total_tokens`; the split
 * into prompt and completion tokens and the price come from node events. Dify counts nested LLM
 * tokens once, through their container (§2.4 rule 10 of the reference): so totals sum top-level
 * nodes and container completions, while the prompt/completion split (absent on containers) sums
 * every model-using node execution.
 */
import type { Usage } from '@kairos/protocol';
import { num, obj, str } from './events.js';
import type { DifyEvent } from './events.js';

export class UsageTally {
  private totalTokens = 0;
  private totalPrice = 0;
  private prompt = 0;
  private completion = 0;
  private split = false;
  private priced = false;
  private currency: string | undefined;
  private finalTokens: number | undefined;
  /** Node executions counted, so a replayed node_finished is not counted twice. */
  private readonly counted = new Set<string>();

  add(event: DifyEvent): void {
    const d = event.data ?? {};
    switch (event.event) {
      case 'node_finished': {
        const id = str(d.id);
        if (id !== null) {
          if (this.counted.has(id)) return;
          this.counted.add(id);
        }
        const nested = str(d.iteration_id) !== null || str(d.loop_id) !== null;
        if (!nested) this.addMeta(obj(d.execution_metadata));
        const usage = obj(obj(d.outputs)?.usage) ?? obj(obj(d.process_data)?.usage);
        if (usage) {
          const p = num(usage.prompt_tokens);
          const c = num(usage.completion_tokens);
          if (p !== null || c !== null) this.split = true;
          this.prompt += p ?? 0;
          this.completion += c ?? 0;
          if (this.currency === undefined) this.currency = str(usage.currency) ?? undefined;
        }
        return;
      }
      case 'iteration_completed':
      case 'loop_completed': {
        const key = `${event.event}:${String(d.id)}`;
        if (this.counted.has(key)) return;
        this.counted.add(key);
        const meta = obj(d.execution_metadata);
        if (meta) this.addMeta(meta);
        else this.totalTokens += num(d.total_tokens) ?? 0;
        return;
      }
      case 'workflow_finished':
      case 'workflow_paused': {
        const total = num(d.total_tokens);
        if (total !== null) this.finalTokens = total;
        return;
      }
      default:
        return;
    }
  }

  /** From run detail (after a poll), which has the total only. */
  setFinalTokens(total: number | null): void {
    if (total !== null) this.finalTokens = total;
  }

  summary(): Usage | undefined {
    const totalTokens = this.finalTokens ?? this.totalTokens;
    if (totalTokens === 0 && !this.priced && !this.split) return undefined;
    return {
      totalTokens,
      ...(this.split ? { promptTokens: this.prompt, completionTokens: this.completion } : {}),
      ...(this.priced ? { totalPrice: Number(this.totalPrice.toFixed(7)) } : {}),
      ...(this.currency !== undefined ? { currency: this.currency } : {}),
    };
  }

  private addMeta(meta: Record<string, unknown> | null): void {
    if (!meta) return;
    this.totalTokens += num(meta.total_tokens) ?? 0;
    const price = num(meta.total_price);
    if (price !== null) {
      this.totalPrice += price;
      this.priced = true;
    }
    this.currency ??= str(meta.currency) ?? undefined;
  }
}
