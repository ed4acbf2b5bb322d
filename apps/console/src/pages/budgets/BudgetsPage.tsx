/**
 * Budgets and provider pools of a namespace: where each budget stands (added, edited and removed
 * here, BudgetEditor.tsx), each pool's limits and queue.
 */
import { Badge, Button, Group, Paper, Select, Stack, Table, Text, Title } from '@mantine/core';
import type { BudgetState } from '@kairos/protocol';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useClient } from '../../api/session-context.js';
import { Empty, ErrorState, Loading } from '../../ui/states.js';
import { BudgetEditor } from './BudgetEditor.js';
import { BudgetMeter } from './BudgetMeter.js';

export function BudgetsPage() {
  const client = useClient();
  const [namespace, setNamespace] = useState('default');
  /** The budget being edited; null: a new one; undefined: the editor is closed. */
  const [editing, setEditing] = useState<BudgetState | null | undefined>(undefined);
  const namespaces = useQuery({ queryKey: ['namespaces'], queryFn: () => client.namespaces.list() });
  const budgets = useQuery({
    queryKey: ['budgets', namespace],
    queryFn: () => client.budgets.list({ namespace }),
    refetchInterval: 15_000,
  });
  const pools = useQuery({
    queryKey: ['pools', namespace],
    queryFn: () => client.pools.list({ namespace }),
    refetchInterval: 5_000,
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Budgets and pools</Title>
        <Select
          aria-label="Namespace"
          data={(namespaces.data?.items ?? [{ name: 'default' }]).map((n) => n.name)}
          value={namespace}
          onChange={(v) => setNamespace(v ?? 'default')}
          allowDeselect={false}
        />
      </Group>
      <Group justify="space-between">
        <Title order={3}>Budgets</Title>
        <Button variant="light" onClick={() => setEditing(null)}>
          Add a budget
        </Button>
      </Group>
      {editing !== undefined ? (
        <BudgetEditor
          key={editing ? `${editing.scope.kind}${editing.scope.id}` : 'new'}
          namespace={namespace}
          existing={editing ?? undefined}
          opened
          onClose={() => setEditing(undefined)}
        />
      ) : null}
      {budgets.isPending ? (
        <Loading what="budgets" />
      ) : budgets.isError ? (
        <ErrorState error={budgets.error} />
      ) : budgets.data.items.length === 0 ? (
        <Empty title="No budget in this namespace">
          Give a task, an app or the namespace a budget (Add a budget, `budget` in its definition, or `kairos
          budgets set-namespace`); runs due once it is used up are skipped or held until the next period.
        </Empty>
      ) : (
        budgets.data.items.map((b) => (
          <Paper withBorder p="md" key={`${b.scope.kind}${b.scope.id}`}>
            <Group justify="space-between" mb={4}>
              <Text size="sm" fw={600}>
                {b.scope.kind} {b.scope.name}
              </Text>
              <Button
                size="xs"
                variant="subtle"
                aria-label={`Edit budget (${b.scope.kind} ${b.scope.name})`}
                onClick={() => setEditing(b)}
              >
                Edit
              </Button>
            </Group>
            <BudgetMeter budget={b} />
          </Paper>
        ))
      )}
      <Title order={3}>Provider pools</Title>
      {pools.isPending ? (
        <Loading what="pools" />
      ) : pools.isError ? (
        <ErrorState error={pools.error} />
      ) : pools.data.items.length === 0 ? (
        <Empty title="No pool in this namespace">
          Create one with `kairos pools create NAME --rpm N`; tasks that name it wait, queued, rather than hit
          the provider’s limit.
        </Empty>
      ) : (
        <Table aria-label="Pools">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Pool</Table.Th>
              <Table.Th>Requests/min</Table.Th>
              <Table.Th>Tokens/min</Table.Th>
              <Table.Th>Concurrency</Table.Th>
              <Table.Th>Queued here</Table.Th>
              <Table.Th>Running here</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {pools.data.items.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>
                  {p.name}{' '}
                  {p.live.backoffUntil ? (
                    <Badge color="orange" size="sm">
                      backing off until {p.live.backoffUntil}
                    </Badge>
                  ) : null}
                </Table.Td>
                <Table.Td>{p.requestsPerMinute ?? '—'}</Table.Td>
                <Table.Td>{p.tokensPerMinute ?? '—'}</Table.Td>
                <Table.Td>{p.concurrency ?? '—'}</Table.Td>
                <Table.Td>{p.live.queued}</Table.Td>
                <Table.Td>{p.live.running}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
