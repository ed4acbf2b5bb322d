/** How the CLI shows workflows and workflow runs (tables and key/value blocks). */
import type { Workflow, WorkflowRun } from '@kairos/protocol';
import { formatSchedule, jsonValue, keyValues, table } from './format.js';

export function workflowTable(workflows: Workflow[]): string[] {
  return table(
    ['ID', 'NAMESPACE', 'NAME', 'VERSION', 'NODES', 'SCHEDULE', 'ENABLED', 'NEXT FIRE'],
    workflows.map((w) => [
      w.id,
      w.namespace,
      w.name,
      w.version,
      w.nodes.length,
      formatSchedule(w.schedule),
      w.enabled ? 'yes' : 'no',
      w.nextFireAt ?? '-',
    ]),
  );
}

export function workflowLines(w: Workflow): string[] {
  return [
    ...keyValues([
      ['id', w.id],
      ['name', w.name],
      ['namespace', w.namespace],
      ['app', w.appName],
      ['version', w.version],
      ['enabled', w.enabled ? 'yes' : 'no'],
      ['schedule', formatSchedule(w.schedule)],
      ['next fire', w.nextFireAt ?? '-'],
      ['timeout', w.timeoutSeconds === undefined ? '-' : `${w.timeoutSeconds}s`],
    ]),
    'nodes:',
    ...w.nodes.map(
      (n) =>
        `  ${n.key}: ${n.taskId !== undefined ? `task ${n.taskId}` : `${n.task?.type} (inline)`}` +
        (n.forEach ? ` forEach ${n.forEach.items} (at most ${n.forEach.concurrency} at once)` : ''),
    ),
    'edges:',
    ...w.edges.map(
      (e) =>
        `  ${e.from} → ${e.to}` +
        (e.condition === 'on_success'
          ? ''
          : ` [${typeof e.condition === 'string' ? e.condition : e.condition.expression}]`),
    ),
  ];
}

export function workflowRunTable(runs: WorkflowRun[]): string[] {
  return table(
    ['ID', 'WORKFLOW', 'VERSION', 'STATUS', 'TRIGGER', 'STARTED', 'FINISHED'],
    runs.map((r) => [
      r.id,
      r.workflowName,
      r.version,
      r.status,
      r.triggerType,
      r.startedAt ?? '-',
      r.finishedAt ?? '-',
    ]),
  );
}

export function workflowRunLines(r: WorkflowRun): string[] {
  return [
    ...keyValues([
      ['id', r.id],
      ['workflow', `${r.workflowName} (${r.workflowId}) version ${r.version}`],
      ['status', r.status],
      ['trigger', r.triggerType],
      ['resumed from', r.resumedFrom ?? '-'],
      ['started', r.startedAt ?? '-'],
      ['finished', r.finishedAt ?? '-'],
      ['error', r.error ? `${r.error.type}: ${r.error.message}` : '-'],
      ['input', jsonValue(r.input) ?? '-'],
    ]),
    ...table(
      ['NODE', 'STATUS', 'RUNS', 'ERROR'],
      r.nodes.map((n) => [n.key, n.status, n.runIds.join(',') || '-', n.error ? n.error.message : '-']),
    ),
  ];
}
