/**
 * The Track tab: the node tree in execution order, each node with status, type, title, a bar on
 * the shared time axis, tokens and price; iteration and loop nodes open into Round 1, Round 2…;
 * branch nodes say which branch they took; a click shows the node's inputs, outputs, process
 * data and error.
 */
import { Badge, Box, Grid, Group, Paper, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useClient } from '../../api/session-context.js';
import { JsonView } from '../../ui/JsonView.js';
import { Empty, ErrorState, Loading } from '../../ui/states.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { formatCost, formatDuration } from '../../ui/time.js';
import { barOf, branchLabel, timeAxisOf, type TimeAxis, type TrackNode } from './track-model.js';

export function TrackTab({ runId, live }: { runId: number; live: boolean }) {
  const client = useClient();
  const track = useQuery({
    queryKey: ['run-track', runId],
    queryFn: () => client.runs.track(runId),
    refetchInterval: live ? 2_000 : false,
  });
  const [selected, setSelected] = useState<TrackNode | null>(null);
  if (track.isPending) return <Loading what="the track" />;
  if (track.isError) return <ErrorState error={track.error} />;
  const nodes = track.data.nodes as unknown as TrackNode[];
  if (nodes.length === 0) {
    return (
      <Empty title="No node track">
        Only Dify workflow runs have a node track; it fills in as the workflow’s nodes run.
      </Empty>
    );
  }
  const axis = timeAxisOf(nodes);
  return (
    <Grid>
      <Grid.Col span={{ base: 12, md: 7 }}>
        <Stack gap={2} data-testid="track">
          {nodes.map((n) => (
            <NodeRow key={n.id} node={n} axis={axis} depth={0} selected={selected} onSelect={setSelected} />
          ))}
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 5 }}>
        {selected ? (
          <NodeDetails node={selected} />
        ) : (
          <Text size="sm" c="dimmed">
            Click a node to see its inputs, outputs, process data and error.
          </Text>
        )}
      </Grid.Col>
    </Grid>
  );
}

interface RowProps {
  node: TrackNode;
  axis: TimeAxis;
  depth: number;
  selected: TrackNode | null;
  onSelect: (node: TrackNode) => void;
}

function NodeRow({ node, axis, depth, selected, onSelect }: RowProps) {
  const bar = barOf(node, axis);
  const branch = branchLabel(node);
  const retries = node.attempts?.length ?? 0;
  return (
    <>
      <UnstyledButton
        onClick={() => onSelect(node)}
        aria-pressed={selected?.id === node.id}
        data-testid="track-node"
        p={4}
        pl={8 + depth * 20}
        style={{
          borderRadius: 4,
          background: selected?.id === node.id ? 'var(--mantine-color-indigo-0)' : undefined,
        }}
      >
        <Group gap="xs" wrap="nowrap">
          <StatusBadge status={node.status} />
          <Text size="xs" c="dimmed" w={110} truncate>
            {node.nodeType}
          </Text>
          <Text size="sm" fw={500} w={160} truncate>
            {node.title}
          </Text>
          <Box
            style={{ flex: 1, position: 'relative', height: 10, background: 'var(--mantine-color-gray-1)' }}
          >
            {bar ? (
              <Box
                style={{
                  position: 'absolute',
                  left: `${bar.left}%`,
                  width: `${bar.width}%`,
                  top: 0,
                  bottom: 0,
                  background:
                    node.status === 'succeeded'
                      ? 'var(--mantine-color-teal-5)'
                      : 'var(--mantine-color-red-5)',
                }}
              />
            ) : null}
          </Box>
          <Text size="xs" w={64} ta="right">
            {formatDuration(node.elapsedMs)}
          </Text>
          <Text size="xs" w={64} ta="right" c="dimmed">
            {node.tokens ? `${node.tokens} tok` : ''}
          </Text>
        </Group>
        {branch || retries > 0 || node.completedReason ? (
          <Group gap={4} pl={120} mt={2}>
            {branch ? (
              <Badge size="xs" variant="outline">
                took {branch}
              </Badge>
            ) : null}
            {retries > 0 ? (
              <Badge size="xs" color="orange">
                {retries + 1} attempts
              </Badge>
            ) : null}
            {node.completedReason ? (
              <Badge size="xs" color="gray">
                {node.completedReason}
              </Badge>
            ) : null}
          </Group>
        ) : null}
      </UnstyledButton>
      {(node.rounds ?? []).map((round) => (
        <Round
          key={round.index}
          round={round}
          axis={axis}
          depth={depth + 1}
          selected={selected}
          onSelect={onSelect}
        />
      ))}
    </>
  );
}

function Round({
  round,
  axis,
  depth,
  selected,
  onSelect,
}: Omit<RowProps, 'node'> & { round: NonNullable<TrackNode['rounds']>[number] }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <UnstyledButton onClick={() => setOpen((o) => !o)} aria-expanded={open} pl={8 + depth * 20} py={2}>
        <Text size="sm" c="indigo">
          {open ? '▾' : '▸'} Round {round.index + 1}{' '}
          <Text span size="xs" c="dimmed">
            {round.nodes.length} nodes · {formatDuration(round.elapsedMs)}
          </Text>
        </Text>
      </UnstyledButton>
      {open
        ? round.nodes.map((n) => (
            <NodeRow
              key={n.id}
              node={n}
              axis={axis}
              depth={depth + 1}
              selected={selected}
              onSelect={onSelect}
            />
          ))
        : null}
    </>
  );
}

function NodeDetails({ node }: { node: TrackNode }) {
  const branch = branchLabel(node);
  return (
    <Paper withBorder p="md" data-testid="node-details">
      <Stack gap="xs">
        <Title order={4}>{node.title}</Title>
        <Group gap="xs">
          <StatusBadge status={node.status} />
          <Text size="sm">{node.nodeType}</Text>
          <Text size="sm">{formatDuration(node.elapsedMs)}</Text>
          {node.tokens ? <Text size="sm">{node.tokens} tokens</Text> : null}
          {node.price ? <Text size="sm">{formatCost(node.price, node.currency)}</Text> : null}
        </Group>
        {branch ? <Text size="sm">Branch taken: {branch}</Text> : null}
        {node.error ? (
          <Text size="sm" c="red">
            Error: {node.error}
          </Text>
        ) : null}
        {(node.attempts ?? []).map((a) => (
          <Text size="xs" key={a.index} c="dimmed">
            Attempt {a.index}: {a.status} {a.error ?? ''} ({formatDuration(a.elapsedMs)})
          </Text>
        ))}
        <Text fw={600} size="sm">
          Inputs
        </Text>
        <JsonView value={node.inputs} expanded />
        <Text fw={600} size="sm">
          Outputs
        </Text>
        <JsonView value={node.outputs} expanded />
        <Text fw={600} size="sm">
          Process data
        </Text>
        <JsonView value={node.processData} />
      </Stack>
    </Paper>
  );
}
