export { startKairos, VERSION } from './kairos.js';
export type { KairosNode, KairosOptions } from './kairos.js';
export { loadConfig, ConfigSchema, ConfigError } from './config.js';
export type { Config } from './config.js';
export { runServer } from './run-server.js';
export { ManualClock, systemClock } from './clock.js';
export type { Clock } from './clock.js';
export type { JobType, JobContext, JobOutcome } from './job-types/job-type.js';
export { JobFailure } from './job-types/job-type.js';
