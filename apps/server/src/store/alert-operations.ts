/**
 * The alerting operations of a Kysely store (the AlertStore part of Store), composed from the
 * queries of their concepts: contacts, rules and the outbox (alert-queries.ts), the thresholds'
 * reads (threshold-queries.ts) and the evaluator's cluster-wide lock (a dialect's own, or always
 * held where one process owns the store).
 */
import type { Kysely } from 'kysely';
import { AlertQueries } from './alert-queries.js';
import type { AlertStore } from './alert-store.js';
import type { Database } from './db-schema.js';
import { ThresholdQueries } from './threshold-queries.js';
import type { StepRunner } from './write-steps.js';

export function alertOperations(parts: {
  db: Kysely<Database>;
  now: () => number;
  /** The dialect has FOR UPDATE SKIP LOCKED (PostgreSQL). */
  skipLocked?: boolean | undefined;
  /** Runs multi-statement writes in a transaction of their own (write-steps.ts). */
  runSteps: StepRunner;
  /** The evaluator's cluster-wide lock (PostgreSQL); absent: always held. */
  holdEvaluatorLock?: (() => Promise<boolean>) | undefined;
}): AlertStore {
  const alerts = new AlertQueries(parts.db, parts.now, parts.skipLocked ?? false, parts.runSteps);
  const thresholds = new ThresholdQueries(parts.db);
  return {
    createContact: alerts.createContact.bind(alerts),
    getContact: alerts.getContact.bind(alerts),
    listContacts: alerts.listContacts.bind(alerts),
    updateContact: alerts.updateContact.bind(alerts),
    deleteContact: alerts.deleteContact.bind(alerts),
    createContactGroup: alerts.createContactGroup.bind(alerts),
    getContactGroup: alerts.getContactGroup.bind(alerts),
    listContactGroups: alerts.listContactGroups.bind(alerts),
    updateContactGroup: alerts.updateContactGroup.bind(alerts),
    deleteContactGroup: alerts.deleteContactGroup.bind(alerts),
    createAlertRule: alerts.createAlertRule.bind(alerts),
    getAlertRule: alerts.getAlertRule.bind(alerts),
    listAlertRules: alerts.listAlertRules.bind(alerts),
    listEnabledAlertRules: alerts.listEnabledAlertRules.bind(alerts),
    updateAlertRule: alerts.updateAlertRule.bind(alerts),
    deleteAlertRule: alerts.deleteAlertRule.bind(alerts),
    recordAlerts: alerts.recordAlerts.bind(alerts),
    getAlert: alerts.getAlert.bind(alerts),
    listAlerts: alerts.listAlerts.bind(alerts),
    claimDueDeliveries: alerts.claimDueDeliveries.bind(alerts),
    recordDeliveryOutcome: alerts.recordDeliveryOutcome.bind(alerts),
    finishedRunStats: thresholds.finishedRunStats.bind(thresholds),
    runUsageSince: thresholds.runUsageSince.bind(thresholds),
    runsRunningSince: thresholds.runsRunningSince.bind(thresholds),
    latestAlertStates: thresholds.latestAlertStates.bind(thresholds),
    // One process per SQLite file: it is always the evaluator.
    holdEvaluatorLock: parts.holdEvaluatorLock ?? (() => Promise.resolve(true)),
  };
}
