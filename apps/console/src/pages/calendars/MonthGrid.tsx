/** One month as a grid of buttons; a click toggles the date (YYYY-MM-DD) in the set. */
import { Button, Group, SimpleGrid, Text } from '@mantine/core';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const pad = (n: number) => String(n).padStart(2, '0');

export function MonthGrid({
  year,
  month,
  dates,
  onToggle,
  onMove,
}: {
  year: number;
  /** 0-11 */
  month: number;
  dates: Set<string>;
  onToggle: (date: string) => void;
  onMove: (delta: number) => void;
}) {
  const first = new Date(Date.UTC(year, month, 1));
  const days = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const lead = (first.getUTCDay() + 6) % 7;
  const title = first.toLocaleDateString(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });
  return (
    <div>
      <Group justify="space-between" mb="xs">
        <Button size="xs" variant="default" onClick={() => onMove(-1)} aria-label="Previous month">
          ‹
        </Button>
        <Text fw={600}>{title}</Text>
        <Button size="xs" variant="default" onClick={() => onMove(1)} aria-label="Next month">
          ›
        </Button>
      </Group>
      <SimpleGrid cols={7} spacing={4}>
        {WEEKDAYS.map((d) => (
          <Text key={d} size="xs" c="dimmed" ta="center">
            {d}
          </Text>
        ))}
        {Array.from({ length: lead }, (_, i) => (
          <div key={`lead-${i}`} />
        ))}
        {Array.from({ length: days }, (_, i) => {
          const date = `${year}-${pad(month + 1)}-${pad(i + 1)}`;
          const on = dates.has(date);
          return (
            <Button
              key={date}
              size="xs"
              variant={on ? 'filled' : 'default'}
              onClick={() => onToggle(date)}
              aria-pressed={on}
              aria-label={date}
            >
              {i + 1}
            </Button>
          );
        })}
      </SimpleGrid>
    </div>
  );
}
