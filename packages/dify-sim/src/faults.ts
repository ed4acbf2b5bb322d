/**
 * The simulator picks an app from the API key: `app-<scenario>[+<fault>…]`, e.g. `app-simple`,
 * `app-iteration+slow`, `app-simple+drop-terminal+no-reattach`. `app-chat` is a chat app (to be
 * refused); any other key is rejected with 401, as Dify does for an unknown key.
 */
import { SCENARIOS } from './scenarios.js';
import type { Scenario } from './scenarios.js';

export const FAULTS = {
  'drop-terminal': 'the stream ends without its terminal event (the run still finishes in run detail)',
  'drop-first': 'the first event (workflow_started) is not sent',
  stall: 'after 3 events the stream goes silent, without pings, and stays open',
  cut: 'after 3 events the connection is dropped',
  slow: 'events come 200 ms apart',
  'no-reattach': 'GET /v1/workflow/{id}/events answers 404, as Dify before 1.13',
  garbage: 'the stream carries lines that are not JSON',
  huge: 'one node_finished carries a 300 KB output',
  error: 'the stream ends with an `error` event (internal_server_error) after 2 events',
  http400: 'POST run answers 400 invalid_param',
  http404: 'POST run answers 404 not_found',
  http429: 'POST run answers 429 too_many_requests',
  quota: 'POST run answers 429 rate_limit_error',
  http500: 'POST run answers 500 internal_server_error',
  html: 'every call answers 200 with an HTML page',
  'old-detail': 'run detail returns inputs and outputs as JSON strings (Dify 1.12)',
} as const;
export type Fault = keyof typeof FAULTS;

export interface SimApp {
  key: string;
  mode: 'workflow' | 'advanced-chat';
  scenario: Scenario;
  faults: Set<Fault>;
}

export function appForKey(key: string): SimApp | undefined {
  if (!key.startsWith('app-')) return undefined;
  const [name = '', ...faults] = key.slice(4).split('+');
  if (name === 'chat') return { key, mode: 'advanced-chat', scenario: SCENARIOS.simple!, faults: new Set() };
  const scenario = SCENARIOS[name];
  if (!scenario || !faults.every((f) => f in FAULTS)) return undefined;
  return { key, mode: 'workflow', scenario, faults: new Set(faults as Fault[]) };
}
