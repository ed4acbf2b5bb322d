/**
 * API tokens: create (the secret answered once), list, revoke. An admin manages the
 * tokens of the namespaces it administers, and hands out no more than it holds.
 */
import { ApiToken, ListQuery, TokenCreate, listOf } from '@kairos/protocol';
import { coversGrant } from '../../access/principal.js';
import type { ApiTokenRecord } from '../../store/access-records.js';
import { API_TOKEN_PREFIX } from '../../services/token-service.js';
import { maskToken } from '../../secrets/token-hash.js';
import type { ApiContext } from '../context.js';
import { iso } from '../present.js';
import type { RouteTable } from '../route-table.js';
import { parseId } from '../validation.js';

const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export const presentToken = (token: ApiTokenRecord, secret?: string): ApiToken => ({
  id: token.id,
  name: token.name,
  role: token.role,
  namespaces: token.namespaces,
  token:
    secret ??
    (token.tokenHint === null ? `${API_TOKEN_PREFIX}_****` : maskToken(API_TOKEN_PREFIX, token.tokenHint)),
  createdAt: iso(token.createdAt),
  createdBy: token.createdBy,
  expiresAt: isoOrNull(token.expiresAt),
  lastUsedAt: isoOrNull(token.lastUsedAt),
  revokedAt: isoOrNull(token.revokedAt),
});

export function tokenRoutes(routes: RouteTable, ctx: ApiContext): void {
  routes.add(
    {
      method: 'GET',
      url: '/api/v1/tokens',
      summary: 'List API tokens (of the namespaces you administer), revoked ones included, newest first',
      tag: 'access',
      access: { role: 'admin', namespace: 'any' },
      query: ListQuery.omit({ namespace: true }),
      response: listOf(ApiToken),
    },
    async ({ query, request }) => {
      const principal = ctx.access.principal(request);
      const page = await ctx.store.listApiTokens({ cursor: query.cursor, limit: query.limit });
      return {
        items: page.items
          .filter((t) => coversGrant(principal, 'admin', t.namespaces))
          .map((t) => presentToken(t)),
        nextCursor: page.nextCursor,
      };
    },
  );
  routes.add(
    {
      method: 'POST',
      url: '/api/v1/tokens',
      summary: 'Create an API token; the answer holds its secret in full, the only time it is shown',
      tag: 'access',
      access: { role: 'admin', namespace: 'any' },
      body: TokenCreate,
      response: ApiToken,
      status: 201,
    },
    async ({ body, request }) => {
      ctx.access.requireCovers(request, 'admin', body.namespaces);
      const { token, secret } = await ctx.apiTokens.create(body, ctx.access.principal(request).name);
      return presentToken(token, secret);
    },
  );
  routes.add(
    {
      method: 'DELETE',
      url: '/api/v1/tokens/:id',
      summary:
        'Revoke an API token, at once on every node (the last admin token for every namespace cannot be)',
      tag: 'access',
      access: { role: 'admin', namespace: { resource: 'token' } },
      response: ApiToken,
    },
    async ({ params }) => {
      // The revocation's event makes every node's Authenticator forget the tokens it trusts.
      return presentToken(await ctx.apiTokens.revoke(parseId(params.id, 'id')));
    },
  );
}
