/**
 * The selected node's settings: its key and name, what it runs (an existing task of the
 * namespace, or an inline task of a job type with its config as JSON), its input mapping and
 * its fan-out, both JSONata. The server's refusal is shown on the field it names.
 */
import {
  Alert,
  Button,
  Group,
  JsonInput,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useEffect, useState } from 'react';
import type { Task } from '@kairos/protocol';
import { JOB_TYPES } from '../tasks/task-form-state.js';
import { NODE_KEY, type NodeDraft } from './editor-state.js';

const mono = { input: { fontFamily: 'monospace' } };

export function NodeInspector({
  node,
  tasks,
  problems,
  onChange,
  onRename,
  onDelete,
}: {
  node: NodeDraft;
  tasks: Task[];
  /** The server's refusals naming this node, by field (`input`, `forEach.items`, `task.config.url`…). */
  problems: { field: string; message: string }[];
  onChange: (patch: Partial<NodeDraft>) => void;
  /** Renames the node; answers why not when the key is taken or malformed. */
  onRename: (key: string) => string | null;
  onDelete: () => void;
}) {
  const { errorOf, unshown } = fieldErrors(problems);
  const [key, setKey] = useState(node.key);
  const [keyError, setKeyError] = useState<string | null>(null);
  useEffect(() => {
    setKey(node.key);
    setKeyError(null);
  }, [node.key]);
  const rename = () => {
    if (key === node.key) return;
    setKeyError(NODE_KEY.test(key) ? onRename(key) : 'lower-case letters, digits, _ and -, at most 64');
  };

  return (
    <Stack gap="sm" data-testid="node-inspector">
      <Group justify="space-between">
        <Title order={5}>Node</Title>
        <Button size="xs" variant="subtle" color="red" onClick={onDelete}>
          Delete node
        </Button>
      </Group>
      {unshown.map((p) => (
        <Alert key={p.field + p.message} color="red" p="xs" role="alert">
          {p.field ? `${p.field}: ` : ''}
          {p.message}
        </Alert>
      ))}
      <Group grow align="flex-start">
        <TextInput
          label="Key"
          description="Upstream outputs are read as nodes.<key>"
          value={key}
          onChange={(e) => setKey(e.currentTarget.value)}
          onBlur={rename}
          onKeyDown={(e) => e.key === 'Enter' && (e.preventDefault(), rename())}
          error={keyError ?? errorOf('key')}
          styles={mono}
        />
        <TextInput
          label="Name"
          description="Shown on the graph"
          value={node.name}
          onChange={(e) => onChange({ name: e.currentTarget.value })}
          error={errorOf('name')}
        />
      </Group>
      <SegmentedControl
        aria-label="What the node runs"
        value={node.source}
        onChange={(v) => onChange({ source: v as NodeDraft['source'] })}
        data={[
          { value: 'task', label: 'An existing task' },
          { value: 'inline', label: 'An inline task' },
        ]}
      />
      {node.source === 'task' ? (
        <Select
          label="Task"
          placeholder={tasks.length === 0 ? 'No task in this namespace yet' : 'Pick a task'}
          searchable
          data={tasks.map((t) => ({ value: String(t.id), label: `${t.name} (${t.type})` }))}
          value={node.taskId || null}
          onChange={(v) => onChange({ taskId: v ?? '' })}
          error={errorOf('taskId')}
        />
      ) : (
        <>
          <Select
            label="Job type"
            data={[...JOB_TYPES]}
            value={node.type}
            onChange={(v) => onChange({ type: v ?? 'http' })}
            error={errorOf('task.type')}
            allowDeselect={false}
          />
          <JsonInput
            label="Config (JSON)"
            description="The job type’s config, as a task of this type takes it (see the job types page)"
            value={node.config}
            onChange={(v) => onChange({ config: v })}
            error={errorOf('task.config')}
            autosize
            minRows={3}
            maxRows={12}
            formatOnBlur
            styles={mono}
          />
          <Group grow align="flex-start">
            <TextInput
              label="Timeout (seconds)"
              description="Empty for none"
              value={node.timeoutSeconds}
              onChange={(e) => onChange({ timeoutSeconds: e.currentTarget.value })}
              error={errorOf('task.timeoutSeconds')}
            />
            <TextInput
              label="Attempts"
              description="1 means no retry"
              value={node.maxAttempts}
              onChange={(e) => onChange({ maxAttempts: e.currentTarget.value })}
              error={errorOf('task.retry.maxAttempts')}
            />
          </Group>
        </>
      )}
      <Textarea
        label="Input mapping (JSONata)"
        description="Over { input, nodes: { <key>: { status, output } }, item }; the object it gives is the node run’s input. Empty: the workflow run’s input."
        placeholder='{ "summary": nodes.summarise.output.text }'
        value={node.input}
        onChange={(e) => onChange({ input: e.currentTarget.value })}
        error={errorOf('input')}
        autosize
        minRows={2}
        styles={mono}
      />
      <Switch
        label="Run once per item of a list (for each)"
        checked={node.forEach}
        onChange={(e) => onChange({ forEach: e.currentTarget.checked })}
      />
      {node.forEach ? (
        <Group grow align="flex-start">
          <TextInput
            label="Items (JSONata)"
            description="Gives the list; each run sees its item as item"
            placeholder="nodes.fetch.output.items"
            value={node.forEachItems}
            onChange={(e) => onChange({ forEachItems: e.currentTarget.value })}
            error={errorOf('forEach.items')}
            styles={mono}
          />
          <TextInput
            label="At once"
            description="Empty: 10"
            value={node.forEachConcurrency}
            onChange={(e) => onChange({ forEachConcurrency: e.currentTarget.value })}
            error={errorOf('forEach.concurrency')}
          />
          <Select
            label="When an item fails"
            data={[
              { value: 'continue', label: 'Run the other items' },
              { value: 'fail_fast', label: 'Fail at once, cancel the rest' },
            ]}
            value={node.forEachOnItemFailure}
            onChange={(v) => onChange({ forEachOnItemFailure: v === 'fail_fast' ? 'fail_fast' : 'continue' })}
            error={errorOf('forEach.onItemFailure')}
            allowDeselect={false}
          />
        </Group>
      ) : null}
      <Text size="xs" c="dimmed">
        Draw an edge from this node’s right handle to another node’s left handle.
      </Text>
    </Stack>
  );
}

const SHOWN = [
  'key',
  'name',
  'taskId',
  'task.type',
  'task.config',
  'task.timeoutSeconds',
  'task.retry.maxAttempts',
  'input',
  'forEach.items',
  'forEach.concurrency',
];

/** A field's message (a refusal of `task.config.url` shows on the config), and those no field shows. */
function fieldErrors(problems: { field: string; message: string }[]) {
  const covers = (shown: string, field: string) => field === shown || field.startsWith(`${shown}.`);
  return {
    errorOf: (shown: string) => problems.find((p) => covers(shown, p.field))?.message,
    unshown: problems.filter((p) => !SHOWN.some((shown) => covers(shown, p.field))),
  };
}
