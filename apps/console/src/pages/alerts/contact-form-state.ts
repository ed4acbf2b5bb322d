/**
 * The contact form's state and the request bodies made from it. Empty fields are left out of a
 * new contact and cleared (null) on an edit; the server validates and names the field at fault.
 */
import type { Contact, ContactCreateInput, ContactUpdateInput, WebhookKind } from '@kairos/protocol';

export interface ContactFormState {
  name: string;
  email: string;
  phone: string;
  webhookUrl: string;
  webhookKind: WebhookKind;
  /** Empty: none on a new contact; on an edit, keep the one set if the URL and kind are unchanged. */
  webhookSecret: string;
}

export const emptyContactForm: ContactFormState = {
  name: '',
  email: '',
  phone: '',
  webhookUrl: '',
  webhookKind: 'generic',
  webhookSecret: '',
};

export const formOfContact = (contact: Contact): ContactFormState => ({
  name: contact.name,
  email: contact.email ?? '',
  phone: contact.phone ?? '',
  webhookUrl: contact.webhook?.url ?? '',
  webhookKind: contact.webhook?.kind ?? 'generic',
  webhookSecret: '',
});

const webhookOf = (form: ContactFormState) =>
  form.webhookUrl.trim() === ''
    ? undefined
    : {
        url: form.webhookUrl.trim(),
        kind: form.webhookKind,
        ...(form.webhookSecret !== '' ? { secret: form.webhookSecret } : {}),
      };

export function createBodyOf(form: ContactFormState): ContactCreateInput {
  const webhook = webhookOf(form);
  return {
    name: form.name.trim(),
    ...(form.email.trim() !== '' ? { email: form.email.trim() } : {}),
    ...(form.phone.trim() !== '' ? { phone: form.phone.trim() } : {}),
    ...(webhook ? { webhook } : {}),
  };
}

/**
 * A PATCH: the webhook is sent only when it changed, because the server replaces it whole and
 * never shows the secret back (sending it without the secret would remove the secret).
 */
export function patchBodyOf(form: ContactFormState, contact: Contact): ContactUpdateInput {
  const webhook = webhookOf(form);
  const unchanged =
    webhook !== undefined &&
    contact.webhook !== null &&
    webhook.url === contact.webhook.url &&
    webhook.kind === contact.webhook.kind &&
    form.webhookSecret === '';
  return {
    name: form.name.trim(),
    email: form.email.trim() === '' ? null : form.email.trim(),
    phone: form.phone.trim() === '' ? null : form.phone.trim(),
    ...(unchanged ? {} : { webhook: webhook ?? null }),
  };
}
