/**
 * The alerting lists every alerting page names things from (a rule's contacts, an alert's rule):
 * the first 500 of each, cached by TanStack Query under one key per resource, so a change on one
 * page (a contact renamed) shows on the others after the invalidation.
 */
import { useQuery } from '@tanstack/react-query';
import { useClient } from '../../api/session-context.js';

export const ALERTING_KEYS = {
  contacts: ['contacts'],
  groups: ['contact-groups'],
  rules: ['alert-rules'],
  alerts: ['alerts'],
} as const;

export function useContacts() {
  const client = useClient();
  return useQuery({ queryKey: ALERTING_KEYS.contacts, queryFn: () => client.contacts.list({ limit: 500 }) });
}

export function useContactGroups() {
  const client = useClient();
  return useQuery({
    queryKey: ALERTING_KEYS.groups,
    queryFn: () => client.contactGroups.list({ limit: 500 }),
  });
}

export function useAlertRules() {
  const client = useClient();
  return useQuery({ queryKey: ALERTING_KEYS.rules, queryFn: () => client.alertRules.list({ limit: 500 }) });
}

/** `{value, label}` options for a Select or MultiSelect of things with an id and a name. */
export const optionsOf = (items: { id: number; name: string }[] | undefined) =>
  (items ?? []).map((item) => ({ value: String(item.id), label: item.name }));
