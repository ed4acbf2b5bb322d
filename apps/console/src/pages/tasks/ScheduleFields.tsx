/** The schedule part of the task form: type, its fields, time zone, calendar, misfire policy. */
import { Group, SegmentedControl, Select, Stack, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useClient } from '../../api/session-context.js';
import { SCHEDULE_TYPES, type ScheduleType, type TaskFormState } from './task-form-state.js';

const SCHEDULE_LABELS: Record<ScheduleType, string> = {
  cron: 'Cron',
  fixed_rate: 'Fixed rate',
  fixed_delay: 'Fixed delay',
  one_time: 'One time',
  api: 'On demand',
};

type Props = {
  form: TaskFormState;
  set: <K extends keyof TaskFormState>(key: K, value: TaskFormState[K]) => void;
  errorOf: (field: string) => string | undefined;
};

export function ScheduleFields({ form, set, errorOf }: Props) {
  const client = useClient();
  const calendars = useQuery({
    queryKey: ['calendars'],
    queryFn: () => client.calendars.list({ limit: 500 }),
  });
  const zones = useMemo(() => Intl.supportedValuesOf('timeZone').concat('UTC'), []);
  return (
    <Stack>
      <SegmentedControl
        aria-label="Schedule type"
        value={form.scheduleType}
        onChange={(v) => set('scheduleType', v as ScheduleType)}
        data={SCHEDULE_TYPES.map((t) => ({ value: t, label: SCHEDULE_LABELS[t] }))}
      />
      {form.scheduleType === 'cron' ? (
        <TextInput
          label="Cron expression"
          description="Quartz: second minute hour day-of-month month day-of-week [year], e.g. 0 30 2 * * ?"
          value={form.expression}
          onChange={(e) => set('expression', e.currentTarget.value)}
          error={errorOf('schedule.expression')}
          styles={{ input: { fontFamily: 'monospace' } }}
        />
      ) : null}
      {form.scheduleType === 'fixed_rate' ? (
        <TextInput
          label="Every (seconds)"
          value={form.intervalSeconds}
          onChange={(e) => set('intervalSeconds', e.currentTarget.value)}
          error={errorOf('schedule.intervalSeconds')}
        />
      ) : null}
      {form.scheduleType === 'fixed_delay' ? (
        <TextInput
          label="Delay after each run (seconds)"
          value={form.delaySeconds}
          onChange={(e) => set('delaySeconds', e.currentTarget.value)}
          error={errorOf('schedule.delaySeconds')}
        />
      ) : null}
      {form.scheduleType === 'one_time' ? (
        <TextInput
          label="At (ISO instant)"
          description="e.g. 2026-03-15T06:00:00Z"
          value={form.at}
          onChange={(e) => set('at', e.currentTarget.value)}
          error={errorOf('schedule.at')}
        />
      ) : null}
      <Group grow align="flex-start">
        <Select
          label="Time zone"
          searchable
          data={zones}
          value={form.timezone}
          onChange={(v) => set('timezone', v ?? 'UTC')}
          error={errorOf('schedule.timezone')}
          allowDeselect={false}
        />
        <Select
          label="Calendar"
          placeholder="none"
          clearable
          data={(calendars.data?.items ?? []).map((c) => ({ value: String(c.id), label: c.name }))}
          value={form.calendarId || null}
          onChange={(v) => set('calendarId', v ?? '')}
          error={errorOf('schedule.calendar.id')}
        />
        <Select
          label="Calendar mode"
          data={[
            { value: 'exclude', label: 'skip its dates' },
            { value: 'include', label: 'only its dates' },
          ]}
          value={form.calendarMode}
          onChange={(v) => set('calendarMode', (v ?? 'exclude') as TaskFormState['calendarMode'])}
          disabled={!form.calendarId}
          allowDeselect={false}
        />
        <Select
          label="Missed fires"
          data={[
            { value: 'skip', label: 'skip them' },
            { value: 'fire_once', label: 'fire once' },
            { value: 'catch_up', label: 'catch up' },
          ]}
          value={form.misfire}
          onChange={(v) => set('misfire', (v ?? 'skip') as TaskFormState['misfire'])}
          allowDeselect={false}
        />
      </Group>
    </Stack>
  );
}
