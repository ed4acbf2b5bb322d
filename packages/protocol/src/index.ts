export * from './schemas.js';
export * from './executors.js';
export * from './client.js';
export * from './stats.js';
