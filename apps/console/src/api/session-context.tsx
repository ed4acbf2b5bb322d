/** The session (client and sign-out) for every page, from one React context. */
import { createContext, useContext } from 'react';
import type { KairosClient } from '@kairos/protocol';
import type { Credentials } from './session.js';

export interface Session {
  client: KairosClient;
  credentials: Credentials;
  signOut: () => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside a signed-in session');
  return session;
}

/** The API client of the signed-in session. */
export const useClient = (): KairosClient => useSession().client;
