/**
 * The foot of every create/edit form: the server's refusal when it names no field the form shows
 * (a field's own error is shown on that field), then Cancel and the submit button.
 */
import { Button, Group } from '@mantine/core';
import { ErrorState } from './states.js';

export function FormActions({
  unplacedError,
  onCancel,
  submitLabel,
  pending,
}: {
  /** The refusal to show here (undefined: none, or shown on its field). */
  unplacedError: unknown;
  onCancel: () => void;
  submitLabel: string;
  pending: boolean;
}) {
  return (
    <>
      {unplacedError !== undefined ? <ErrorState error={unplacedError} /> : null}
      <Group justify="flex-end">
        <Button variant="default" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" loading={pending}>
          {submitLabel}
        </Button>
      </Group>
    </>
  );
}
