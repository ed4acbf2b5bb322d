/** A run's "Output checks": each rule of its task's output gate, passed or not, and the judge's answer. */
import { Badge, Group, Paper, Stack, Table, Text } from '@mantine/core';
import type { OutputChecks as Checks } from '@kairos/protocol';
import { AnchorLink } from '../../ui/links.js';

export function OutputChecks({ checks }: { checks: Checks }) {
  const { judge } = checks;
  return (
    <Paper withBorder p="md" data-testid="output-checks">
      <Stack gap="xs">
        <Group gap="xs">
          <Text fw={600}>Output checks</Text>
          <Badge color={checks.passed ? 'green' : 'red'} variant="light">
            {checks.passed ? 'passed' : 'failed'}
          </Badge>
        </Group>
        <Table withRowBorders={false} verticalSpacing={4}>
          <Table.Tbody>
            {checks.checks.map((check, i) => (
              <Table.Tr key={i} data-testid="output-check">
                <Table.Td w={28}>
                  <Text c={check.passed ? 'green' : 'red'} aria-label={check.passed ? 'passed' : 'failed'}>
                    {check.passed ? '✓' : '✗'}
                  </Text>
                </Table.Td>
                <Table.Td w={110}>{check.rule}</Table.Td>
                <Table.Td w={160}>
                  <Text size="sm" ff="monospace">
                    {check.path ?? ''}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{check.message ?? ''}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {judge ? (
          <Text size="sm">
            Judge: task {judge.taskId}
            {judge.runId !== null ? (
              <>
                {', run '}
                <AnchorLink to="/runs/$id" params={{ id: String(judge.runId) }} search={{}}>
                  #{judge.runId}
                </AnchorLink>
              </>
            ) : null}
            {` — verdict ${judge.verdict ?? '—'}, score ${judge.score ?? '—'}`}
            {judge.threshold !== null ? ` (threshold ${judge.threshold})` : ''}
          </Text>
        ) : null}
      </Stack>
    </Paper>
  );
}
