/**
 * What the access tests share: tokens with a role in a namespace, made through the API, and one
 * of every resource in a namespace, so that a route can be called on a real one.
 */
import { ROLES, type Role } from '@kairos/protocol';
import type { TestNode } from '../support/test-node.js';

export { ROLES, type Role };

/** Calls the API with a given bearer token (or none). */
export async function callAs(
  node: TestNode,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any; headers: Headers }> {
  const controller = new AbortController();
  const response = await fetch(`${node.url}${path}`, {
    method,
    signal: controller.signal,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // A live stream (a run's server-sent events) is judged by its status; it is not read to its end.
  if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
    controller.abort();
    return { status: response.status, body: undefined, headers: response.headers };
  }
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

/** Creates a token through the API (as the test admin) and returns its secret. */
export async function createToken(
  node: TestNode,
  name: string,
  role: Role,
  namespaces: string[] | '*',
  as?: string,
): Promise<{ id: number; secret: string }> {
  const created = as
    ? await callAs(node, as, 'POST', '/api/v1/tokens', { name, role, namespaces })
    : await node.api('POST', '/api/v1/tokens', { name, role, namespaces });
  if (created.status !== 201) throw new Error(`token ${name}: ${JSON.stringify(created.body)}`);
  return { id: created.body.id, secret: created.body.token };
}

export async function createNamespace(node: TestNode, name: string): Promise<void> {
  const created = await node.api('POST', '/api/v1/namespaces', { name });
  if (created.status !== 201) throw new Error(`namespace ${name}: ${JSON.stringify(created.body)}`);
}

/** The ids of one resource of every kind in a namespace, keyed by RouteAccess resource kind. */
export type Fixtures = Record<
  | 'task'
  | 'run'
  | 'app'
  | 'calendar'
  | 'contact'
  | 'contactGroup'
  | 'alertRule'
  | 'alert'
  | 'token'
  | 'user'
  | 'workflow'
  | 'workflowRun',
  string
>;

/** One of everything in `namespace`, named `<namespace>-<tag>-…`, made by the test admin. */
export async function createFixtures(node: TestNode, namespace: string, tag: string): Promise<Fixtures> {
  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await node.api(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const prefix = `${namespace}-${tag}`;
  const app = await ok('POST', '/api/v1/apps', {
    namespace,
    appName: `${prefix}-app`,
    name: `${prefix} app`,
  });
  const calendar = await ok('POST', '/api/v1/calendars', {
    namespace,
    name: `${prefix}-calendar`,
    timezone: 'UTC',
    dates: [],
  });
  const task = await ok('POST', '/api/v1/tasks', {
    namespace,
    name: `${prefix}-task`,
    app: app.appName,
    type: 'http',
    config: { url: 'http://127.0.0.1:9/' },
    schedule: { type: 'api' },
  });
  const { runId } = await ok('POST', `/api/v1/tasks/${task.id}/run`, {});
  const workflow = await ok('POST', '/api/v1/workflows', {
    namespace,
    name: `${prefix}-workflow`,
    app: app.appName,
    nodes: [{ key: 'only', taskId: task.id }],
  });
  const workflowRun = await ok('POST', `/api/v1/workflows/${workflow.id}/run`, {});
  const contact = await ok('POST', '/api/v1/contacts', {
    namespace,
    name: `${prefix}-contact`,
    email: 'ops@example.com',
  });
  const group = await ok('POST', '/api/v1/contact-groups', {
    namespace,
    name: `${prefix}-group`,
    contacts: [contact.id],
  });
  const rule = await ok('POST', '/api/v1/alert-rules', {
    namespace,
    name: `${prefix}-rule`,
    scope: { namespace },
    on: 'failure',
    notify: { contacts: [contact.id] },
  });
  const { alertId } = await ok('POST', `/api/v1/contacts/${contact.id}/test`, {});
  const token = await createToken(node, `${prefix}-token`, 'viewer', [namespace]);
  const user = await ok('POST', '/api/v1/users', {
    username: `${prefix}-user`,
    password: 'correct horse battery',
    role: 'viewer',
    namespaces: [namespace],
  });
  return {
    task: String(task.id),
    run: String(runId),
    app: String(app.id),
    calendar: String(calendar.id),
    contact: String(contact.id),
    contactGroup: String(group.id),
    alertRule: String(rule.id),
    alert: String(alertId),
    token: String(token.id),
    user: String(user.id),
    workflow: String(workflow.id),
    workflowRun: String(workflowRun.id),
  };
}
