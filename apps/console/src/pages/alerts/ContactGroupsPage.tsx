/** Contact groups: the list with their members; create and edit (name, members), delete (confirmed). */
import { Button, Group, Modal, MultiSelect, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ContactGroup } from '@kairos/protocol';
import { errorField, errorOnField } from '../../api/errors.js';
import { byId } from '../../api/lookups.js';
import { useClient } from '../../api/session-context.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { AnchorLink } from '../../ui/links.js';
import { Empty, ErrorState, Loading } from '../../ui/states.js';
import { FormActions } from '../../ui/FormActions.js';
import { ALERTING_KEYS, optionsOf, useContactGroups, useContacts } from './alerting-lookups.js';

export function ContactGroupsPage() {
  const client = useClient();
  const queryClient = useQueryClient();
  const groups = useContactGroups();
  const contacts = useContacts();
  const contactById = byId(contacts.data?.items);
  /** The group being edited; null: a new one; undefined: the form is closed. */
  const [editing, setEditing] = useState<ContactGroup | null | undefined>(undefined);
  const remove = useMutation({
    mutationFn: (group: ContactGroup) => client.contactGroups.delete(group.id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ALERTING_KEYS.groups }),
  });

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Contact groups</Title>
        <Button onClick={() => setEditing(null)}>New group</Button>
      </Group>
      {editing !== undefined ? (
        <GroupFormModal
          key={editing?.id ?? 'new'}
          group={editing ?? undefined}
          onClose={() => setEditing(undefined)}
        />
      ) : null}
      {remove.isError ? <ErrorState error={remove.error} /> : null}
      {groups.isPending ? (
        <Loading what="contact groups" />
      ) : groups.isError ? (
        <ErrorState error={groups.error} />
      ) : groups.data.items.length === 0 ? (
        <Empty title="No contact groups yet">
          A group (say, the on-call team) lets a rule tell several{' '}
          <AnchorLink to="/contacts">contacts</AnchorLink> at once; each is told once per channel, even when
          in several groups. Press “New group”.
        </Empty>
      ) : (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Members</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {groups.data.items.map((group) => (
              <Table.Tr key={group.id} data-testid="group-row">
                <Table.Td>{group.name}</Table.Td>
                <Table.Td>
                  {group.contacts.length === 0 ? (
                    <Text c="dimmed">nobody</Text>
                  ) : (
                    group.contacts.map((id) => contactById.get(id)?.name ?? `contact ${id}`).join(', ')
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end" wrap="nowrap">
                    <Button size="xs" variant="light" onClick={() => setEditing(group)}>
                      Edit
                    </Button>
                    <ConfirmButton
                      size="xs"
                      variant="light"
                      label="Delete"
                      question={`Delete group ${group.name}? Its contacts stay; rules that name the group no longer reach them through it.`}
                      onConfirm={() => remove.mutate(group)}
                      loading={remove.isPending && remove.variables.id === group.id}
                    />
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

function GroupFormModal({ group, onClose }: { group: ContactGroup | undefined; onClose: () => void }) {
  const client = useClient();
  const queryClient = useQueryClient();
  const contacts = useContacts();
  const [name, setName] = useState(group?.name ?? '');
  const [members, setMembers] = useState<string[]>(group?.contacts.map(String) ?? []);
  const save = useMutation({
    mutationFn: () => {
      const body = { name: name.trim(), contacts: members.map(Number) };
      return group ? client.contactGroups.update(group.id, body) : client.contactGroups.create(body);
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ALERTING_KEYS.groups });
      onClose();
    },
  });
  const field = errorField(save.error);
  return (
    <Modal opened onClose={onClose} title={group ? `Edit group ${group.name}` : 'New contact group'}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errorOnField(save.error, 'name')}
            required
            data-autofocus
          />
          <MultiSelect
            label="Members"
            placeholder={contacts.data?.items.length === 0 ? 'Create a contact first' : 'Pick contacts'}
            data={optionsOf(contacts.data?.items)}
            value={members}
            onChange={setMembers}
            error={field?.startsWith('contacts') ? errorOnField(save.error, field) : undefined}
            searchable
          />
          <FormActions
            unplacedError={
              save.isError && field !== 'name' && !field?.startsWith('contacts') ? save.error : undefined
            }
            onCancel={onClose}
            submitLabel={group ? 'Save group' : 'Create group'}
            pending={save.isPending}
          />
        </Stack>
      </form>
    </Modal>
  );
}
