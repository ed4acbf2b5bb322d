/** Runs a workflow now, with an input (empty: the workflow's default input), then opens the run. */
import { Button, Group, JsonInput, Modal, Stack } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { ErrorState } from '../../ui/states.js';
import { useClient } from '../../api/session-context.js';
import type { Workflow } from '@kairos/protocol';

export function RunWorkflowModal({
  workflow,
  opened,
  onClose,
}: {
  workflow: Workflow;
  opened: boolean;
  onClose: () => void;
}) {
  const { workflows } = useClient();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [input, setInput] = useState('');
  const run = useMutation({
    mutationFn: () => {
      let parsed: unknown;
      try {
        parsed = input.trim() === '' ? undefined : JSON.parse(input);
      } catch (error) {
        throw new Error(`The input is not valid JSON (${(error as Error).message})`);
      }
      if (parsed === undefined) return workflows.run(workflow.id, {});
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new Error('The input must be a JSON object');
      }
      return workflows.run(workflow.id, { input: parsed as Record<string, unknown> });
    },
    onSuccess: async (started) => {
      await queryClient.invalidateQueries({ queryKey: ['workflow-runs'] });
      onClose();
      await navigate({ to: '/workflow-runs/$id', params: { id: String(started.id) } });
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title={`Run ${workflow.name} now`} size="lg">
      <Stack>
        <JsonInput
          label="Input (JSON)"
          description="Nodes read it as input; empty runs with the workflow’s default input"
          placeholder={JSON.stringify(workflow.input ?? {})}
          value={input}
          onChange={setInput}
          autosize
          minRows={4}
          formatOnBlur
        />
        {run.isError ? <ErrorState error={run.error} /> : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={() => run.mutate()} loading={run.isPending}>
            Run now
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
