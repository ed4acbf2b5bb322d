/** Contacts: the list; create, edit, delete (confirmed); "Send a test" with its deliveries. */
import { Badge, Button, Code, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Contact } from '@kairos/protocol';
import { useClient } from '../../api/session-context.js';
import { ConfirmButton } from '../../ui/ConfirmButton.js';
import { Empty, ErrorState, Loading } from '../../ui/states.js';
import { ALERTING_KEYS, useContacts } from './alerting-lookups.js';
import { ContactFormModal } from './ContactFormModal.js';
import { ContactTestModal, type ContactTest } from './ContactTestModal.js';

export function ContactsPage() {
  const client = useClient();
  const queryClient = useQueryClient();
  const contacts = useContacts();
  /** The contact being edited; null: a new one; undefined: the form is closed. */
  const [editing, setEditing] = useState<Contact | null | undefined>(undefined);
  const [test, setTest] = useState<ContactTest | null>(null);
  const sendTest = useMutation({
    mutationFn: (contact: Contact) => client.contacts.test(contact.id),
    onMutate: (contact) => setTest({ contact }),
    onSuccess: async ({ alertId }, contact) => {
      setTest({ contact, alertId });
      await queryClient.invalidateQueries({ queryKey: ALERTING_KEYS.alerts });
    },
    onError: (error, contact) => setTest({ contact, error }),
  });
  const remove = useMutation({
    mutationFn: (contact: Contact) => client.contacts.delete(contact.id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ALERTING_KEYS.contacts }),
  });

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Contacts</Title>
        <Button onClick={() => setEditing(null)}>New contact</Button>
      </Group>
      {editing !== undefined ? (
        <ContactFormModal
          key={editing?.id ?? 'new'}
          opened
          contact={editing ?? undefined}
          onClose={() => setEditing(undefined)}
        />
      ) : null}
      <ContactTestModal test={test} onClose={() => setTest(null)} />
      {remove.isError ? <ErrorState error={remove.error} /> : null}
      {contacts.isPending ? (
        <Loading what="contacts" />
      ) : contacts.isError ? (
        <ErrorState error={contacts.error} />
      ) : contacts.data.items.length === 0 ? (
        <Empty title="No contacts yet">
          A contact is who an alert tells: an email address, a phone number (SMS, calls), a webhook (Slack,
          DingTalk, Feishu, WeCom, Teams or signed JSON). Press “New contact”, then “Send a test”.
        </Empty>
      ) : (
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Phone</Table.Th>
              <Table.Th>Webhook</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {contacts.data.items.map((contact) => (
              <Table.Tr key={contact.id} data-testid="contact-row">
                <Table.Td>{contact.name}</Table.Td>
                <Table.Td>{contact.email ?? '—'}</Table.Td>
                <Table.Td>{contact.phone ?? '—'}</Table.Td>
                <Table.Td>
                  {contact.webhook ? (
                    <Group gap={6} wrap="nowrap">
                      <Badge variant="light">{contact.webhook.kind}</Badge>
                      {contact.webhook.hasSecret ? (
                        <Badge variant="outline" color="gray">
                          signed
                        </Badge>
                      ) : null}
                      <Code style={{ wordBreak: 'break-all' }}>{contact.webhook.url}</Code>
                    </Group>
                  ) : (
                    <Text c="dimmed">—</Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end" wrap="nowrap">
                    <Button
                      size="xs"
                      variant="light"
                      onClick={() => sendTest.mutate(contact)}
                      loading={sendTest.isPending && sendTest.variables.id === contact.id}
                    >
                      Send a test
                    </Button>
                    <Button size="xs" variant="light" onClick={() => setEditing(contact)}>
                      Edit
                    </Button>
                    <ConfirmButton
                      size="xs"
                      variant="light"
                      label="Delete"
                      question={`Delete contact ${contact.name}? It leaves its groups, and no rule tells it anything any more.`}
                      onConfirm={() => remove.mutate(contact)}
                      loading={remove.isPending && remove.variables.id === contact.id}
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
