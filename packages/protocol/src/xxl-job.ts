/**
 * The XXL-JOB wire shapes (XXL-JOB 2.2-3.5), declared once for both sides: the server (the admin
 * side: it triggers executors and takes their registrations and callbacks) and the SDK (the
 * executor side). Types only; each side parses what it receives itself, leniently, because stock
 * executors and admins of different versions send variants (see the reference's xxl-job.md).
 */

/** What an executor does with a trigger while the job's previous one is still running. */
export type XxlBlockStrategy = 'SERIAL_EXECUTION' | 'DISCARD_LATER' | 'COVER_EARLY';

/**
 * The TriggerParam: the body of `/run` (and of 3.5's `/trigger`), identical in all versions;
 * Kairos hands the same object to pull executors. A stock admin sends null for an empty
 * parameter or a bean job's glue source.
 */
export interface XxlTriggerParam {
  jobId: number;
  executorHandler: string;
  executorParams: string | null;
  executorBlockStrategy: XxlBlockStrategy;
  /** Seconds; 0 is none. */
  executorTimeout: number;
  logId: number;
  logDateTime: number;
  /** `BEAN`, or the glue script's language (`GLUE_SHELL`, `GLUE_PYTHON`, `GLUE_NODEJS`, …). */
  glueType: string;
  glueSource: string | null;
  glueUpdatetime: number;
  broadcastIndex: number;
  broadcastTotal: number;
}

/** The envelope of every answer, both directions: HTTP 200 and `code` 200 for success. 3.3+ reads `data`, older versions `content`. */
export interface XxlReturn<T = unknown> {
  code: number;
  msg: string | null;
  content?: T;
  data?: T;
}

/** The body of `/idleBeat` and `/kill`. */
export interface XxlJobIdParam {
  jobId: number;
}

/** The body of `/log`. `logDateTim` (sic) is XXL-JOB's spelling; Kairos sends both. */
export interface XxlLogParam {
  logId: number;
  logDateTim: number;
  logDateTime?: number;
  /** 1-based. */
  fromLineNum: number;
}

/** The content of `/log`'s answer: the lines from `fromLineNum` to `toLineNum`. */
export interface XxlLogResult {
  fromLineNum: number;
  toLineNum: number;
  logContent: string;
  isEnd: boolean;
}

/** The body of the admin's `/api/registry` and `/api/registryRemove`. */
export interface XxlRegistryParam {
  registryGroup: 'EXECUTOR';
  /** The app's appName. */
  registryKey: string;
  /** The executor's address. */
  registryValue: string;
}

/**
 * One item of the admin's `/api/callback` (2.3+ spelling; 3.5 wraps the list in
 * `{callbackList}`). `handleCode` 200 is success, 500 failure, 502 timeout. `nonRetryable` is
 * Kairos's own (the SDK's NonRetryableError); stock admins ignore it.
 */
export interface XxlCallbackParam {
  logId: number;
  logDateTim?: number;
  handleCode: number;
  handleMsg: string | null;
  nonRetryable?: true;
}
