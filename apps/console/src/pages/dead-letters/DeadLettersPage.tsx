/**
 * Dead letters: runs whose retries are exhausted. Filters (task, status, state) live in the query
 * string; rows are picked with checkboxes and redriven (run again with their input) or discarded
 * together; each run's refusal, if any, is shown.
 */
import {
  Alert,
  Button,
  Checkbox,
  Group,
  MultiSelect,
  Select,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { DEAD_LETTER_STATUSES, type DeadLetterActionResult } from '@kairos/protocol';
import { useTasks } from '../../api/lookups.js';
import { useClient } from '../../api/session-context.js';
import type { DeadLettersSearch } from '../../routes.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { AnchorLink } from '../../ui/links.js';
import { Empty, ErrorState, Loading } from '../../ui/states.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { Time } from '../../ui/time.js';

const PAGE = 50;
const STATES = ['open', 'redriven', 'discarded', 'all'] as const;
const list = (csv: string | undefined) => (csv ? csv.split(',').filter(Boolean) : []);

export function DeadLettersPage() {
  const search = useSearch({ from: '/dead-letters' });
  const navigate = useNavigate({ from: '/dead-letters' });
  const client = useClient();
  const queryClient = useQueryClient();
  const tasks = useTasks();
  const [picked, setPicked] = useState<Set<number>>(new Set());
  const [outcome, setOutcome] = useState<{ action: string; result: DeadLetterActionResult } | null>(null);
  const setFilter = (patch: Partial<DeadLettersSearch>) => {
    setPicked(new Set());
    void navigate({ search: (s: DeadLettersSearch) => ({ ...s, ...patch, cursor: undefined }) });
  };
  const letters = useQuery({
    queryKey: ['dead-letters', search],
    queryFn: () =>
      client.deadLetters.list({
        taskId: search.taskId,
        status: list(search.status),
        state: (search.state as (typeof STATES)[number] | undefined) ?? 'open',
        cursor: search.cursor,
        limit: PAGE,
      }),
    placeholderData: keepPreviousData,
  });
  const act = useMutation({
    mutationFn: async (action: 'redrive' | 'discard') => ({
      action,
      result: await (action === 'redrive'
        ? client.deadLetters.redrive([...picked])
        : client.deadLetters.discard([...picked])),
    }),
    onSuccess: (done) => {
      setOutcome(done);
      setPicked(new Set());
      void queryClient.invalidateQueries({ queryKey: ['dead-letters'] });
    },
  });
  const items = letters.data?.items ?? [];
  const openIds = items.filter((d) => d.state === 'open').map((d) => d.run.id);
  const toggle = (id: number) =>
    setPicked((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const refused = outcome?.result.items.filter((i) => 'error' in i) ?? [];
  const done = (outcome?.result.items.length ?? 0) - refused.length;

  return (
    <Stack>
      <Title order={2}>Dead letters</Title>
      <Text size="sm" c="dimmed">
        Runs whose retries are exhausted: a final failed, timed out or lost run with no retry after it.
      </Text>
      <Group align="flex-end">
        <Select
          label="Task"
          clearable
          searchable
          data={(tasks.data?.items ?? []).map((t) => ({ value: String(t.id), label: t.name }))}
          value={search.taskId === undefined ? null : String(search.taskId)}
          onChange={(v) => setFilter({ taskId: v ? Number(v) : undefined })}
        />
        <MultiSelect
          label="Status"
          clearable
          data={[...DEAD_LETTER_STATUSES]}
          value={list(search.status)}
          onChange={(v) => setFilter({ status: v.join(',') || undefined })}
          miw={180}
        />
        <Select
          label="State"
          data={[...STATES]}
          value={search.state ?? 'open'}
          onChange={(v) => setFilter({ state: v && v !== 'open' ? v : undefined })}
          allowDeselect={false}
        />
        <ConfirmButton
          label={`Redrive ${picked.size || ''}`.trim()}
          question={`Run the ${picked.size} selected run(s) again with the same input?`}
          confirmLabel="Redrive"
          disabled={picked.size === 0}
          loading={act.isPending && act.variables === 'redrive'}
          onConfirm={() => act.mutate('redrive')}
        />
        <ConfirmButton
          label={`Discard ${picked.size || ''}`.trim()}
          question={`Discard the ${picked.size} selected dead letter(s)? They stay in the history (state "discarded").`}
          confirmLabel="Discard"
          color="red"
          variant="light"
          disabled={picked.size === 0}
          loading={act.isPending && act.variables === 'discard'}
          onConfirm={() => act.mutate('discard')}
        />
      </Group>
      {act.isError ? <ErrorState error={act.error} /> : null}
      {outcome ? (
        <Alert
          color={refused.length > 0 ? 'orange' : 'green'}
          withCloseButton
          onClose={() => setOutcome(null)}
        >
          {outcome.action === 'redrive' ? 'Redriven' : 'Discarded'}: {done}
          {refused.map((item) => (
            <Text size="sm" key={item.runId}>
              Run #{item.runId}: {'error' in item ? item.error.message : ''}
            </Text>
          ))}
        </Alert>
      ) : null}
      {letters.isPending ? (
        <Loading what="dead letters" />
      ) : letters.isError ? (
        <ErrorState error={letters.error} />
      ) : items.length === 0 ? (
        <Empty title="No dead letters">Runs land here when their last retry fails.</Empty>
      ) : (
        <>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>
                  <Checkbox
                    aria-label="Select all"
                    checked={openIds.length > 0 && openIds.every((id) => picked.has(id))}
                    onChange={(e) => setPicked(new Set(e.currentTarget.checked ? openIds : []))}
                  />
                </Table.Th>
                <Table.Th>Run</Table.Th>
                <Table.Th>Task</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Attempt</Table.Th>
                <Table.Th>Finished</Table.Th>
                <Table.Th>Error</Table.Th>
                <Table.Th>State</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((d) => (
                <Table.Tr key={d.run.id} data-testid="dead-letter-row">
                  <Table.Td>
                    <Checkbox
                      aria-label={`Select run ${d.run.id}`}
                      disabled={d.state !== 'open'}
                      checked={picked.has(d.run.id)}
                      onChange={() => toggle(d.run.id)}
                    />
                  </Table.Td>
                  <Table.Td>
                    <AnchorLink to="/runs/$id" params={{ id: String(d.run.id) }} search={{}}>
                      #{d.run.id}
                    </AnchorLink>
                  </Table.Td>
                  <Table.Td>{d.taskName}</Table.Td>
                  <Table.Td>
                    <StatusBadge status={d.run.status} />
                  </Table.Td>
                  <Table.Td>{d.run.attempt}</Table.Td>
                  <Table.Td>
                    <Time iso={d.run.finishedAt} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" lineClamp={2}>
                      {d.run.error ? `${d.run.error.type}: ${d.run.error.message}` : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {d.state === 'redriven' && d.redriveRunId !== null ? (
                      <AnchorLink to="/runs/$id" params={{ id: String(d.redriveRunId) }} search={{}}>
                        redriven → #{d.redriveRunId}
                      </AnchorLink>
                    ) : (
                      d.state
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group justify="flex-end">
            <Button
              variant="default"
              disabled={!search.cursor}
              onClick={() =>
                void navigate({ search: (s: DeadLettersSearch) => ({ ...s, cursor: undefined }) })
              }
            >
              Newest
            </Button>
            <Button
              variant="default"
              disabled={!letters.data.nextCursor}
              onClick={() =>
                void navigate({
                  search: (s: DeadLettersSearch) => ({ ...s, cursor: letters.data.nextCursor ?? undefined }),
                })
              }
            >
              Older
            </Button>
          </Group>
        </>
      )}
    </Stack>
  );
}
