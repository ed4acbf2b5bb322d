/**
 * The signed-in session: the API token lives in sessionStorage (this tab only, gone when it
 * closes), and every request goes through @kairos/protocol's client, as any other API user's.
 */
import { createClient, type KairosClient } from '@kairos/protocol';

const TOKEN_KEY = 'kairos.apiToken';

export const loadToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);
export const saveToken = (token: string): void => sessionStorage.setItem(TOKEN_KEY, token);
export const clearToken = (): void => sessionStorage.removeItem(TOKEN_KEY);

/** A client for the server that served this page (a path prefix behind a proxy is not supported). */
export const clientFor = (token: string): KairosClient =>
  createClient({ baseUrl: window.location.origin, token });
