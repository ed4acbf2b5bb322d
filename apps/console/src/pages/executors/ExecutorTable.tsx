/** Executors with address, mode, status and last heartbeat. */
import { Table } from '@mantine/core';
import type { Executor } from '@kairos/protocol';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { Time } from '../../ui/time.js';

export function ExecutorTable({ executors, showApp = true }: { executors: Executor[]; showApp?: boolean }) {
  return (
    <Table striped>
      <Table.Thead>
        <Table.Tr>
          {showApp ? <Table.Th>App</Table.Th> : null}
          <Table.Th>Address</Table.Th>
          <Table.Th>Mode</Table.Th>
          <Table.Th>Protocol</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Last heartbeat</Table.Th>
          <Table.Th>Running</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {executors.map((e) => (
          <Table.Tr key={e.id}>
            {showApp ? <Table.Td>{e.appName}</Table.Td> : null}
            <Table.Td>{e.address}</Table.Td>
            <Table.Td>{e.mode}</Table.Td>
            <Table.Td>{e.protocol}</Table.Td>
            <Table.Td>
              <StatusBadge status={e.status} />
            </Table.Td>
            <Table.Td>
              <Time iso={e.lastHeartbeatAt} />
            </Table.Td>
            <Table.Td>{e.runningRuns}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
