/**
 * How a node looks on the graph: in the editor (what it runs, its fan-out, the server's
 * refusal when it names the node) and in a workflow run (its status, in StatusBadge's colours).
 */
import { Badge, Group, Paper, Text } from '@mantine/core';
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import type { ReactNode } from 'react';
import { StatusBadge, statusColor } from '../../ui/StatusBadge.js';
import { NODE_HEIGHT, NODE_WIDTH } from './layout.js';

/** Big enough to hit with a mouse at the zoom a graph of a dozen nodes opens at. */
const HANDLE = { width: 11, height: 11, background: 'var(--mantine-color-indigo-5)' };
/** A read-only graph's edges still end at the handles; nothing there to grab. */
const HIDDEN = { opacity: 0 };

function NodeFrame({
  border,
  background,
  selected,
  children,
  testId,
  editable = false,
}: {
  editable?: boolean;
  border: string;
  background?: string | undefined;
  selected: boolean;
  children: ReactNode;
  testId: string;
}) {
  return (
    <Paper
      data-testid={testId}
      withBorder
      shadow={selected ? 'md' : 'xs'}
      px="sm"
      py={6}
      w={NODE_WIDTH}
      mih={NODE_HEIGHT}
      style={{
        borderColor: border,
        borderWidth: selected ? 2 : 1,
        borderLeftWidth: 5,
        background: background ?? 'var(--mantine-color-body)',
      }}
    >
      <Handle type="target" position={Position.Left} style={editable ? HANDLE : HIDDEN} />
      {children}
      <Handle type="source" position={Position.Right} style={editable ? HANDLE : HIDDEN} />
    </Paper>
  );
}

export interface EditorNodeData extends Record<string, unknown> {
  key: string;
  title: string;
  runs: string;
  forEach: boolean;
  problem?: string | undefined;
}

export function EditorNode({ data, selected }: NodeProps<Node<EditorNodeData, 'draft'>>) {
  const color = data.problem ? 'var(--mantine-color-red-6)' : 'var(--mantine-color-indigo-5)';
  return (
    <NodeFrame border={color} selected={selected} testId="editor-node" editable>
      <Group justify="space-between" gap={4} wrap="nowrap">
        <Text size="sm" fw={600} truncate>
          {data.title}
        </Text>
        {data.forEach ? (
          <Badge size="xs" variant="light" color="violet">
            for each
          </Badge>
        ) : null}
      </Group>
      <Text size="xs" c="dimmed" truncate>
        {data.runs}
      </Text>
      {data.problem ? (
        <Text size="xs" c="red" lineClamp={2} data-testid="node-problem">
          {data.problem}
        </Text>
      ) : null}
    </NodeFrame>
  );
}

export interface RunNodeData extends Record<string, unknown> {
  key: string;
  title: string;
  /** What it runs (a definition), or how many runs it made (a workflow run). */
  subtitle: string;
  /** A workflow run's node status; none for a definition. */
  status?: string | undefined;
}

export function RunNode({ data, selected }: NodeProps<Node<RunNodeData, 'run'>>) {
  const color = data.status ? statusColor(data.status) : 'indigo';
  return (
    <NodeFrame
      border={`var(--mantine-color-${color}-6)`}
      background={data.status ? `var(--mantine-color-${color}-light)` : undefined}
      selected={selected}
      testId="run-node"
    >
      <Text size="sm" fw={600} truncate>
        {data.title}
      </Text>
      <Group gap={6} wrap="nowrap" mt={2}>
        {data.status ? (
          <div style={{ flexShrink: 0 }}>
            <StatusBadge status={data.status} />
          </div>
        ) : null}
        <Text size="xs" c="dimmed" truncate style={{ minWidth: 0 }}>
          {data.subtitle}
        </Text>
      </Group>
    </NodeFrame>
  );
}

export const editorNodeTypes = { draft: EditorNode };
export const runNodeTypes = { run: RunNode };
