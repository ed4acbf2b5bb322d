/** The selected edge: when it is taken (its condition), and the server's refusal naming it. */
import { Alert, Button, Group, Select, Stack, Text, Textarea, Title } from '@mantine/core';
import type { ConditionKind, EdgeDraft } from './editor-state.js';

const LABELS: Record<ConditionKind, string> = {
  on_success: 'when it succeeds (default)',
  on_failure: 'when it fails',
  always: 'always, whatever its outcome',
  expression: 'when an expression is true',
};

export function EdgeInspector({
  from,
  to,
  edge,
  problems,
  onChange,
  onDelete,
}: {
  from: string;
  to: string;
  edge: EdgeDraft;
  problems: { field: string; message: string }[];
  onChange: (patch: Partial<EdgeDraft>) => void;
  onDelete: () => void;
}) {
  const expressionError = problems.find((p) => p.field.startsWith('condition'))?.message;
  const other = problems.filter((p) => !p.field.startsWith('condition') || edge.condition !== 'expression');
  return (
    <Stack gap="sm" data-testid="edge-inspector">
      <Group justify="space-between">
        <Title order={5}>Edge</Title>
        <Button size="xs" variant="subtle" color="red" onClick={onDelete}>
          Delete edge
        </Button>
      </Group>
      <Text size="sm">
        <b>{from}</b> → <b>{to}</b>: {to} runs after {from}
      </Text>
      {other.map((p) => (
        <Alert key={p.field + p.message} color="red" p="xs" role="alert">
          {p.message}
        </Alert>
      ))}
      <Select
        label="Taken"
        data={Object.entries(LABELS).map(([value, label]) => ({ value, label }))}
        value={edge.condition}
        onChange={(v) => onChange({ condition: (v ?? 'on_success') as ConditionKind })}
        allowDeselect={false}
      />
      {edge.condition === 'expression' ? (
        <Textarea
          label="Expression (JSONata)"
          description={`Over { status, output, input } of ${from}; the edge is taken when it is truthy`}
          placeholder='status = "succeeded" and output.count > 0'
          value={edge.expression}
          onChange={(e) => onChange({ expression: e.currentTarget.value })}
          error={expressionError}
          autosize
          minRows={2}
          styles={{ input: { fontFamily: 'monospace' } }}
        />
      ) : null}
      <Text size="xs" c="dimmed">
        A node waits until every edge into it is decided; a node whose edges are not taken is skipped.
      </Text>
    </Stack>
  );
}
