/**
 * Alert rules: the list (scope, on, threshold and window, who is told, silence, muted until,
 * enabled), create and edit in a form, mute for a period or unmute, enable or disable, delete
 * (confirmed). `?taskId=` shows the rules scoped to one task, and a new rule starts on it.
 */
import { Button, Group, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import type { AlertRule } from '@kairos/protocol';
import { byId, useTasks } from '../../api/lookups.js';
import { useClient } from '../../api/session-context.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { AnchorLink } from '../../ui/links.js';
import { Empty, ErrorState, Loading } from '../../ui/states.js';
import { Time } from '../../ui/time.js';
import { ALERTING_KEYS, useAlertRules, useContactGroups, useContacts } from './alerting-lookups.js';
import { AlertRuleFormModal } from './AlertRuleFormModal.js';
import { describeScope, describeThreshold, takesSilence } from './rule-form-state.js';
import { RuleMuteButton, isMuted } from './RuleMuteButton.js';

export function AlertRulesPage() {
  const { taskId } = useSearch({ from: '/alert-rules' });
  const client = useClient();
  const queryClient = useQueryClient();
  const rules = useAlertRules();
  const tasks = useTasks();
  const contacts = byId(useContacts().data?.items);
  const groups = byId(useContactGroups().data?.items);
  const taskNames = new Map([...byId(tasks.data?.items)].map(([id, t]) => [id, t.name]));
  /** The rule being edited; null: a new one; undefined: the form is closed. */
  const [editing, setEditing] = useState<AlertRule | null | undefined>(undefined);
  const [failure, setFailure] = useState<unknown>(undefined);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ALERTING_KEYS.rules });
  const toggle = useMutation({
    mutationFn: (rule: AlertRule) => client.alertRules.update(rule.id, { enabled: !rule.enabled }),
    onMutate: () => setFailure(undefined),
    onSuccess: refresh,
    onError: setFailure,
  });
  const remove = useMutation({
    mutationFn: (rule: AlertRule) => client.alertRules.delete(rule.id),
    onMutate: () => setFailure(undefined),
    onSuccess: refresh,
    onError: setFailure,
  });
  const shown = (rules.data?.items ?? []).filter(
    (rule) => taskId === undefined || ('taskId' in rule.scope && rule.scope.taskId === taskId),
  );
  const told = (rule: AlertRule) =>
    [
      ...rule.notify.contacts.map((id) => contacts.get(id)?.name ?? `contact ${id}`),
      ...rule.notify.groups.map((id) => `group ${groups.get(id)?.name ?? id}`),
    ].join(', ') + (rule.notify.channels ? ` (${rule.notify.channels.join(', ')})` : '');

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>
          Alert rules{taskId !== undefined ? ` for task ${taskNames.get(taskId) ?? taskId}` : ''}
        </Title>
        <Group>
          {taskId !== undefined ? (
            <AnchorLink to="/alert-rules" search={{}}>
              All rules
            </AnchorLink>
          ) : null}
          <Button onClick={() => setEditing(null)}>New rule</Button>
        </Group>
      </Group>
      {editing !== undefined ? (
        <AlertRuleFormModal
          key={editing?.id ?? 'new'}
          rule={editing ?? undefined}
          taskId={taskId}
          onClose={() => setEditing(undefined)}
        />
      ) : null}
      {taskId !== undefined ? (
        <Text size="sm" c="dimmed">
          Rules on the task’s app or namespace apply to it too; “All rules” lists them.
        </Text>
      ) : null}
      {failure !== undefined ? <ErrorState error={failure} /> : null}
      {rules.isPending ? (
        <Loading what="alert rules" />
      ) : rules.isError ? (
        <ErrorState error={rules.error} />
      ) : shown.length === 0 ? (
        <Empty title={taskId !== undefined ? 'No rule for this task yet' : 'No alert rules yet'}>
          A rule says what to watch (a task, an app or a namespace), when to fire (failure, timeout, a failure
          rate…) and whom to tell. Create a <AnchorLink to="/contacts">contact</AnchorLink> first, then press
          “New rule”.
        </Empty>
      ) : (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Scope</Table.Th>
              <Table.Th>On</Table.Th>
              <Table.Th>Threshold / window</Table.Th>
              <Table.Th>Notify</Table.Th>
              <Table.Th>Silence</Table.Th>
              <Table.Th>Muted until</Table.Th>
              <Table.Th>Enabled</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((rule) => (
              <Table.Tr key={rule.id} data-testid="rule-row">
                <Table.Td>
                  <AnchorLink to="/alerts" search={{ ruleId: rule.id }} title="Its alerts">
                    {rule.name}
                  </AnchorLink>
                </Table.Td>
                <Table.Td>{describeScope(rule.scope, taskNames)}</Table.Td>
                <Table.Td>{rule.on}</Table.Td>
                <Table.Td>{describeThreshold(rule)}</Table.Td>
                <Table.Td>{told(rule)}</Table.Td>
                <Table.Td>{takesSilence(rule.on) ? `${rule.silenceSeconds} s` : '—'}</Table.Td>
                <Table.Td>
                  {isMuted(rule) ? <Time iso={rule.mutedUntil} /> : <Text c="dimmed">—</Text>}
                </Table.Td>
                <Table.Td>
                  <Switch
                    aria-label={`Enabled: ${rule.name}`}
                    checked={rule.enabled}
                    onChange={() => toggle.mutate(rule)}
                    disabled={toggle.isPending}
                  />
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end" wrap="nowrap">
                    <RuleMuteButton rule={rule} onError={setFailure} />
                    <Button size="xs" variant="light" onClick={() => setEditing(rule)}>
                      Edit
                    </Button>
                    <ConfirmButton
                      size="xs"
                      variant="light"
                      label="Delete"
                      question={`Delete rule ${rule.name}? Its past alerts stay in the history.`}
                      onConfirm={() => remove.mutate(rule)}
                      loading={remove.isPending && remove.variables.id === rule.id}
                    />
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
