/** Creating an app; on success the full access token is shown once. */
import { Button, Modal, NumberInput, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { App } from '@kairos/protocol';
import { errorField, errorOnField } from '../../api/errors.js';
import { useClient } from '../../api/session-context.js';
import { FormActions } from '../../ui/FormActions.js';
import { TokenReveal } from '../../ui/TokenReveal.js';

export function CreateAppModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const [appName, setAppName] = useState('');
  const [name, setName] = useState('');
  const [maxConcurrency, setMaxConcurrency] = useState<number | string>('');
  const [created, setCreated] = useState<App | null>(null);
  const create = useMutation({
    mutationFn: () =>
      client.apps.create({
        appName,
        name: name || appName,
        maxConcurrency: typeof maxConcurrency === 'number' ? maxConcurrency : null,
      }),
    onSuccess: async (app) => {
      setCreated(app);
      await queryClient.invalidateQueries({ queryKey: ['apps'] });
    },
  });
  const close = () => {
    setCreated(null);
    setAppName('');
    setName('');
    setMaxConcurrency('');
    create.reset();
    onClose();
  };
  const fieldError = (field: string) => errorOnField(create.error, field);

  return (
    <Modal opened={opened} onClose={close} title={created ? `App ${created.appName} created` : 'Create app'}>
      {created ? (
        <Stack>
          <TokenReveal token={created.accessToken} />
          <Button onClick={close}>Done</Button>
        </Stack>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Stack>
            <TextInput
              label="App name"
              description="Executors register under it; letters, digits, _ . -"
              value={appName}
              onChange={(e) => setAppName(e.currentTarget.value)}
              error={fieldError('appName')}
              required
              data-autofocus
            />
            <TextInput
              label="Display name"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={fieldError('name')}
            />
            <NumberInput
              label="Max concurrency"
              description="Running runs of all its tasks at once; empty for no limit"
              value={maxConcurrency}
              onChange={setMaxConcurrency}
              min={1}
              error={fieldError('maxConcurrency')}
            />
            <FormActions
              unplacedError={create.isError && !errorField(create.error) ? create.error : undefined}
              onCancel={close}
              submitLabel={'Create'}
              pending={create.isPending}
            />
          </Stack>
        </form>
      )}
    </Modal>
  );
}
