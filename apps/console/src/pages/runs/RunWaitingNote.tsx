/** A due run kept waiting: for its provider pool (queued) or by a budget (held), since when and until when. */
import { Alert, Text } from '@mantine/core';
import type { Run } from '@kairos/protocol';
import { Time } from '../../ui/time.js';

export function RunWaitingNote({ run }: { run: Run }) {
  const w = run.waiting;
  if (!w || run.status !== 'scheduled') return null;
  const title = w.reason === 'pool' ? `Queued: waiting for pool ${w.pool}` : 'Held by a budget';
  return (
    <Alert color="yellow" title={title} aria-label="Waiting">
      <Text size="sm">{w.message}</Text>
      <Text size="sm" c="dimmed">
        Waiting since <Time iso={w.since} />
        {w.until ? (
          <>
            {' '}
            · looked at again at <Time iso={w.until} />
          </>
        ) : (
          ' · looked at again when a run of the pool ends'
        )}
      </Text>
    </Alert>
  );
}
