/** An apply plan as people read it: per namespace, one line per definition, the changed fields under it. */
import type { ApplyPlan } from '@kairos/protocol';

const MARK = { create: '+', update: '~', unchanged: '=', delete: '-' } as const;

export function planCounts(plan: ApplyPlan) {
  const count = (action: keyof typeof MARK) => plan.changes.filter((c) => c.action === action).length;
  const counts = {
    create: count('create'),
    update: count('update'),
    unchanged: count('unchanged'),
    delete: count('delete'),
  };
  return { ...counts, changing: counts.create + counts.update + counts.delete };
}

const show = (value: unknown): string => (value === undefined ? '(none)' : JSON.stringify(value));

/**
 * @example
 * namespace default
 *   + app billing
 *   ~ task nightly
 *       schedule.expression: "0 0 2 * * ?" -> "0 30 2 * * ?"
 *   = calendar cn-holidays
 *   ~ workflow tickets
 *       edges.0.condition: "on_success" -> "always"
 * Plan: 1 to create, 2 to change, 1 unchanged, 0 to delete.
 */
export function formatPlan(plan: ApplyPlan, place: (field: string) => string = (f) => f): string[] {
  const lines: string[] = [];
  let namespace: string | undefined;
  for (const change of plan.changes) {
    if (change.namespace !== namespace) {
      namespace = change.namespace;
      lines.push(`namespace ${namespace}`);
    }
    lines.push(`  ${MARK[change.action]} ${change.kind} ${change.name}`);
    for (const field of change.fields)
      lines.push(`      ${field.field}: ${show(field.from)} -> ${show(field.to)}`);
  }
  for (const warning of plan.warnings) lines.push(`warning: ${place(warning.field)}: ${warning.message}`);
  const c = planCounts(plan);
  lines.push(
    c.changing === 0
      ? `Nothing to change (${c.unchanged} unchanged).`
      : `Plan: ${c.create} to create, ${c.update} to change, ${c.unchanged} unchanged, ${c.delete} to delete.`,
  );
  return lines;
}
