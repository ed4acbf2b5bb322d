/** Runs as a table (TanStack Table): task, status, trigger, times in the viewer's zone, usage. */
import { Table } from '@mantine/core';
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { AnchorLink } from '../../ui/links.js';
import { useMemo } from 'react';
import type { Run } from '@kairos/protocol';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { Time, formatCost, formatDuration } from '../../ui/time.js';

const column = createColumnHelper<Run>();

export function RunTable({ runs, taskNames }: { runs: Run[]; taskNames: Map<number, string> }) {
  const columns = useMemo(
    () => [
      column.accessor('id', {
        header: 'Run',
        cell: (c) => (
          <AnchorLink to="/runs/$id" params={{ id: String(c.getValue()) }} search={{}}>
            #{c.getValue()}
          </AnchorLink>
        ),
      }),
      column.accessor('taskId', {
        header: 'Task',
        cell: (c) => taskNames.get(c.getValue()) ?? `task ${c.getValue()}`,
      }),
      column.accessor('status', { header: 'Status', cell: (c) => <StatusBadge status={c.getValue()} /> }),
      column.accessor('triggerType', { header: 'Trigger' }),
      column.accessor('scheduledAt', { header: 'Scheduled', cell: (c) => <Time iso={c.getValue()} /> }),
      column.accessor('startedAt', { header: 'Started', cell: (c) => <Time iso={c.getValue()} /> }),
      column.accessor('durationMs', { header: 'Duration', cell: (c) => formatDuration(c.getValue()) }),
      column.accessor('attempt', { header: 'Attempt' }),
      column.accessor((r) => r.usage?.totalTokens ?? null, {
        id: 'tokens',
        header: 'Tokens',
        cell: (c) => c.getValue() ?? '—',
      }),
      column.accessor((r) => r.usage?.totalPrice ?? null, {
        id: 'cost',
        header: 'Cost',
        cell: (c) => (c.getValue() === null ? '—' : formatCost(c.getValue(), c.row.original.usage?.currency)),
      }),
    ],
    [taskNames],
  );
  const table = useReactTable({ data: runs, columns, getCoreRowModel: getCoreRowModel() });
  return (
    <Table striped highlightOnHover>
      <Table.Thead>
        {table.getHeaderGroups().map((group) => (
          <Table.Tr key={group.id}>
            {group.headers.map((h) => (
              <Table.Th key={h.id}>{flexRender(h.column.columnDef.header, h.getContext())}</Table.Th>
            ))}
          </Table.Tr>
        ))}
      </Table.Thead>
      <Table.Tbody>
        {table.getRowModel().rows.map((row) => (
          <Table.Tr key={row.id} data-testid="run-row">
            {row.getVisibleCells().map((cell) => (
              <Table.Td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
