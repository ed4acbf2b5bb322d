/**
 * Start a batch of a task from its page: a JSONL or CSV file read in the browser and sent as the
 * batch's dataset, the concurrency, shared inputs; opens the batch. The server checks every item
 * and reports the ones it cannot run.
 */
import {
  Button,
  FileInput,
  Group,
  JsonInput,
  Modal,
  NumberInput,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { BATCH_BODY_LIMIT_BYTES, type Task } from '@kairos/protocol';
import { errorOnField } from '../../api/errors.js';
import { useClient } from '../../api/session-context.js';
import { ErrorState } from '../../ui/states.js';

export function StartBatchButton({ task }: { task: Task }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="light" onClick={() => setOpen(true)}>
        Start a batch
      </Button>
      <StartBatchModal task={task} opened={open} onClose={() => setOpen(false)} />
    </>
  );
}

function StartBatchModal({ task, opened, onClose }: { task: Task; opened: boolean; onClose: () => void }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [concurrency, setConcurrency] = useState<number | string>(10);
  const [input, setInput] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const start = useMutation({
    mutationFn: async () => {
      if (!file) throw new Error('Choose a JSONL or CSV file');
      const shared = input.trim() === '' ? undefined : (JSON.parse(input) as Record<string, unknown>);
      return client.batches.start({
        taskId: task.id,
        ...(name.trim() ? { name: name.trim() } : {}),
        concurrency: Number(concurrency),
        ...(shared ? { input: shared } : {}),
        source: {
          type: 'upload',
          format: file.name.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl',
          content: await file.text(),
          filename: file.name,
        },
      });
    },
    onSuccess: async (batch) => {
      await queryClient.invalidateQueries({ queryKey: ['batches'] });
      onClose();
      await navigate({ to: '/batches/$id', params: { id: String(batch.id) } });
    },
  });
  const submit = () => {
    setProblem(null);
    if (file && file.size > BATCH_BODY_LIMIT_BYTES) {
      setProblem(`The file is larger than the limit of ${BATCH_BODY_LIMIT_BYTES} bytes`);
      return;
    }
    try {
      if (input.trim() !== '') JSON.parse(input);
    } catch (error) {
      setProblem(`Shared input is not valid JSON: ${(error as Error).message}`);
      return;
    }
    start.mutate();
  };
  return (
    <Modal opened={opened} onClose={onClose} title={`Start a batch of ${task.name}`} size="lg">
      <Stack>
        <Text size="sm" c="dimmed">
          One run per item: a JSONL file (one object of inputs a line) or a CSV file with a header row naming
          the inputs. {task.type === 'dify_workflow' ? 'Each item is merged over the task’s inputs.' : ''}
        </Text>
        <FileInput
          label="Dataset"
          placeholder="items.jsonl or items.csv"
          accept=".jsonl,.ndjson,.json,.csv,text/csv,application/x-ndjson"
          value={file}
          onChange={setFile}
          error={errorOnField(start.error, 'source.content')}
          clearable
        />
        <TextInput label="Name (optional)" value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <NumberInput
          label="Concurrency"
          description="Items running at once"
          min={1}
          max={1000}
          value={concurrency}
          onChange={setConcurrency}
          error={errorOnField(start.error, 'concurrency')}
        />
        <JsonInput
          label="Shared input (optional)"
          description="An object under every item's input (the item's fields win)"
          value={input}
          onChange={setInput}
          autosize
          minRows={2}
        />
        {problem ? <ErrorState error={new Error(problem)} title="Cannot start" /> : null}
        {start.isError && !errorOnField(start.error, 'source.content') ? (
          <ErrorState error={start.error} />
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={submit} loading={start.isPending} disabled={!file}>
            Start batch
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
