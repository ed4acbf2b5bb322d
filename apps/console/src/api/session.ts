/**
 * The signed-in session, either of two kinds: a console sign-in (username and password; the
 * server keeps the session in an HttpOnly cookie the page cannot read, and answers the CSRF
 * token the client sends with every change), or an API token kept in sessionStorage (this tab
 * only, gone when it closes). Every request goes through @kairos/protocol's client, as any
 * other API user's.
 */
import { createClient, type KairosClient } from '@kairos/protocol';

const TOKEN_KEY = 'kairos.apiToken';

export type Credentials = { kind: 'token'; token: string } | { kind: 'cookie'; csrfToken: string };

export const loadToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);
export const saveToken = (token: string): void => sessionStorage.setItem(TOKEN_KEY, token);
export const clearToken = (): void => sessionStorage.removeItem(TOKEN_KEY);

/** A client for the server that served this page (a path prefix behind a proxy is not supported). */
export const clientFor = (credentials?: Credentials): KairosClient =>
  createClient({
    baseUrl: window.location.origin,
    token: credentials?.kind === 'token' ? credentials.token : undefined,
    csrfToken: credentials?.kind === 'cookie' ? credentials.csrfToken : undefined,
  });

/** The console session this browser holds already (its cookie), if any. */
export async function existingSession(): Promise<Credentials | null> {
  try {
    const me = await clientFor().session.get();
    return me.csrfToken === null ? null : { kind: 'cookie', csrfToken: me.csrfToken };
  } catch {
    return null;
  }
}
