/** The Dify API simulator (see server.ts), its scenarios and faults. */
export { startDifySim } from './server.js';
export type { DifySim, DifySimOptions, SimRequest } from './server.js';
export { SCENARIOS } from './scenarios.js';
export type { Scenario, SimNode } from './scenarios.js';
export { FAULTS } from './faults.js';
