/**
 * A schedule explained before it is saved: the cron in words and the next 10 fires in the
 * task's time zone, with a DST change marked where the zone's offset moves between two fires.
 * Asks the server (POST /schedules/preview), the one authority on cron, zones and calendars.
 */
import { Alert, Badge, List, Stack, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import type { ScheduleInput } from '@kairos/protocol';
import { errorMessage } from '../../api/errors.js';
import { useClient } from '../../api/session-context.js';
import { formatInZone, offsetIn } from '../../ui/time.js';

export function SchedulePreview({
  schedule,
  namespace,
}: {
  schedule: ScheduleInput | null;
  namespace?: string;
}) {
  const client = useClient();
  const [debounced] = useDebouncedValue(schedule, 400);
  const preview = useQuery({
    queryKey: ['schedule-preview', debounced, namespace],
    queryFn: () => client.schedules.preview({ schedule: debounced!, count: 10, namespace }),
    enabled: debounced !== null && debounced.type !== 'api',
    retry: false,
  });
  if (schedule === null) return null;
  if (schedule.type === 'api') {
    return (
      <Text size="sm" c="dimmed">
        Runs only when triggered (Run once, the API or the CLI).
      </Text>
    );
  }
  if (preview.isError) {
    return (
      <Alert color="red" title="This schedule does not work" data-testid="schedule-error">
        {errorMessage(preview.error)}
      </Alert>
    );
  }
  if (!preview.data)
    return (
      <Text size="sm" c="dimmed">
        Working out the next fire times…
      </Text>
    );
  // The zone of the schedule the shown fires were computed for (the debounced one).
  const zone = debounced?.timezone ?? 'UTC';
  return (
    <Stack gap={4} data-testid="schedule-preview">
      {preview.data.explanation ? (
        <Text size="sm">
          <b>Fires</b> {preview.data.explanation} ({zone})
        </Text>
      ) : null}
      {preview.data.fires.length === 0 ? (
        <Text size="sm" c="orange">
          It never fires (a one-time instant in the past, or a calendar that rules out every slot).
        </Text>
      ) : (
        <>
          <Text size="sm" fw={600}>
            Next {preview.data.fires.length} fire times in {zone}
          </Text>
          <List size="sm" spacing={2}>
            {preview.data.fires.map((fire, i) => {
              const previous = preview.data.fires[i - 1];
              const offset = offsetIn(fire, zone);
              const shifted = previous !== undefined && offsetIn(previous, zone) !== offset;
              return (
                <List.Item key={fire}>
                  {formatInZone(fire, zone)}{' '}
                  <Text span c="dimmed" size="xs">
                    {offset}
                  </Text>{' '}
                  {shifted ? (
                    <Badge
                      size="xs"
                      color="orange"
                      title="The zone's UTC offset changed since the fire before"
                    >
                      DST change
                    </Badge>
                  ) : null}
                </List.Item>
              );
            })}
          </List>
        </>
      )}
    </Stack>
  );
}
