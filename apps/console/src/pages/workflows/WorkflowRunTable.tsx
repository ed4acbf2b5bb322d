/** A workflow's runs: status, trigger, when, how long, and the run a resume started from. */
import { Table } from '@mantine/core';
import { AnchorLink } from '../../ui/links.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { Time, formatDuration } from '../../ui/time.js';
import type { WorkflowRun } from '@kairos/protocol';

const durationOf = (r: WorkflowRun): number | null =>
  r.startedAt && r.finishedAt ? Date.parse(r.finishedAt) - Date.parse(r.startedAt) : null;

export function WorkflowRunTable({ runs }: { runs: WorkflowRun[] }) {
  return (
    <Table striped highlightOnHover>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Run</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Trigger</Table.Th>
          <Table.Th>Version</Table.Th>
          <Table.Th>Created</Table.Th>
          <Table.Th>Duration</Table.Th>
          <Table.Th>Nodes</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {runs.map((r) => (
          <Table.Tr key={r.id} data-testid="workflow-run-row">
            <Table.Td>
              <AnchorLink to="/workflow-runs/$id" params={{ id: String(r.id) }}>
                #{r.id}
              </AnchorLink>
              {r.resumedFrom ? ` (resumes #${r.resumedFrom})` : ''}
            </Table.Td>
            <Table.Td>
              <StatusBadge status={r.status} />
            </Table.Td>
            <Table.Td>{r.triggerType}</Table.Td>
            <Table.Td>v{r.version}</Table.Td>
            <Table.Td>
              <Time iso={r.createdAt} />
            </Table.Td>
            <Table.Td>{formatDuration(durationOf(r))}</Table.Td>
            <Table.Td>{nodeTally(r)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** "3 succeeded, 1 failed": the node statuses of a run, most common first. */
export function nodeTally(r: WorkflowRun): string {
  const counts = new Map<string, number>();
  for (const n of r.nodes) counts.set(n.status, (counts.get(n.status) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([status, n]) => `${n} ${status.replace('_', ' ')}`)
    .join(', ');
}
