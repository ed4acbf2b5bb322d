/** Run once, with an optional input override (JSON); opens the new run. */
import { Button, Group, JsonInput, Modal, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import type { Task } from '@kairos/protocol';
import { useClient } from '../../api/session-context.js';
import { ErrorState } from '../../ui/states.js';

export function RunOnceModal({
  task,
  opened,
  onClose,
}: {
  task: Task;
  opened: boolean;
  onClose: () => void;
}) {
  const client = useClient();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [input, setInput] = useState('');
  const [parseError, setParseError] = useState<string | null>(null);
  const run = useMutation({
    mutationFn: (body: { input?: unknown }) => client.tasks.run(task.id, body),
    onSuccess: async ({ runId }) => {
      await queryClient.invalidateQueries({ queryKey: ['runs'] });
      onClose();
      await navigate({ to: '/runs/$id', params: { id: String(runId) }, search: {} });
    },
  });
  const submit = () => {
    setParseError(null);
    if (input.trim() === '') return run.mutate({});
    try {
      run.mutate({ input: JSON.parse(input) });
    } catch (error) {
      setParseError(`Input is not valid JSON: ${(error as Error).message}`);
    }
  };
  return (
    <Modal opened={opened} onClose={onClose} title={`Run ${task.name} once`}>
      <Stack>
        <Text size="sm" c="dimmed">
          The run starts now, whatever the schedule; it is recorded with trigger “manual”.
        </Text>
        <JsonInput
          label="Input (optional)"
          description={
            task.type === 'dify_workflow'
              ? 'An object merged over the task’s inputs'
              : 'Handed to the run as its input'
          }
          value={input}
          onChange={setInput}
          error={parseError}
          autosize
          minRows={3}
        />
        {run.isError ? <ErrorState error={run.error} /> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={submit} loading={run.isPending}>
            Run now
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
