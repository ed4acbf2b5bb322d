/**
 * The `dify_workflow` job type: runs a published Dify workflow app through its Service API.
 * The API key is stored encrypted and shown masked; the task is checked against the app when it
 * is saved; runs stream, record every event, resume after a restart and stop Dify on timeout or
 * cancel. See docs/dify.md.
 */
import { KairosError } from '../../errors.js';
import { serverGuards } from '../../outbound/namespace-guards.js';
import type { GuardSource } from '../../outbound/namespace-guards.js';
import { OutboundPolicy } from '../../outbound/outbound-policy.js';
import { SecretBox } from '../../secrets/secret-box.js';
import type { LatencyTuning } from '../../runtime/latency-tuning.js';
import type { JobType } from '../job-type.js';
import { DifyApi, DifyApiError } from './api-client.js';
import { difyTransport } from './http-client.js';
import { DifyConfig, apiBase } from './config.js';
import { parseDifyEvent } from './events.js';
import type { DifyEvent } from './events.js';
import { checkInputs } from './inputs.js';
import { buildTrack } from './track.js';
import { isDifyCheckpoint, mergeInputs, prepareRun, runWorkflow } from './workflow-run.js';

/** How long saving a task waits for Dify's /info and /parameters before warning instead. */
const VALIDATE_TIMEOUT_MS = 5000;

/**
 * `guards`: where the calls may connect, per namespace (default: the default policy); `latency`:
 * the node's latency layers (connections warmed ahead of runs, streams read in a share of the
 * event loop; default none).
 */
export function difyJobType(
  box: SecretBox,
  guards: GuardSource = serverGuards(new OutboundPolicy()),
  latency?: LatencyTuning,
): JobType<DifyConfig> {
  const transport = difyTransport(latency);
  return {
    name: 'dify_workflow',
    configSchema: DifyConfig,
    destinations: (config) => [{ field: 'config.endpoint', url: config.endpoint }],

    prepareConfig(config, previous) {
      const key = config.apiKey;
      if (SecretBox.isSealed(key) || SecretBox.isMasked(key)) {
        // A read's masked key sent back unchanged keeps the stored one.
        const kept = previous?.apiKey;
        if (kept !== undefined && (key === kept || key === SecretBox.maskOf(kept)))
          return { ...config, apiKey: kept };
        throw new KairosError(
          'INVALID_CONFIG',
          'config.apiKey: send the API key itself (app-…), not its masked form',
          {
            field: 'config.apiKey',
          },
        );
      }
      return { ...config, apiKey: box.seal(key) };
    },

    presentConfig(stored) {
      const apiKey = SecretBox.isSealed(stored.apiKey)
        ? SecretBox.maskOf(stored.apiKey)
        : SecretBox.mask(stored.apiKey);
      return { ...stored, apiKey };
    },

    async validate(config) {
      // The namespace's destinations were checked by the task service; the server's apply here.
      const api = new DifyApi(
        apiBase(config.endpoint),
        box.open(config.apiKey),
        transport,
        guards.guardFor(0),
      );
      const signal = AbortSignal.timeout(VALIDATE_TIMEOUT_MS);
      try {
        const info = await api.info(signal);
        if (info.mode !== 'workflow') {
          throw new KairosError(
            'INVALID_CONFIG',
            `config.apiKey: the key belongs to ${info.name ? `"${info.name}", ` : ''}a ${String(info.mode ?? 'unknown')} app; ` +
              'Kairos runs workflow apps only (use the API key of a published Workflow app)',
            { field: 'config.apiKey' },
          );
        }
        const parameters = await api.parameters(signal);
        const { errors, warnings } = checkInputs(config.inputs, parameters.user_input_form);
        const first = errors[0];
        if (first) {
          const field = `config.${first.field}`;
          throw new KairosError('INVALID_CONFIG', `${field}: ${first.message}`, {
            field,
            details: { problems: errors.map((e) => ({ field: `config.${e.field}`, message: e.message })) },
          });
        }
        return warnings;
      } catch (error) {
        if (error instanceof KairosError) throw error;
        return [refusalOrWarning(error, api.host)];
      }
    },

    run: (context) => runWorkflow(context, box, transport, guards.guardFor(context.namespaceId)),

    async inputCheck(config, namespaceId) {
      const api = new DifyApi(
        apiBase(config.endpoint),
        box.open(config.apiKey),
        transport,
        guards.guardFor(namespaceId),
      );
      let form: unknown;
      try {
        form = (await api.parameters(AbortSignal.timeout(VALIDATE_TIMEOUT_MS))).user_input_form;
      } catch {
        return undefined;
      }
      return (input) => {
        const [first] = checkInputs(mergeInputs(config.inputs, input), form).errors;
        return first && `${first.field} ${first.message}`;
      };
    },

    warm(config, dueInMs, namespaceId) {
      try {
        transport.connections.expect(
          prepareRun(config, box, transport).url,
          dueInMs,
          guards.guardFor(namespaceId),
        );
      } catch {
        // a key that cannot be unsealed fails the run, which says so
      }
    },

    resume(context, checkpoint) {
      if (!isDifyCheckpoint(checkpoint)) throw new Error('the saved checkpoint is not a Dify run');
      return runWorkflow(context, box, transport, guards.guardFor(context.namespaceId), checkpoint);
    },

    result: (output) => (isObject(output) ? output.outputs : undefined),

    versionOf: (output) =>
      isObject(output) && typeof output.workflowId === 'string' ? output.workflowId : null,

    track(events) {
      const parsed: DifyEvent[] = [];
      for (const e of events) {
        if (e.truncated) continue;
        const event = parseDifyEvent(e.data);
        if (event) parsed.push(event);
      }
      return buildTrack(parsed);
    },
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Unreachable (or timing out, or a 5xx) is a warning; a definite refusal throws. */
function refusalOrWarning(error: unknown, host: string): string {
  if (error instanceof DifyApiError) {
    if (error.kind === 'refused') {
      throw new KairosError('DESTINATION_REFUSED', `config.endpoint: ${error.message}`, {
        field: 'config.endpoint',
      });
    }
    if (error.kind === 'garbage' && error.status !== null && error.status < 500) {
      throw new KairosError('INVALID_CONFIG', `config.endpoint: ${error.message}`, {
        field: 'config.endpoint',
      });
    }
    if (error.kind === 'http' && error.status !== null && error.status < 500 && error.status !== 429) {
      const field = error.status === 401 || error.status === 403 ? 'config.apiKey' : 'config.endpoint';
      throw new KairosError('INVALID_CONFIG', `${field}: ${error.message}`, { field });
    }
  }
  const why =
    error instanceof Error && error.name === 'TimeoutError'
      ? `no answer within ${VALIDATE_TIMEOUT_MS} ms`
      : (error as Error).message;
  return `could not check the Dify app at ${host} (${why}); saved unchecked`;
}
