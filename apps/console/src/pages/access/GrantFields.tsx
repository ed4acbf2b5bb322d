/** The role and namespaces a token or user is given: one role, named namespaces or every one. */
import { Select, Switch, TagsInput } from '@mantine/core';
import { ROLES, type NamespaceGrant, type Role } from '@kairos/protocol';

export interface Grant {
  role: Role;
  every: boolean;
  namespaces: string[];
}

export const EMPTY_GRANT: Grant = { role: 'viewer', every: false, namespaces: ['default'] };

export const grantOf = (grant: Grant): NamespaceGrant => (grant.every ? '*' : grant.namespaces);

export const describeGrant = (namespaces: NamespaceGrant): string =>
  namespaces === '*' ? 'every namespace' : namespaces.join(', ');

export function GrantFields({
  value,
  onChange,
  error,
}: {
  value: Grant;
  onChange: (grant: Grant) => void;
  error: (field: string) => string | undefined;
}) {
  return (
    <>
      <Select
        label="Role"
        description="viewer reads; operator also runs and cancels; editor also changes tasks, calendars, alerts; admin also apps, tokens, users, script tasks"
        data={[...ROLES]}
        value={value.role}
        onChange={(role) => onChange({ ...value, role: (role ?? 'viewer') as Role })}
        allowDeselect={false}
        error={error('role')}
      />
      <Switch
        label="Every namespace (*)"
        checked={value.every}
        onChange={(e) => onChange({ ...value, every: e.currentTarget.checked })}
      />
      {value.every ? null : (
        <TagsInput
          label="Namespaces"
          description="Press Enter after each name"
          value={value.namespaces}
          onChange={(namespaces) => onChange({ ...value, namespaces })}
          error={error('namespaces') ?? error('namespaces.0')}
        />
      )}
    </>
  );
}
