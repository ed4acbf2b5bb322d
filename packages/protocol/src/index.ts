export * from './schemas.js';
export * from './executors.js';
export * from './nodes.js';
export * from './client.js';
export * from './alerts.js';
export * from './stats.js';
export * from './retention.js';
