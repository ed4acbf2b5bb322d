/**
 * The one test suite every Store implementation passes. A test file calls
 * `defineStoreContract(createDatabase)` with a factory for a fresh, empty database (a temp
 * SQLite file, a PostgreSQL schema); every test gets its own.
 *
 * Dialect differences are read from `store.capabilities`, never from the dialect's name: a test
 * that needs two stores on one database runs where `exclusiveWriter` is false, and the refusal
 * of a second store is checked where it is true.
 */
import { afterEach, beforeEach } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { defineAccessContract } from './contract/access.js';
import { defineAlertContract } from './contract/alerts.js';
import { defineBatchContract } from './contract/batches.js';
import { defineCatalogContract } from './contract/catalog.js';
import { defineClusterContract } from './contract/cluster.js';
import type { ContractContext, ContractDatabase } from './contract/context.js';
import { defineDefinitionsContract } from './contract/definitions.js';
import { defineExecutorContract } from './contract/executors.js';
import { defineLeaseContract } from './contract/leases.js';
import { defineLogAndMigrationContract } from './contract/logs-and-migrations.js';
import { defineNodeContract } from './contract/nodes.js';
import { defineRunContract } from './contract/runs.js';
import { defineRunStatsContract } from './contract/run-stats.js';
import { defineRetentionContract } from './contract/retention.js';
import { defineSchedulingContract } from './contract/scheduling.js';
import { defineSecurityContract } from './contract/security.js';
import { defineSettlementContract } from './contract/settlement.js';
import { defineChildRunContract } from './contract/child-runs.js';
import { defineWorkflowContract } from './contract/workflows.js';
import { defineDeadLetterContract } from './contract/dead-letters.js';
import { definePacingContract } from './contract/pacing.js';
import { defineStartWithExecutionsContract } from './contract/start-with-executions.js';
import { defineClusterPaceContract } from './contract/cluster-pace.js';

export type { ContractDatabase } from './contract/context.js';

export function defineStoreContract(createDatabase: () => Promise<ContractDatabase>): void {
  let database: ContractDatabase | undefined;
  let store: Store | undefined;

  beforeEach(async () => {
    database = await createDatabase();
    store = await database.open();
  });

  afterEach(async () => {
    await database?.dispose();
    database = undefined;
    store = undefined;
  });

  const context: ContractContext = {
    get store() {
      if (store === undefined) throw new Error('the store is opened in beforeEach');
      return store;
    },
    get database() {
      if (database === undefined) throw new Error('the database is created in beforeEach');
      return database;
    },
  };

  defineCatalogContract(context);
  defineDefinitionsContract(context);
  definePacingContract(context);
  defineStartWithExecutionsContract(context);
  defineClusterPaceContract(context);
  defineRunContract(context);
  defineSchedulingContract(context);
  defineSettlementContract(context);
  defineChildRunContract(context);
  defineWorkflowContract(context);
  defineDeadLetterContract(context);
  defineLeaseContract(context);
  defineLogAndMigrationContract(context);
  defineClusterContract(context);
  defineExecutorContract(context);
  defineRetentionContract(context);
  defineNodeContract(context);
  defineAlertContract(context);
  defineAccessContract(context);
  defineRunStatsContract(context);
  defineSecurityContract(context);
  defineBatchContract(context);
}
