/**
 * Creating or editing an alert rule. The form shows only what matters for the chosen `on`: a
 * threshold, a sliding window or a budget period, a silence for the rules decided when a run ends.
 * The server validates; its error is shown on the field it names, and nothing is saved.
 */
import {
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { AlertOn, CHANNELS, type AlertRule } from '@kairos/protocol';
import { errorField, errorMessage } from '../../api/errors.js';
import { useApps, useTasks } from '../../api/lookups.js';
import { useClient } from '../../api/session-context.js';
import { FormActions } from '../../ui/FormActions.js';
import { ALERTING_KEYS, optionsOf, useContactGroups, useContacts } from './alerting-lookups.js';
import {
  ON_LABELS,
  createBodyOf,
  emptyRuleForm,
  formOfRule,
  patchBodyOf,
  scopeKindsFor,
  takesSilence,
  thresholdOf,
  windowOf,
  type RuleFormState,
  type ScopeKind,
} from './rule-form-state.js';

/** The form's inputs, by the request fields whose errors they show (`notify.contacts.0` → notify.contacts). */
const INPUT_OF_FIELD: [prefix: string, input: string][] = [
  ['name', 'name'],
  ['on', 'on'],
  ['scope', 'scope'],
  ['threshold', 'threshold'],
  ['windowSeconds', 'window'],
  ['notify.contacts', 'contacts'],
  ['notify.groups', 'groups'],
  ['notify.channels', 'channels'],
  ['silenceSeconds', 'silence'],
];
const inputOf = (field: string | undefined): string | undefined =>
  field === undefined ? undefined : INPUT_OF_FIELD.find(([prefix]) => field.startsWith(prefix))?.[1];

/** `rule` undefined: a new one, scoped to `taskId` when given. Mounted afresh for each rule opened. */
export function AlertRuleFormModal({
  rule,
  taskId,
  onClose,
}: {
  rule: AlertRule | undefined;
  taskId?: number | undefined;
  onClose: () => void;
}) {
  const client = useClient();
  const queryClient = useQueryClient();
  const tasks = useTasks();
  const apps = useApps();
  const namespaces = useQuery({ queryKey: ['namespaces'], queryFn: () => client.namespaces.list() });
  const contacts = useContacts();
  const groups = useContactGroups();
  const [form, setForm] = useState<RuleFormState>(() => (rule ? formOfRule(rule) : emptyRuleForm(taskId)));
  const set = <K extends keyof RuleFormState>(key: K, value: RuleFormState[K]) =>
    setForm((f) => ({ ...f, [key]: value }));
  const save = useMutation({
    mutationFn: () =>
      rule
        ? client.alertRules.update(rule.id, patchBodyOf(form))
        : client.alertRules.create(createBodyOf(form)),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ALERTING_KEYS.rules });
      onClose();
    },
  });
  const failedInput = save.isError ? inputOf(errorField(save.error)) : undefined;
  const errorOf = (input: string) => (failedInput === input ? errorMessage(save.error) : undefined);
  const threshold = thresholdOf(form.on);
  const window = windowOf(form.on);
  // A rule's scope does not change: editing shows it as it is, and the server says when `on` needs another.
  const scopeKinds: ScopeKind[] = rule ? ['task', 'app', 'namespace'] : scopeKindsFor(form.on);

  return (
    <Modal opened onClose={onClose} size="lg" title={rule ? `Edit rule ${rule.name}` : 'New alert rule'}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <TextInput
            label="Name"
            value={form.name}
            onChange={(e) => set('name', e.currentTarget.value)}
            error={errorOf('name')}
            required
            data-autofocus
          />
          <Select
            label="On"
            description={ON_LABELS[form.on]}
            data={AlertOn.options.map((on) => ({ value: on, label: on }))}
            value={form.on}
            onChange={(v) => {
              const on = (v ?? 'failure') as AlertOn;
              setForm((f) => ({
                ...f,
                on,
                scopeKind: rule || scopeKindsFor(on).includes(f.scopeKind) ? f.scopeKind : 'app',
              }));
            }}
            error={errorOf('on')}
            allowDeselect={false}
          />
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              Scope
            </Text>
            <SegmentedControl
              aria-label="Scope"
              data={scopeKinds.map((kind) => ({ value: kind, label: kind }))}
              value={form.scopeKind}
              onChange={(v) => set('scopeKind', v as ScopeKind)}
              disabled={rule !== undefined}
            />
            {form.scopeKind === 'task' ? (
              <Select
                label="Task"
                searchable
                data={(tasks.data?.items ?? []).map((t) => ({ value: String(t.id), label: t.name }))}
                value={form.taskId || null}
                onChange={(v) => set('taskId', v ?? '')}
                error={errorOf('scope')}
                disabled={rule !== undefined}
                placeholder="Pick a task"
              />
            ) : form.scopeKind === 'app' ? (
              <Select
                label="App"
                searchable
                data={(apps.data?.items ?? []).map((a) => a.appName)}
                value={form.app || null}
                onChange={(v) => set('app', v ?? '')}
                error={errorOf('scope')}
                disabled={rule !== undefined}
                placeholder="Pick an app"
              />
            ) : (
              <Select
                label="Namespace"
                data={(namespaces.data?.items ?? []).map((n) => n.name)}
                value={form.namespace || null}
                onChange={(v) => set('namespace', v ?? '')}
                error={errorOf('scope')}
                disabled={rule !== undefined}
              />
            )}
            {rule !== undefined ? (
              <Text size="xs" c="dimmed">
                A rule’s scope does not change: create another rule for another scope.
              </Text>
            ) : null}
          </Stack>
          {threshold || window ? (
            <Group grow align="flex-start">
              {threshold ? (
                <NumberInput
                  label="Threshold"
                  description={`${threshold.what}: ${threshold.min} to ${threshold.max}`}
                  value={form.threshold}
                  onChange={(v) => set('threshold', v)}
                  min={threshold.min}
                  max={threshold.max}
                  allowDecimal={!threshold.integer}
                  error={errorOf('threshold')}
                  required
                />
              ) : null}
              {window === 'required' ? (
                <NumberInput
                  label="Window (minutes)"
                  description="Sliding, over the runs’ finish times: 1 minute to 30 days"
                  value={form.windowMinutes}
                  onChange={(v) => set('windowMinutes', v)}
                  min={1}
                  max={30 * 24 * 60}
                  error={errorOf('window')}
                  required
                />
              ) : window === 'budget' ? (
                <Select
                  label="Per"
                  data={[
                    { value: '3600', label: 'hour' },
                    { value: '86400', label: 'day' },
                  ]}
                  value={form.budgetWindow}
                  onChange={(v) => set('budgetWindow', v === '3600' ? '3600' : '86400')}
                  error={errorOf('window')}
                  allowDeselect={false}
                />
              ) : null}
            </Group>
          ) : null}
          <Group grow align="flex-start">
            <MultiSelect
              label="Notify contacts"
              data={optionsOf(contacts.data?.items)}
              value={form.contacts}
              onChange={(v) => set('contacts', v)}
              error={errorOf('contacts')}
              placeholder={contacts.data?.items.length === 0 ? 'Create a contact first' : 'Pick contacts'}
              searchable
            />
            <MultiSelect
              label="Notify groups"
              data={optionsOf(groups.data?.items)}
              value={form.groups}
              onChange={(v) => set('groups', v)}
              error={errorOf('groups')}
              searchable
            />
          </Group>
          <MultiSelect
            label="Channels"
            description="Empty: webhook, email and SMS (phone calls only when named)"
            data={[...CHANNELS]}
            value={form.channels}
            onChange={(v) => set('channels', v as RuleFormState['channels'])}
            error={errorOf('channels')}
          />
          {takesSilence(form.on) ? (
            <NumberInput
              label="Silence (seconds)"
              description="After an alert, the same task stays quiet this long; repeats are counted, not sent"
              value={form.silenceSeconds}
              onChange={(v) => set('silenceSeconds', v)}
              min={0}
              max={7 * 86_400}
              error={errorOf('silence')}
            />
          ) : null}
          <Switch
            label="Enabled"
            checked={form.enabled}
            onChange={(e) => set('enabled', e.currentTarget.checked)}
          />
          <FormActions
            unplacedError={save.isError && failedInput === undefined ? save.error : undefined}
            onCancel={onClose}
            submitLabel={rule ? 'Save rule' : 'Create rule'}
            pending={save.isPending}
          />
        </Stack>
      </form>
    </Modal>
  );
}
