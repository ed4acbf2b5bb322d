/** One app: edit, rotate its token (confirmed), delete (confirmed), its executors and tasks. */
import { Button, Group, NumberInput, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useParams } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import type { App } from '@kairos/protocol';
import { AnchorLink, ButtonLink } from '../../ui/links.js';
import { useClient } from '../../api/session-context.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { Empty, ErrorState, Loading } from '../../ui/states.js';
import { TokenReveal } from '../../ui/TokenReveal.js';
import { ExecutorTable } from '../executors/ExecutorTable.js';

export function AppDetailPage() {
  const { app: ref } = useParams({ from: '/apps/$app' });
  const client = useClient();
  const app = useQuery({ queryKey: ['app', ref], queryFn: () => client.apps.get(ref) });
  if (app.isPending) return <Loading what="the app" />;
  if (app.isError) return <ErrorState error={app.error} />;
  return <AppDetail app={app.data} />;
}

function AppDetail({ app }: { app: App }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState(app.name);
  const [maxConcurrency, setMaxConcurrency] = useState<number | string>(app.maxConcurrency ?? '');
  const [newToken, setNewToken] = useState<string | null>(null);
  useEffect(() => {
    setName(app.name);
    setMaxConcurrency(app.maxConcurrency ?? '');
  }, [app]);

  const refresh = () => queryClient.invalidateQueries({ queryKey: ['app', app.appName] });
  const save = useMutation({
    mutationFn: () =>
      client.apps.update(app.appName, {
        name,
        maxConcurrency: typeof maxConcurrency === 'number' ? maxConcurrency : null,
      }),
    onSuccess: refresh,
  });
  const rotate = useMutation({
    mutationFn: () => client.apps.rotateToken(app.appName),
    onSuccess: (rotated) => setNewToken(rotated.accessToken),
  });
  const remove = useMutation({
    mutationFn: () => client.apps.delete(app.appName),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['apps'] });
      await navigate({ to: '/apps' });
    },
  });
  const executors = useQuery({
    queryKey: ['executors', app.appName],
    queryFn: () => client.executors.list({ app: app.appName }),
  });

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>App {app.appName}</Title>
        <Group>
          <ButtonLink to="/tasks" search={{ appId: app.id }} variant="light">
            Its tasks
          </ButtonLink>
          <ConfirmButton
            label="Rotate token"
            color="orange"
            variant="light"
            question="Issue a new access token? The current one stops working at once: executors using it must be given the new one."
            onConfirm={() => rotate.mutate()}
            loading={rotate.isPending}
          />
          <ConfirmButton
            label="Delete app"
            variant="light"
            question={`Delete app ${app.appName}? An app that still has tasks cannot be deleted.`}
            onConfirm={() => remove.mutate()}
            loading={remove.isPending}
          />
        </Group>
      </Group>
      {newToken ? <TokenReveal token={newToken} /> : null}
      {rotate.isError ? <ErrorState error={rotate.error} /> : null}
      {remove.isError ? <ErrorState error={remove.error} /> : null}
      <Paper withBorder p="md">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate();
          }}
        >
          <Stack>
            <Text size="sm" c="dimmed">
              Namespace {app.namespace} · access token {app.accessToken}
            </Text>
            <TextInput label="Display name" value={name} onChange={(e) => setName(e.currentTarget.value)} />
            <NumberInput
              label="Max concurrency"
              description="Empty for no limit"
              value={maxConcurrency}
              onChange={setMaxConcurrency}
              min={1}
            />
            {save.isError ? <ErrorState error={save.error} /> : null}
            <Group>
              <Button type="submit" loading={save.isPending}>
                Save
              </Button>
              {save.isSuccess ? <Text size="sm">Saved.</Text> : null}
            </Group>
          </Stack>
        </form>
      </Paper>
      <Title order={3}>Executors</Title>
      {executors.isPending ? (
        <Loading what="executors" />
      ) : executors.isError ? (
        <ErrorState error={executors.error} />
      ) : executors.data.items.length === 0 ? (
        <Empty title="No executor has registered for this app">
          Start an executor with app name <b>{app.appName}</b> and this app’s access token. See{' '}
          <AnchorLink to="/executors">all executors</AnchorLink>.
        </Empty>
      ) : (
        <ExecutorTable executors={executors.data.items} showApp={false} />
      )}
    </Stack>
  );
}
