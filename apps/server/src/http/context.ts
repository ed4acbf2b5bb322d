import type { AlertService } from '../alerts/alert-service.js';
import type { Clock } from '../clock.js';
import type { Executors } from '../dispatch/index.js';
import type { JobTypeRegistry } from '../job-types/registry.js';
import type { RunEngine } from '../runs/run-engine.js';
import type { AppService } from '../services/app-service.js';
import type { CalendarService } from '../services/calendar-service.js';
import type { Namespaces } from '../services/namespaces.js';
import type { TaskService } from '../services/task-service.js';
import type { Store } from '../store/store.js';
import type { RetentionDefaults } from '../retention/retention-policy.js';

/** What the routes need: services, not the wiring. */
export interface ApiContext {
  store: Store;
  clock: Clock;
  engine: RunEngine;
  tasks: TaskService;
  apps: AppService;
  calendars: CalendarService;
  namespaces: Namespaces;
  /** The job types, for what only a run's type knows (its track). */
  jobTypes?: JobTypeRegistry;
  /** The executor registry, dispatch and pull queue (issue 4). */
  executors?: Executors;
  /** This node's id (GET /nodes marks it `self`). */
  nodeId?: string;
  /** Contacts, groups, alert rules (issue 15). */
  alerts?: AlertService;
  /** The server's run history retention (config), under each namespace's own (issue 17). */
  retentionDefaults?: RetentionDefaults;
  /** false while starting or shutting down (readyz). */
  isReady: () => boolean;
}
