/**
 * "Replay…" on a finished batch: its items run again as a new batch, pinned to a workflow version
 * (optional: the task's current one), and the new batch opens; its page then offers the comparison.
 */
import { Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import type { Batch } from '@kairos/protocol';
import { useClient } from '../../api/session-context.js';
import { errorOnField } from '../../api/errors.js';
import { ErrorState } from '../../ui/states.js';

export function ReplayBatchButton({ batch }: { batch: Batch }) {
  const client = useClient();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [workflowId, setWorkflowId] = useState('');
  const replay = useMutation({
    mutationFn: () =>
      client.batches.replay(batch.id, workflowId.trim() === '' ? {} : { workflowId: workflowId.trim() }),
    onSuccess: (created) => {
      setOpen(false);
      void queryClient.invalidateQueries({ queryKey: ['batches'] });
      void navigate({ to: '/batches/$id', params: { id: String(created.id) } });
    },
  });
  const fieldError = errorOnField(replay.error, 'workflowId');
  return (
    <>
      <Button variant="light" onClick={() => setOpen(true)}>
        Replay…
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={`Replay batch ${batch.id}`}>
        <Stack>
          <TextInput
            label="Workflow version (optional)"
            description="A Dify workflow_id to pin every run to; empty: the version the task runs now"
            placeholder="7f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
            value={workflowId}
            onChange={(e) => setWorkflowId(e.currentTarget.value)}
            error={fieldError}
            data-autofocus
          />
          {replay.isError && !fieldError ? <ErrorState error={replay.error} /> : null}
          <Group justify="flex-end">
            <Button onClick={() => replay.mutate()} loading={replay.isPending}>
              Replay {batch.progress.total} items
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
