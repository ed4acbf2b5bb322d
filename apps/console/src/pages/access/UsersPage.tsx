/** Console users: the list, creating one with a password, deleting one (its sessions end). */
import { Button, Group, Modal, PasswordInput, Stack, Table, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorField, errorOnField } from '../../api/errors.js';
import { useClient } from '../../api/session-context.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { Empty, ErrorState, Loading } from '../../ui/states.js';
import { FormActions } from '../../ui/FormActions.js';
import { Time } from '../../ui/time.js';
import { EMPTY_GRANT, GrantFields, describeGrant, grantOf } from './GrantFields.js';

function CreateUserModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [grant, setGrant] = useState(EMPTY_GRANT);
  const close = () => {
    setUsername('');
    setPassword('');
    setGrant(EMPTY_GRANT);
    create.reset();
    onClose();
  };
  const create = useMutation({
    mutationFn: () =>
      client.users.create({ username, password, role: grant.role, namespaces: grantOf(grant) }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['users'] });
      close();
    },
  });
  const fieldError = (field: string) => errorOnField(create.error, field);
  return (
    <Modal opened={opened} onClose={close} title="Create user">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack>
          <TextInput
            label="Username"
            value={username}
            onChange={(e) => setUsername(e.currentTarget.value)}
            error={fieldError('username')}
            required
            data-autofocus
          />
          <PasswordInput
            label="Password"
            description="At least 12 characters; stored only as a scrypt hash"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={fieldError('password')}
            required
            autoComplete="new-password"
          />
          <GrantFields value={grant} onChange={setGrant} error={fieldError} />
          <FormActions
            unplacedError={create.isError && !errorField(create.error) ? create.error : undefined}
            onCancel={close}
            submitLabel={'Create'}
            pending={create.isPending}
          />
        </Stack>
      </form>
    </Modal>
  );
}

export function UsersPage() {
  const client = useClient();
  const queryClient = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: () => client.users.list({ limit: 500 }) });
  const remove = useMutation({
    mutationFn: (id: number) => client.users.delete(id),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
  const [creating, setCreating] = useState(false);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Users</Title>
        <Button onClick={() => setCreating(true)}>Create user</Button>
      </Group>
      <CreateUserModal opened={creating} onClose={() => setCreating(false)} />
      {remove.isError ? <ErrorState error={remove.error} /> : null}
      {users.isPending ? (
        <Loading what="users" />
      ) : users.isError ? (
        <ErrorState error={users.error} />
      ) : users.data.items.length === 0 ? (
        <Empty title="No users you administer">
          Press “Create user” to let someone sign in to the console.
        </Empty>
      ) : (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Username</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Namespaces</Table.Th>
              <Table.Th>Signs in with</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {users.data.items.map((u) => (
              <Table.Tr key={u.id}>
                <Table.Td>{u.username}</Table.Td>
                <Table.Td>{u.role}</Table.Td>
                <Table.Td>{describeGrant(u.namespaces)}</Table.Td>
                <Table.Td>{u.signIn === 'password' ? 'password' : 'OpenID Connect'}</Table.Td>
                <Table.Td>
                  <Time iso={u.createdAt} />
                </Table.Td>
                <Table.Td>
                  <ConfirmButton
                    label="Delete"
                    size="xs"
                    color="red"
                    variant="light"
                    question={`Delete the user “${u.username}”? Their sessions end at once.`}
                    onConfirm={() => remove.mutate(u.id)}
                    loading={remove.isPending && remove.variables === u.id}
                  />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
