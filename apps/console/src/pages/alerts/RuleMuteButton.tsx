/** Mute a rule for a period (it raises nothing until then), or unmute it. */
import { Button, Menu } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { AlertRule } from '@kairos/protocol';
import { useClient } from '../../api/session-context.js';
import { ALERTING_KEYS } from './alerting-lookups.js';

const PERIODS = [
  { label: '1 hour', ms: 3_600_000 },
  { label: '4 hours', ms: 4 * 3_600_000 },
  { label: '1 day', ms: 86_400_000 },
  { label: '1 week', ms: 7 * 86_400_000 },
] as const;

/** Whether the rule is muted now (the viewer's clock decides only what this button offers). */
export const isMuted = (rule: AlertRule): boolean =>
  rule.mutedUntil !== null && Date.parse(rule.mutedUntil) > Date.now();

export function RuleMuteButton({ rule, onError }: { rule: AlertRule; onError: (error: unknown) => void }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const mute = useMutation({
    mutationFn: (until: string | null) => client.alertRules.update(rule.id, { mutedUntil: until }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ALERTING_KEYS.rules }),
    onError,
  });
  if (isMuted(rule)) {
    return (
      <Button
        size="xs"
        variant="light"
        color="orange"
        onClick={() => mute.mutate(null)}
        loading={mute.isPending}
      >
        Unmute
      </Button>
    );
  }
  return (
    <Menu position="bottom-end">
      <Menu.Target>
        <Button size="xs" variant="light" loading={mute.isPending}>
          Mute
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Mute for</Menu.Label>
        {PERIODS.map((p) => (
          <Menu.Item key={p.label} onClick={() => mute.mutate(new Date(Date.now() + p.ms).toISOString())}>
            {p.label}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
