/**
 * The contact form leaves empty fields out of a new contact and clears them on an edit; it sends
 * the webhook only when it changed, since the server replaces it whole and never shows its secret.
 */
import { describe, expect, it } from 'vitest';
import type { Contact } from '@kairos/protocol';
import {
  createBodyOf,
  emptyContactForm,
  formOfContact,
  patchBodyOf,
} from '../src/pages/alerts/contact-form-state.js';

const contact: Contact = {
  id: 3,
  namespace: 'default',
  name: 'ops',
  email: 'ops@example.com',
  phone: null,
  webhook: { url: 'https://hooks.example.com/a', kind: 'slack', hasSecret: true },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('the contact form', () => {
  it('leaves empty fields out of a new contact', () => {
    expect(createBodyOf({ ...emptyContactForm, name: ' ops ', email: 'ops@example.com' })).toEqual({
      name: 'ops',
      email: 'ops@example.com',
    });
    expect(
      createBodyOf({
        ...emptyContactForm,
        name: 'hook',
        webhookUrl: 'https://x.example/h',
        webhookSecret: 's',
      }),
    ).toEqual({ name: 'hook', webhook: { url: 'https://x.example/h', kind: 'generic', secret: 's' } });
  });

  it('keeps the webhook (and its secret) when it is unchanged and no secret is typed', () => {
    const patch = patchBodyOf({ ...formOfContact(contact), phone: '+8613800138000' }, contact);
    expect(patch).toEqual({ name: 'ops', email: 'ops@example.com', phone: '+8613800138000' });
  });

  it('sends the webhook when its URL changes or a secret is typed, and null when cleared', () => {
    const form = formOfContact(contact);
    expect(patchBodyOf({ ...form, webhookUrl: 'https://hooks.example.com/b' }, contact).webhook).toEqual({
      url: 'https://hooks.example.com/b',
      kind: 'slack',
    });
    expect(patchBodyOf({ ...form, webhookSecret: 'new' }, contact).webhook).toMatchObject({ secret: 'new' });
    expect(patchBodyOf({ ...form, webhookUrl: '', email: '' }, contact)).toMatchObject({
      email: null,
      webhook: null,
    });
  });
});
