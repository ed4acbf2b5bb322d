/**
 * Follows a running run over GET /runs/{id}/stream: each event refreshes the run's cached
 * queries (at most every 500 ms), and the `end` event refreshes them a last time. Closed when
 * the page leaves or the run ends.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useClient } from '../../api/session-context.js';

export function useRunStream(runId: number, running: boolean): void {
  const client = useClient();
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!running) return;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      for (const key of ['run', 'run-track', 'run-events', 'run-logs']) {
        void queryClient.invalidateQueries({ queryKey: [key, runId] });
      }
    };
    const soon = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        refresh();
      }, 500);
    };
    void (async () => {
      try {
        for await (const event of client.runs.stream(runId, { signal: abort.signal })) {
          if (event.event === 'end') break;
          soon();
        }
      } catch {
        // Aborted, or the connection dropped: the run's queries still poll while it runs.
      } finally {
        if (!abort.signal.aborted) refresh();
      }
    })();
    return () => {
      abort.abort();
      if (timer) clearTimeout(timer);
    };
  }, [client, queryClient, runId, running]);
}
