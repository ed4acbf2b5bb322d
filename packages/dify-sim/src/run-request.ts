/**
 * The checks of POST /v1/workflows/run as Dify makes them, in Dify's order, with Dify's codes and
 * messages, and the refusals an app's faults ask for (faults.ts). Pure: the server sends the
 * refusal or starts the run.
 */
import type { SimApp } from './faults.js';

/** The tenant named in Dify's quota messages. */
export const APP_ID = '9f1c2e7a-4b3d-4c8e-a5f6-2d7b9e0c1a34';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface RunRefusal {
  status: number;
  body: { code: string; message: string; status: number; params?: string };
  headers?: Record<string, string>;
}

export interface RunRequest {
  user: string;
  inputs: Record<string, unknown>;
  streaming: boolean;
}

const refuse = (
  status: number,
  code: string,
  message: string,
  extra: { params?: string; headers?: Record<string, string> } = {},
): { refusal: RunRefusal } => ({
  refusal: {
    status,
    body: { code, message, status, ...(extra.params ? { params: extra.params } : {}) },
    ...(extra.headers ? { headers: extra.headers } : {}),
  },
});

/** Dify's answer to a run request that it refuses, or the request's parts. */
export function checkRunRequest(
  app: SimApp,
  contentType: string,
  body: unknown,
  workflowId: string | null,
): { refusal: RunRefusal } | { request: RunRequest } {
  if (!contentType.includes('application/json')) {
    return refuse(
      415,
      'unsupported_media_type',
      "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.",
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return refuse(400, 'bad_request', 'Invalid JSON payload received or JSON payload is empty.');
  }
  if (app.mode !== 'workflow') {
    return refuse(400, 'not_workflow_app', 'Please check if your app mode matches the right API route.');
  }
  const faulted = faultRefusal(app);
  if (faulted) return { refusal: faulted };
  const {
    inputs,
    user,
    response_mode: mode,
  } = body as { inputs?: unknown; user?: unknown; response_mode?: unknown };
  if (typeof user !== 'string' || user === '') {
    return refuse(400, 'invalid_param', 'Arg user must be provided.', { params: 'user' });
  }
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
    return refuse(400, 'invalid_param', 'inputs must be a dict', { params: 'inputs' });
  }
  if (mode !== undefined && mode !== 'blocking' && mode !== 'streaming') {
    return refuse(400, 'invalid_param', 'response_mode must be blocking or streaming');
  }
  if (workflowId !== null && !UUID.test(workflowId)) {
    return refuse(400, 'bad_request', `Invalid workflow_id format: '${workflowId}'. `);
  }
  const values = inputs as Record<string, unknown>;
  for (const field of app.scenario.form) {
    const value = values[field.variable];
    if (field.required && (value === undefined || value === null || value === '')) {
      return refuse(400, 'invalid_param', `${field.variable} is required in input form`);
    }
    if (field.type === 'select' && value !== undefined && !field.options?.includes(String(value))) {
      return refuse(
        400,
        'invalid_param',
        `${field.variable} in input form must be one of the following: ${JSON.stringify(field.options)}`,
      );
    }
  }
  return { request: { user, inputs: values, streaming: mode === 'streaming' } };
}

/** The refusal an app's faults ask for, before Dify reads the body's fields. */
function faultRefusal(app: SimApp): RunRefusal | undefined {
  const f = app.faults;
  if (f.has('http400')) return refuse(400, 'invalid_param', 'Workflow not published').refusal;
  if (f.has('http404')) return refuse(404, 'not_found', 'Workflow not found with id: x').refusal;
  if (f.has('retry-after') || f.has('quota-retry-after')) {
    const quota = f.has('quota-retry-after');
    return refuse(
      429,
      quota ? 'rate_limit_error' : 'too_many_requests',
      quota
        ? `Workflow execution quota limit reached for tenant ${APP_ID}`
        : 'Too many requests. Please try again later.',
      { headers: { 'retry-after': quota ? '120' : '30' } },
    ).refusal;
  }
  if (f.has('http429')) {
    return refuse(
      429,
      'too_many_requests',
      `Too many requests. Please try again later. The current maximum concurrent requests allowed for ${APP_ID} is 1.`,
    ).refusal;
  }
  if (f.has('quota')) {
    return refuse(429, 'rate_limit_error', `Workflow execution quota limit reached for tenant ${APP_ID}`)
      .refusal;
  }
  if (f.has('http500')) return refuse(500, 'internal_server_error', 'Internal Server Error.').refusal;
  return undefined;
}
