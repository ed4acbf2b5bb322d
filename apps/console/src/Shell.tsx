/** The frame around every page: navigation on the left, sign out at the top. */
import { AppShell, Button, Group, NavLink, Title } from '@mantine/core';
import { Link, useRouterState } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { useSession } from './api/session-context.js';

const NAV = [
  { to: '/', label: 'Dashboard' },
  { to: '/apps', label: 'Apps' },
  { to: '/tasks', label: 'Tasks' },
  { to: '/runs', label: 'Runs' },
  { to: '/dead-letters', label: 'Dead letters' },
  { to: '/batches', label: 'Batches' },
  { to: '/workflows', label: 'Workflows' },
  { to: '/calendars', label: 'Calendars' },
  { to: '/executors', label: 'Executors' },
  { to: '/budgets', label: 'Budgets and pools' },
  { to: '/tokens', label: 'API tokens' },
  { to: '/users', label: 'Users' },
  { to: '/audit', label: 'Audit log' },
] as const;

const ALERTS_NAV = [
  { to: '/alerts', label: 'History' },
  { to: '/alert-rules', label: 'Rules' },
  { to: '/contacts', label: 'Contacts' },
  { to: '/contact-groups', label: 'Contact groups' },
] as const;

export function Shell({ children }: { children: ReactNode }) {
  const { signOut } = useSession();
  const path = useRouterState({ select: (s) => s.location.pathname });
  const active = (to: string) => (to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`));
  return (
    <AppShell header={{ height: 52 }} navbar={{ width: 200, breakpoint: 'sm' }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Title order={4}>Kairos</Title>
          <Button variant="subtle" size="xs" onClick={signOut}>
            Sign out
          </Button>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        {NAV.map((item) => (
          <NavLink key={item.to} component={Link} to={item.to} label={item.label} active={active(item.to)} />
        ))}
        <NavLink label="Alerts" defaultOpened>
          {ALERTS_NAV.map((item) => (
            <NavLink
              key={item.to}
              component={Link}
              to={item.to}
              label={item.label}
              active={active(item.to)}
            />
          ))}
        </NavLink>
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
