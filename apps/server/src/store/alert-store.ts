/**
 * The alerting part of the Store contract, implemented by alert-queries.ts for both
 * dialects and tested by test/store/contract/alerts.ts.
 */
import type { Usage } from '@kairos/protocol';
import type {
  AlertFilter,
  AlertRulePatch,
  AlertRuleRecord,
  AlertWithDeliveries,
  ContactGroupPatch,
  ContactGroupRecord,
  ContactPatch,
  ContactRecord,
  DeliveryOutcome,
  DeliveryRecord,
  NewAlert,
  NewAlertRule,
  NewContact,
  NewContactGroup,
} from './alert-records.js';
import type { ClaimDeliveriesOptions, InsertedAlerts } from './alert-outbox.js';
import type { AlertState } from './alert-records.js';
import type { RunRecord } from './records.js';
import type { FinishedRunStats, RunScope } from './threshold-queries.js';
import type { Page, PageRequest } from './store.js';
import { type NamespaceFilter } from './namespace-scope.js';

export interface AlertStore extends ThresholdStore {
  /** Throws StoreConflictError if (namespaceId, name) is taken. */
  createContact(contact: NewContact): Promise<ContactRecord>;
  getContact(id: number): Promise<ContactRecord | undefined>;
  listContacts(
    filter: { namespaceId?: NamespaceFilter | undefined },
    page: PageRequest,
  ): Promise<Page<ContactRecord>>;
  updateContact(id: number, patch: ContactPatch): Promise<ContactRecord | undefined>;
  /** The contact leaves its groups; deliveries already made keep their history. */
  deleteContact(id: number): Promise<boolean>;

  /** Throws StoreConflictError if (namespaceId, name) is taken. */
  createContactGroup(group: NewContactGroup): Promise<ContactGroupRecord>;
  getContactGroup(id: number): Promise<ContactGroupRecord | undefined>;
  listContactGroups(
    filter: { namespaceId?: NamespaceFilter | undefined },
    page: PageRequest,
  ): Promise<Page<ContactGroupRecord>>;
  updateContactGroup(id: number, patch: ContactGroupPatch): Promise<ContactGroupRecord | undefined>;
  deleteContactGroup(id: number): Promise<boolean>;

  createAlertRule(rule: NewAlertRule): Promise<AlertRuleRecord>;
  getAlertRule(id: number): Promise<AlertRuleRecord | undefined>;
  listAlertRules(
    filter: { namespaceId?: NamespaceFilter | undefined },
    page: PageRequest,
  ): Promise<Page<AlertRuleRecord>>;
  /** Every enabled rule (the rule cache's source). */
  listEnabledAlertRules(): Promise<AlertRuleRecord[]>;
  updateAlertRule(id: number, patch: AlertRulePatch): Promise<AlertRuleRecord | undefined>;
  deleteAlertRule(id: number): Promise<boolean>;

  /** insertAlertsSteps (alert-outbox.ts) in a transaction of its own. */
  recordAlerts(alerts: readonly NewAlert[]): Promise<InsertedAlerts>;
  getAlert(id: number): Promise<AlertWithDeliveries | undefined>;
  /** Newest first, each with its deliveries. */
  listAlerts(filter: AlertFilter, page: PageRequest): Promise<Page<AlertWithDeliveries>>;
  /** Leases due deliveries to a node (each is taken by one node at a time); see alert-outbox.ts. */
  claimDueDeliveries(options: ClaimDeliveriesOptions): Promise<DeliveryRecord[]>;
  /** Records an attempt's outcome and releases the lease; false if nothing was changed. */
  recordDeliveryOutcome(id: number, owner: string, outcome: DeliveryOutcome): Promise<boolean>;
}

/** What the threshold evaluator reads (threshold-queries.ts) and its cluster-wide lock. */
export interface ThresholdStore {
  finishedRunStats(scope: RunScope, from: number): Promise<FinishedRunStats>;
  runUsageSince(scope: RunScope, from: number): Promise<Usage[]>;
  runsRunningSince(scope: RunScope, startedBefore: number, limit: number): Promise<RunRecord[]>;
  latestAlertStates(ruleIds: readonly number[]): Promise<Map<string, AlertState>>;
  /**
   * True while this node is the one that evaluates thresholds: a cluster-wide lock on PostgreSQL
   * (a session advisory lock, released when the node's connection ends), always on SQLite.
   */
  holdEvaluatorLock(): Promise<boolean>;
}
