/** "Compare with…": asks for the other run (by default the one this replays or retries) and opens the diff view. */
import { Button, Group, Modal, NumberInput, Stack } from '@mantine/core';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import type { Run } from '@kairos/protocol';

export function CompareButton({ run }: { run: Run }) {
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [other, setOther] = useState<number | string>(run.replayOf ?? run.retryOf ?? '');
  const go = () => {
    if (typeof other !== 'number') return;
    void navigate({ to: '/runs/compare', search: { left: other, right: run.id } });
  };
  return (
    <>
      <Button variant="light" onClick={() => setOpen(true)}>
        Compare with…
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={`Compare run #${run.id} with`}>
        <Stack>
          <NumberInput label="Run id" min={1} value={other} onChange={setOther} data-autofocus />
          <Group justify="flex-end">
            <Button onClick={go} disabled={typeof other !== 'number'}>
              Compare
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
