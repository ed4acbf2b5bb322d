/**
 * Creates, edits or removes a budget of a task, an app or a namespace: a modal form checked in the
 * browser first (budget-form.ts); the server's refusal (a 400 naming `budget.<field>`) is shown on
 * that field. Opened empty ("Add a budget", with a scope to choose) or on a budget of the list.
 */
import {
  Button,
  Checkbox,
  Group,
  Modal,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  TextInput,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { BudgetState } from '@kairos/protocol';
import { errorField, errorMessage } from '../../api/errors.js';
import { useApps, useTasks } from '../../api/lookups.js';
import { useClient } from '../../api/session-context.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { ErrorState } from '../../ui/states.js';
import {
  budgetOf,
  EMPTY_BUDGET,
  saveBudget,
  valuesOf,
  type BudgetTarget,
  type BudgetValues,
  type ScopeKind,
} from './budget-form.js';

interface Props {
  namespace: string;
  /** The budget edited; absent: a new one. */
  existing?: BudgetState | undefined;
  opened: boolean;
  onClose: () => void;
}

export function BudgetEditor({ namespace, existing, opened, onClose }: Props) {
  const client = useClient();
  const queryClient = useQueryClient();
  const apps = useApps();
  const tasks = useTasks();
  const [values, setValues] = useState<BudgetValues>(existing ? valuesOf(existing) : EMPTY_BUDGET);
  const [kind, setKind] = useState<ScopeKind>(existing?.scope.kind ?? 'task');
  const [ref, setRef] = useState<string | null>(existing ? String(existing.scope.id) : null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = <K extends keyof BudgetValues>(key: K, value: BudgetValues[K]) =>
    setValues((v) => ({ ...v, [key]: value }));

  const target = (): BudgetTarget | undefined => {
    if (kind === 'namespace') return { kind, ref: namespace };
    return ref === null ? undefined : { kind, ref: Number(ref) };
  };
  const done = () => {
    void queryClient.invalidateQueries({ queryKey: ['budgets'] });
    void queryClient.invalidateQueries({ queryKey: ['tasks'] });
    void queryClient.invalidateQueries({ queryKey: ['apps'] });
    onClose();
  };
  const save = useMutation({
    mutationFn: async () => {
      const checked = budgetOf(values);
      const to = target();
      const found = { ...(checked.errors ?? {}), ...(to ? {} : { scope: `choose the ${kind}` }) };
      setErrors(found);
      if (checked.errors || !to) throw new Error('check the fields marked');
      await saveBudget(client, to, checked.budget);
    },
    onSuccess: done,
    onError: (error) => {
      const field = errorField(error)?.replace(/^budget\./, '');
      if (field) setErrors({ [field]: errorMessage(error) });
    },
  });
  const remove = useMutation({
    mutationFn: async () => {
      const to = target();
      if (to) await saveBudget(client, to, null);
    },
    onSuccess: done,
  });

  const choices =
    kind === 'task'
      ? (tasks.data?.items ?? [])
          .filter((t) => t.namespace === namespace)
          .map((t) => ({ value: String(t.id), label: t.name }))
      : (apps.data?.items ?? [])
          .filter((a) => a.namespace === namespace)
          .map((a) => ({ value: String(a.id), label: a.appName }));
  const title = existing
    ? `Budget of ${existing.scope.kind} ${existing.scope.name}`
    : `Add a budget in ${namespace}`;
  const unexpected = save.isError && Object.keys(errors).length === 0;
  return (
    <Modal opened={opened} onClose={onClose} title={title} size="lg">
      <Stack>
        {existing ? null : (
          <Group grow align="flex-start">
            <Select
              label="On"
              data={[
                { value: 'task', label: 'a task' },
                { value: 'app', label: 'an app' },
                { value: 'namespace', label: `the namespace ${namespace}` },
              ]}
              value={kind}
              onChange={(v) => {
                setKind((v as ScopeKind | null) ?? 'task');
                setRef(null);
              }}
              allowDeselect={false}
            />
            {kind === 'namespace' ? null : (
              <Select
                label={kind === 'task' ? 'Task' : 'App'}
                data={choices}
                value={ref}
                onChange={setRef}
                searchable
                error={errors.scope}
              />
            )}
          </Group>
        )}
        <SimpleGrid cols={2}>
          <NumberInput
            label="Tokens per period"
            min={1}
            allowDecimal={false}
            value={values.tokens}
            onChange={(v) => set('tokens', v)}
            error={errors.tokens}
          />
          <NumberInput
            label="Cost per period"
            min={0}
            decimalScale={6}
            value={values.cost}
            onChange={(v) => set('cost', v)}
            error={errors.cost}
          />
          <TextInput
            label="Currency"
            placeholder="USD"
            value={values.currency}
            onChange={(e) => set('currency', e.currentTarget.value)}
            error={errors.currency}
          />
          <Select
            label="Period"
            data={[
              { value: 'hour', label: 'hour' },
              { value: 'day', label: 'day' },
              { value: 'month', label: 'month' },
            ]}
            value={values.period}
            onChange={(v) => set('period', (v as BudgetValues['period'] | null) ?? 'day')}
            allowDeselect={false}
            error={errors.period}
          />
          <TextInput
            label="Time zone"
            value={values.timezone}
            onChange={(e) => set('timezone', e.currentTarget.value)}
            error={errors.timezone}
          />
          <Select
            label="Once used up"
            data={[
              { value: 'skip', label: 'skip new runs' },
              { value: 'hold', label: 'hold new runs until the next period' },
            ]}
            value={values.onExceeded}
            onChange={(v) => set('onExceeded', (v as BudgetValues['onExceeded'] | null) ?? 'skip')}
            allowDeselect={false}
          />
        </SimpleGrid>
        <Checkbox
          label="Stop a running Dify run that uses it up"
          checked={values.stopWhenExceeded}
          onChange={(e) => set('stopWhenExceeded', e.currentTarget.checked)}
        />
        {unexpected ? <ErrorState error={save.error} /> : null}
        {remove.isError ? <ErrorState error={remove.error} /> : null}
        <Group justify="space-between">
          {existing ? (
            <ConfirmButton
              color="red"
              variant="light"
              label="Remove budget"
              question={`Remove the budget of ${existing.scope.kind} ${existing.scope.name}? Its runs are no longer limited.`}
              onConfirm={() => remove.mutate()}
              loading={remove.isPending}
            />
          ) : (
            <span />
          )}
          <Button onClick={() => save.mutate()} loading={save.isPending}>
            Save budget
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
