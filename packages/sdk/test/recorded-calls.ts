/**
 * The calls a stand-in server records, and a wait for the state a test expects: checked on each
 * call as it arrives, never by polling on a timer.
 */
export interface RecordedCalls<T> {
  readonly calls: T[];
  record(call: T): void;
  /** Resolves once `check` holds over the calls recorded; rejects after timeoutMs. */
  until(check: (calls: T[]) => boolean, timeoutMs?: number): Promise<void>;
}

export function recordedCalls<T>(): RecordedCalls<T> {
  const calls: T[] = [];
  const waiters = new Set<() => void>();
  return {
    calls,
    record(call) {
      calls.push(call);
      for (const wake of [...waiters]) wake();
    },
    until(check, timeoutMs = 5000) {
      if (check(calls)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const wake = () => {
          if (!check(calls)) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`the expected calls did not arrive in ${timeoutMs} ms: ${JSON.stringify(calls)}`));
        }, timeoutMs);
        waiters.add(wake);
      });
    },
  };
}
