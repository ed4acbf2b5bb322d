/**
 * Lists many pages need to name things (an app's name for its id, a task's name for its id).
 * The first 500 of each, cached by TanStack Query; a console for more than 500 apps would need
 * a search endpoint instead.
 */
import { useQuery } from '@tanstack/react-query';
import type { App, Task } from '@kairos/protocol';
import { useClient } from './session-context.js';

export function useApps() {
  const client = useClient();
  return useQuery({ queryKey: ['apps'], queryFn: () => client.apps.list({ limit: 500 }) });
}

export function useTasks(appId?: number) {
  const client = useClient();
  return useQuery({
    queryKey: ['tasks', { appId }],
    queryFn: () => client.tasks.list({ limit: 500, appId }),
  });
}

export const byId = <T extends { id: number }>(items: T[] | undefined): Map<number, T> =>
  new Map((items ?? []).map((item) => [item.id, item]));

export type { App, Task };
