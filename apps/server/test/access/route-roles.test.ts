/**
 * The route × role suite, generated from the route table (through the OpenAPI document's
 * `x-kairos-access`): every route is called by a token of every role in namespace alpha, on
 * real resources of alpha, and by an admin of namespace beta. A route added without a declared
 * access fails the first test; one whose declaration is not enforced fails the others.
 */
import { describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../support/test-node.js';
import {
  ROLES,
  callAs,
  createFixtures,
  createNamespace,
  createToken,
  type Fixtures,
  type Role,
} from './access-fixtures.js';

interface Operation {
  method: string;
  path: string;
  access?: { role: Role; namespace: string };
  public: boolean;
  /** It has required query parameters (not a list that answers bare). */
  needsQuery: boolean;
}

async function operations(node: TestNode): Promise<Operation[]> {
  const doc = (await node.api('GET', '/api/v1/openapi.json')).body;
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(methods)) {
      ops.push({
        method: method.toUpperCase(),
        path,
        access: op['x-kairos-access'],
        public: Array.isArray(op.security) && op.security.length === 0,
        needsQuery: (op.parameters ?? []).some((p: any) => p.in === 'query' && p.required),
      });
    }
  }
  // Changes that remove what other routes use go last (a task before its app and calendar).
  const weight = (op: Operation) =>
    op.method !== 'DELETE' ? 0 : op.path.includes('tasks') ? 1 : op.path.includes('contacts') ? 3 : 2;
  return ops.sort((a, b) => weight(a) - weight(b));
}

/** The request that exercises an operation on the fixtures of namespace `ns`. */
function requestFor(op: Operation, ns: string, fixtures: Fixtures): { path: string; body?: unknown } {
  const source = op.access!.namespace;
  const kind = source.startsWith('resource:')
    ? (source.slice('resource:'.length) as keyof Fixtures)
    : undefined;
  const path = op.path
    .replace('{name}', ns)
    .replace('{app}', fixtures.app)
    .replace('{version}', '1')
    .replace('{id}', kind ? fixtures[kind] : '1')
    .replace('{otherId}', kind ? fixtures[kind] : '1');
  const query = source === 'query' || source === 'query-or-default' ? `?namespace=${ns}` : '';
  const body =
    source === 'body' ? { namespace: ns } : ['POST', 'PATCH', 'PUT'].includes(op.method) ? {} : undefined;
  return { path: path + query, body };
}

const rank = (role: Role) => ROLES.indexOf(role);

describe('route × role', () => {
  it('every route declares the role it needs and its namespace, or is one of the executor endpoints', async () => {
    const node = await startTestNode();
    const ops = await operations(node);
    expect(ops.length).toBeGreaterThan(50);
    for (const op of ops) {
      if (op.public)
        expect(op.path, `${op.method} ${op.path}`).toMatch(/^\/api\/v1\/(executor\/|openapi\.json|session)/);
      else {
        expect(op.access, `${op.method} ${op.path}`).toBeDefined();
        expect(ROLES).toContain(op.access!.role);
      }
    }
  });

  it.each(ROLES)('a %s of alpha may call exactly the routes its role allows there', async (role) => {
    const node = await startTestNode();
    await createNamespace(node, 'alpha');
    const fixtures = await createFixtures(node, 'alpha', role);
    const token = await createToken(node, `alpha ${role}`, role, ['alpha']);
    const wrong: string[] = [];
    for (const op of (await operations(node)).filter((o) => o.access)) {
      const { path, body } = requestFor(op, 'alpha', fixtures);
      const res = await callAs(node, token.secret, op.method, path, body);
      const allowed = rank(role) >= rank(op.access!.role) && op.access!.namespace !== 'server';
      const ok = allowed ? ![401, 403].includes(res.status) && res.status < 500 : res.status === 403;
      if (!ok) wrong.push(`${op.method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      if (!allowed) expect(res.body.error.code).toBe('FORBIDDEN');
    }
    expect(wrong).toEqual([]);
  });

  it("an admin of beta sees nothing of alpha: 404 for alpha's resources and namespace, lists without them", async () => {
    const node = await startTestNode();
    await createNamespace(node, 'alpha');
    await createNamespace(node, 'beta');
    const fixtures = await createFixtures(node, 'alpha', 'hidden');
    await createFixtures(node, 'beta', 'seen');
    const beta = await createToken(node, 'beta admin', 'admin', ['beta']);
    const wrong: string[] = [];
    for (const op of (await operations(node)).filter((o) => o.access)) {
      const source = op.access!.namespace;
      const { path, body } = requestFor(op, 'alpha', fixtures);
      const res = await callAs(node, beta.secret, op.method, path, body);
      const expected = source === 'server' ? 403 : source === 'any' ? undefined : 404;
      if (expected !== undefined && res.status !== expected)
        wrong.push(`${op.method} ${path}: ${res.status}`);
      // What it may list, it lists without alpha's things.
      if (op.method === 'GET' && res.status === 200 && JSON.stringify(res.body).includes('alpha')) {
        wrong.push(`${op.method} ${path} shows alpha: ${JSON.stringify(res.body).slice(0, 300)}`);
      }
      // The lists across every namespace it sees: beta's things, none of alpha's.
      if (op.method === 'GET' && (source === 'query' || source === 'any') && !op.needsQuery) {
        const all = await callAs(node, beta.secret, 'GET', op.path);
        if (all.status !== 200 || JSON.stringify(all.body).includes('alpha')) {
          wrong.push(
            `GET ${op.path} (every namespace): ${all.status} ${JSON.stringify(all.body).slice(0, 300)}`,
          );
        }
      }
    }
    expect(wrong).toEqual([]);
    // And lists do show beta's own things.
    const tasks = await callAs(node, beta.secret, 'GET', '/api/v1/tasks');
    expect(tasks.body.items.map((t: { name: string }) => t.name)).toEqual(['beta-seen-task']);
  });
});
