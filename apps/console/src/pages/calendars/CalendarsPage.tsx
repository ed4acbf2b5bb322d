/** Calendars: the list, creating one, and a month view to toggle a calendar's dates. */
import { Button, Grid, Group, NavLink, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import type { Calendar } from '@kairos/protocol';
import { useClient } from '../../api/session-context.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { Empty, ErrorState, Loading } from '../../ui/states.js';
import { MonthGrid } from './MonthGrid.js';

export function CalendarsPage() {
  const client = useClient();
  const queryClient = useQueryClient();
  const calendars = useQuery({
    queryKey: ['calendars'],
    queryFn: () => client.calendars.list({ limit: 500 }),
  });
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [name, setName] = useState('');
  const zones = useMemo(() => Intl.supportedValuesOf('timeZone').concat('UTC'), []);
  const [timezone, setTimezone] = useState('UTC');
  const create = useMutation({
    mutationFn: () => client.calendars.create({ name, timezone, dates: [] }),
    onSuccess: async (c) => {
      setName('');
      await queryClient.invalidateQueries({ queryKey: ['calendars'] });
      setSelectedId(c.id);
    },
  });
  const items = calendars.data?.items ?? [];
  const selected = items.find((c) => c.id === selectedId) ?? items[0];

  return (
    <Stack>
      <Title order={2}>Calendars</Title>
      <Paper withBorder p="md">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Group align="flex-end">
            <TextInput
              label="New calendar"
              placeholder="e.g. holidays"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              required
            />
            <Select
              label="Time zone"
              searchable
              data={zones}
              value={timezone}
              onChange={(v) => setTimezone(v ?? 'UTC')}
              allowDeselect={false}
            />
            <Button type="submit" loading={create.isPending}>
              Create
            </Button>
          </Group>
          {create.isError ? <ErrorState error={create.error} /> : null}
        </form>
      </Paper>
      {calendars.isPending ? (
        <Loading what="calendars" />
      ) : calendars.isError ? (
        <ErrorState error={calendars.error} />
      ) : items.length === 0 || selected === undefined ? (
        <Empty title="No calendars yet">
          A calendar is a set of dates (holidays, workdays) a schedule skips or keeps to. Create one above,
          then pick it in a task’s schedule.
        </Empty>
      ) : (
        <Grid>
          <Grid.Col span={{ base: 12, md: 3 }}>
            {items.map((c) => (
              <NavLink
                key={c.id}
                label={c.name}
                description={`${c.dates.length} dates · ${c.timezone}`}
                active={c.id === selected.id}
                onClick={() => setSelectedId(c.id)}
              />
            ))}
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 9 }}>
            <CalendarEditor key={selected.id} calendar={selected} />
          </Grid.Col>
        </Grid>
      )}
    </Stack>
  );
}

function CalendarEditor({ calendar }: { calendar: Calendar }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const [dates, setDates] = useState(() => new Set(calendar.dates));
  const start = calendar.dates[0] ?? new Date().toISOString().slice(0, 10);
  const [cursor, setCursor] = useState({
    year: Number(start.slice(0, 4)),
    month: Number(start.slice(5, 7)) - 1,
  });
  const dirty = dates.size !== calendar.dates.length || calendar.dates.some((d) => !dates.has(d));
  const save = useMutation({
    mutationFn: () => client.calendars.update(calendar.id, { dates: [...dates].sort() }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['calendars'] }),
  });
  const remove = useMutation({
    mutationFn: () => client.calendars.delete(calendar.id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['calendars'] }),
  });
  const toggle = (date: string) =>
    setDates((d) => {
      const next = new Set(d);
      if (!next.delete(date)) next.add(date);
      return next;
    });
  const move = (delta: number) =>
    setCursor(({ year, month }) => {
      const m = month + delta;
      return { year: year + Math.floor(m / 12), month: ((m % 12) + 12) % 12 };
    });
  return (
    <Paper withBorder p="md">
      <Stack>
        <Group justify="space-between">
          <Title order={4}>
            {calendar.name}{' '}
            <Text span c="dimmed" size="sm">
              ({calendar.timezone})
            </Text>
          </Title>
          <Group>
            <Button onClick={() => save.mutate()} disabled={!dirty} loading={save.isPending}>
              Save dates
            </Button>
            <ConfirmButton
              label="Delete"
              variant="light"
              question={`Delete calendar ${calendar.name}? A calendar a task's schedule uses cannot be deleted.`}
              onConfirm={() => remove.mutate()}
              loading={remove.isPending}
            />
          </Group>
        </Group>
        {save.isError ? <ErrorState error={save.error} /> : null}
        {remove.isError ? <ErrorState error={remove.error} /> : null}
        <Group align="flex-start" grow>
          <MonthGrid year={cursor.year} month={cursor.month} dates={dates} onToggle={toggle} onMove={move} />
          <MonthGrid
            year={cursor.month === 11 ? cursor.year + 1 : cursor.year}
            month={(cursor.month + 1) % 12}
            dates={dates}
            onToggle={toggle}
            onMove={move}
          />
        </Group>
        <Text size="sm" c="dimmed">
          {dates.size} dates{dirty ? ' · unsaved changes' : ''}
        </Text>
      </Stack>
    </Paper>
  );
}
