/**
 * The `dify_workflow` task config. `endpoint` is the API server shown on Dify's API Access page,
 * with or without the trailing `/v1`; `apiKey` is the app's key (stored encrypted, shown masked).
 */
import { z } from 'zod';

export const RESPONSE_MODES = ['streaming', 'blocking'] as const;

const endpoint = z
  .string()
  .max(2048, 'must be at most 2048 characters')
  .superRefine((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: "must be the API server's absolute URL, such as https://api.dify.ai/v1",
      });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `must use http or https, not ${url.protocol.slice(0, -1)}` });
    }
    if (url.search !== '' || url.hash !== '') {
      ctx.addIssue({ code: 'custom', message: 'must not carry a query or fragment' });
    }
  });

export const DifyConfig = z.strictObject({
  endpoint,
  apiKey: z.string().min(1, 'is required').max(4096, 'is too long'),
  /** Values of the workflow's Start-node variables; a run's own input (an object) is merged over them. */
  inputs: z.record(z.string(), z.unknown()).default({}),
  /** Dify's end-user id for the runs; default `kairos:<taskId>`. */
  user: z.string().min(1).max(255).optional(),
  responseMode: z
    .enum(RESPONSE_MODES, { error: `must be one of ${RESPONSE_MODES.join(', ')}` })
    .default('streaming'),
  /** Pins a published workflow version (POST /v1/workflows/{workflowId}/run). */
  workflowId: z.uuid('must be a workflow version id (a UUID)').optional(),
  /** Dify does not de-duplicate runs: only an idempotent workflow is retried after it started. */
  idempotent: z.boolean().default(false),
  /** A stream silent this long (Dify pings every 10 s) is dropped and the run followed by polling. */
  readTimeoutSeconds: z.number().min(1).max(600).default(60),
});
export type DifyConfig = z.output<typeof DifyConfig>;

/** `https://x/v1`, `https://x/v1/`, `https://x` → `https://x/v1`. */
export function apiBase(endpoint: string): string {
  const url = new URL(endpoint);
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  return `${url.origin}${path}/v1`;
}

/** The end-user id sent to Dify. */
export const difyUser = (config: DifyConfig, taskId: number): string => config.user ?? `kairos:${taskId}`;
