/**
 * Two runs side by side (GET /runs/compare): status, input, output, tokens, cost, then node by
 * node (status, elapsed, tokens, outputs); rows that differ are marked.
 */
import { Badge, Code, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useSearch } from '@tanstack/react-router';
import type { ComparedNodeSide, Run } from '@kairos/protocol';
import { useClient } from '../../api/session-context.js';
import { JsonView } from '../../ui/JsonView.js';
import { AnchorLink } from '../../ui/links.js';
import { ErrorState, Loading } from '../../ui/states.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { formatCost, formatDuration } from '../../ui/time.js';

const Same = ({ same }: { same: boolean }) => (
  <Badge color={same ? 'gray' : 'orange'} variant="light" data-testid={same ? 'same' : 'differs'}>
    {same ? 'same' : 'differs'}
  </Badge>
);

const cost = (run: Run) =>
  run.usage?.totalPrice === undefined ? '—' : formatCost(run.usage.totalPrice, run.usage.currency);

function NodeSide({ side }: { side: ComparedNodeSide | null }) {
  if (!side) return <Text c="dimmed">not run</Text>;
  return (
    <Stack gap={2}>
      <Group gap="xs">
        <StatusBadge status={side.status} />
        <Text size="sm">{formatDuration(side.elapsedMs)}</Text>
        {side.tokens !== null ? <Text size="sm">{side.tokens} tokens</Text> : null}
      </Group>
      <JsonView value={side.outputs} />
    </Stack>
  );
}

export function RunComparePage() {
  const { left, right } = useSearch({ from: '/runs/compare' });
  const client = useClient();
  const comparison = useQuery({
    queryKey: ['compare', left, right],
    queryFn: () => client.runs.compare(left ?? 0, right ?? 0),
    enabled: left !== undefined && right !== undefined,
  });
  if (left === undefined || right === undefined)
    return (
      <ErrorState title="Two runs are needed" error={new Error('open this page from a run: Compare with…')} />
    );
  if (comparison.isPending) return <Loading what="the comparison" />;
  if (comparison.isError) return <ErrorState error={comparison.error} />;
  const c = comparison.data;
  const runLink = (run: Run) => (
    <AnchorLink to="/runs/$id" params={{ id: String(run.id) }} search={{}}>
      Run #{run.id}
    </AnchorLink>
  );
  const rows: [string, boolean | null, React.ReactNode, React.ReactNode][] = [
    [
      'Status',
      c.same.status,
      <StatusBadge key="l" status={c.left.status} />,
      <StatusBadge key="r" status={c.right.status} />,
    ],
    ['Trigger', null, c.left.triggerType, c.right.triggerType],
    ['Duration', null, formatDuration(c.left.durationMs), formatDuration(c.right.durationMs)],
    ['Tokens', c.same.tokens, c.left.usage?.totalTokens ?? '—', c.right.usage?.totalTokens ?? '—'],
    ['Cost', c.same.cost, cost(c.left), cost(c.right)],
    [
      'Version',
      null,
      <Code key="l">{c.left.versionPin ?? '—'}</Code>,
      <Code key="r">{c.right.versionPin ?? '—'}</Code>,
    ],
  ];
  return (
    <Stack>
      <Title order={2}>
        Compare run #{c.left.id} and run #{c.right.id}
      </Title>
      <Paper withBorder p="md">
        <Table data-testid="compare-runs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th />
              <Table.Th>{runLink(c.left)}</Table.Th>
              <Table.Th>{runLink(c.right)}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map(([label, same, l, r]) => (
              <Table.Tr key={label}>
                <Table.Td>{label}</Table.Td>
                <Table.Td>{l}</Table.Td>
                <Table.Td>{r}</Table.Td>
                <Table.Td>{same === null ? null : <Same same={same} />}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {(['input', 'output'] as const).map((field) => (
          <Paper withBorder p="md" key={field}>
            <Group gap="xs" mb="xs">
              <Text fw={600}>{field === 'input' ? 'Input' : 'Output'}</Text>
              <Same same={c.same[field]} />
            </Group>
            <SimpleGrid cols={2}>
              <JsonView value={c.left[field]} />
              <JsonView value={c.right[field]} />
            </SimpleGrid>
          </Paper>
        ))}
      </SimpleGrid>
      <Paper withBorder p="md">
        <Text fw={600} mb="xs">
          Nodes
        </Text>
        {c.nodes.length === 0 ? (
          <Text c="dimmed">No node track (not Dify runs).</Text>
        ) : (
          <Table data-testid="compare-nodes">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Node</Table.Th>
                <Table.Th>Run #{c.left.id}</Table.Th>
                <Table.Th>Run #{c.right.id}</Table.Th>
                <Table.Th w={90} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {c.nodes.map((n, i) => (
                <Table.Tr key={`${n.nodeId}-${i}`} data-testid="compare-node">
                  <Table.Td>
                    <Text size="sm">{n.title}</Text>
                    <Text size="xs" c="dimmed">
                      {n.nodeType}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <NodeSide side={n.left} />
                  </Table.Td>
                  <Table.Td>
                    <NodeSide side={n.right} />
                  </Table.Td>
                  <Table.Td w={90}>
                    <Same same={n.same} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
    </Stack>
  );
}
