/**
 * Two batches of a task compared item by item (GET /batches/{id}/compare/{otherId}), the first the
 * baseline: totals (improved, regressed, unchanged, outputs that differ, tokens and cost of each
 * side), then the items a page at a time, those that changed first to the eye (a coloured verdict).
 */
import { Badge, Button, Group, Paper, SimpleGrid, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useState } from 'react';
import type { BatchItemComparison, ItemVerdict } from '@kairos/protocol';
import { useClient } from '../../api/session-context.js';
import { AnchorLink } from '../../ui/links.js';
import { ErrorState, Loading } from '../../ui/states.js';
import { StatusBadge } from '../../ui/StatusBadge.js';

const VERDICT_COLOR: Record<ItemVerdict, string> = {
  improved: 'green',
  regressed: 'red',
  unchanged: 'gray',
  pending: 'blue',
};

const signed = (n: number | null): string => (n === null ? '—' : n > 0 ? `+${n}` : String(n));

function RunLink({ id }: { id: number | null }) {
  return id === null ? (
    <>—</>
  ) : (
    <AnchorLink to="/runs/$id" params={{ id: String(id) }} search={{}}>
      {id}
    </AnchorLink>
  );
}

export function BatchComparePage() {
  const { id, otherId } = useParams({ from: '/batches/$id/compare/$otherId' });
  const client = useClient();
  const [all, setAll] = useState(false);
  const comparison = useInfiniteQuery({
    queryKey: ['batches', Number(id), 'compare', Number(otherId)],
    queryFn: ({ pageParam }) =>
      client.batches.compare(Number(id), Number(otherId), { afterSeq: pageParam, limit: 200 }),
    initialPageParam: 0,
    getNextPageParam: (last) => last.nextAfterSeq ?? undefined,
  });
  if (comparison.isPending) return <Loading what="the comparison" />;
  if (comparison.isError) return <ErrorState error={comparison.error} />;
  const first = comparison.data.pages[0]!;
  const t = first.totals;
  const items: BatchItemComparison[] = comparison.data.pages.flatMap((p) => p.items);
  const shown = all ? items : items.filter((i) => i.verdict !== 'unchanged' || !i.outputEqual);
  const batchLink = (batchId: number) => (
    <AnchorLink to="/batches/$id" params={{ id: String(batchId) }}>
      batch {batchId}
    </AnchorLink>
  );
  return (
    <Stack>
      <Title order={2}>
        Compare batch {first.baselineId} and batch {first.candidateId}
      </Title>
      <Text c="dimmed">
        Baseline {batchLink(first.baselineId)}, candidate {batchLink(first.candidateId)}: items paired by
        their line in the dataset.
      </Text>
      <SimpleGrid cols={{ base: 2, md: 6 }} aria-label="Totals">
        <Total label="Items" value={t.items} />
        <Total label="Improved" value={t.improved} color="green" />
        <Total label="Regressed" value={t.regressed} color="red" />
        <Total label="Unchanged" value={t.unchanged} />
        <Total label="Outputs differ" value={t.outputsDiffer} />
        <Total
          label="Tokens"
          value={`${t.tokens.baseline} → ${t.tokens.candidate} (${signed(t.tokens.delta)})`}
        />
      </SimpleGrid>
      <Group justify="space-between">
        <Title order={4}>Items</Title>
        <Switch
          label="Show unchanged items with equal outputs"
          checked={all}
          onChange={(e) => setAll(e.currentTarget.checked)}
        />
      </Group>
      <Table striped aria-label="Compared items">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Item</Table.Th>
            <Table.Th>Verdict</Table.Th>
            <Table.Th>Baseline</Table.Th>
            <Table.Th>Candidate</Table.Th>
            <Table.Th>Output</Table.Th>
            <Table.Th>Tokens Δ</Table.Th>
            <Table.Th>Cost Δ</Table.Th>
            <Table.Th>Runs</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {shown.map((i) => (
            <Table.Tr key={i.seq}>
              <Table.Td>{i.seq}</Table.Td>
              <Table.Td>
                <Badge color={VERDICT_COLOR[i.verdict]} variant="light">
                  {i.verdict}
                </Badge>
              </Table.Td>
              <Table.Td>
                <StatusBadge status={i.baseline.status} />
              </Table.Td>
              <Table.Td>
                <StatusBadge status={i.candidate.status} />
              </Table.Td>
              <Table.Td>{i.outputEqual ? 'same' : 'differs'}</Table.Td>
              <Table.Td>{signed(i.tokensDelta)}</Table.Td>
              <Table.Td>{signed(i.costDelta)}</Table.Td>
              <Table.Td>
                <Group gap={4}>
                  <RunLink id={i.baseline.runId} /> / <RunLink id={i.candidate.runId} />
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {shown.length === 0 ? <Text c="dimmed">No item changed.</Text> : null}
      {comparison.hasNextPage ? (
        <Button
          variant="default"
          onClick={() => void comparison.fetchNextPage()}
          loading={comparison.isFetchingNextPage}
        >
          More items
        </Button>
      ) : null}
    </Stack>
  );
}

function Total({ label, value, color }: { label: string; value: React.ReactNode; color?: string }) {
  return (
    <Paper withBorder p="sm">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="lg" fw={600} c={color}>
        {value}
      </Text>
    </Paper>
  );
}
