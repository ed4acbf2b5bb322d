/**
 * Creating or editing a contact: name, email, phone and a webhook (URL, format, signing secret).
 * The server validates (addresses, E.164 phones, the webhook destination policy) and its error is
 * shown on the field it names; nothing is saved when it refuses.
 */
import { Group, Modal, PasswordInput, Select, Stack, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { WEBHOOK_KINDS, type Contact, type WebhookKind } from '@kairos/protocol';
import { errorField, errorOnField } from '../../api/errors.js';
import { useClient } from '../../api/session-context.js';
import { FormActions } from '../../ui/FormActions.js';
import { ALERTING_KEYS } from './alerting-lookups.js';
import {
  createBodyOf,
  emptyContactForm,
  formOfContact,
  patchBodyOf,
  type ContactFormState,
} from './contact-form-state.js';

const SHOWN_FIELDS = ['name', 'email', 'phone', 'webhook', 'webhook.url', 'webhook.kind', 'webhook.secret'];

const KIND_LABELS: Record<WebhookKind, string> = {
  generic: 'Generic JSON (signed with the secret)',
  slack: 'Slack',
  dingtalk: 'DingTalk',
  feishu: 'Feishu / Lark',
  wecom: 'WeCom',
  teams: 'Microsoft Teams',
};

/** `contact` undefined: a new one. Mounted afresh for each contact opened (keyed by the caller). */
export function ContactFormModal({
  opened,
  contact,
  onClose,
}: {
  opened: boolean;
  contact: Contact | undefined;
  onClose: () => void;
}) {
  const client = useClient();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<ContactFormState>(() =>
    contact ? formOfContact(contact) : emptyContactForm,
  );
  const set = <K extends keyof ContactFormState>(key: K, value: ContactFormState[K]) =>
    setForm((f) => ({ ...f, [key]: value }));
  const save = useMutation({
    mutationFn: () =>
      contact
        ? client.contacts.update(contact.id, patchBodyOf(form, contact))
        : client.contacts.create(createBodyOf(form)),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ALERTING_KEYS.contacts });
      onClose();
    },
  });
  const errorOf = (...fields: string[]) =>
    fields.map((field) => errorOnField(save.error, field)).find((m) => m !== undefined);
  const field = errorField(save.error);

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      size="lg"
      title={contact ? `Edit contact ${contact.name}` : 'New contact'}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack>
          <TextInput
            label="Name"
            value={form.name}
            onChange={(e) => set('name', e.currentTarget.value)}
            error={errorOf('name')}
            required
            data-autofocus
          />
          <Group grow align="flex-start">
            <TextInput
              label="Email"
              type="email"
              value={form.email}
              onChange={(e) => set('email', e.currentTarget.value)}
              error={errorOf('email')}
            />
            <TextInput
              label="Phone"
              description="E.164, e.g. +8613800138000 (SMS and calls)"
              value={form.phone}
              onChange={(e) => set('phone', e.currentTarget.value)}
              error={errorOf('phone')}
            />
          </Group>
          <Title order={5}>Webhook</Title>
          <TextInput
            label="Webhook URL"
            description="Empty for none"
            placeholder="https://hooks.slack.com/services/…"
            value={form.webhookUrl}
            onChange={(e) => set('webhookUrl', e.currentTarget.value)}
            error={errorOf('webhook.url', 'webhook')}
          />
          <Group grow align="flex-start">
            <Select
              label="Format"
              data={WEBHOOK_KINDS.map((kind) => ({ value: kind, label: KIND_LABELS[kind] }))}
              value={form.webhookKind}
              onChange={(v) => set('webhookKind', (v ?? 'generic') as WebhookKind)}
              error={errorOf('webhook.kind')}
              allowDeselect={false}
            />
            <PasswordInput
              label="Secret"
              description={
                contact?.webhook?.hasSecret
                  ? 'A secret is set and never shown. Empty keeps it, unless the URL or format changes'
                  : 'Signs generic JSON (HMAC-SHA256); DingTalk’s and Feishu’s signing secret'
              }
              value={form.webhookSecret}
              onChange={(e) => set('webhookSecret', e.currentTarget.value)}
              error={errorOf('webhook.secret')}
              autoComplete="new-password"
            />
          </Group>
          <FormActions
            unplacedError={
              save.isError && (field === undefined || !SHOWN_FIELDS.includes(field)) ? save.error : undefined
            }
            onCancel={onClose}
            submitLabel={contact ? 'Save contact' : 'Create contact'}
            pending={save.isPending}
          />
        </Stack>
      </form>
    </Modal>
  );
}
