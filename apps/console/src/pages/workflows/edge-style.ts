/** How an edge shows its condition: a label (none for the default, on success) and a stroke. */
import { MarkerType, type Edge } from '@xyflow/react';
import type { ConditionKind } from './editor-state.js';

const LOOK: Record<ConditionKind, { label?: string; color: string; dashed: boolean }> = {
  on_success: { color: 'var(--mantine-color-gray-6)', dashed: false },
  on_failure: { label: 'on failure', color: 'var(--mantine-color-red-6)', dashed: true },
  always: { label: 'always', color: 'var(--mantine-color-gray-6)', dashed: true },
  expression: { label: 'if …', color: 'var(--mantine-color-violet-6)', dashed: false },
};

/** The React Flow props that draw an edge of this condition (red, with the refusal, when refused). */
export function edgeLook(
  condition: ConditionKind,
  problem: string | undefined,
): Pick<Edge, 'label' | 'style' | 'markerEnd' | 'labelStyle' | 'labelBgStyle' | 'labelBgPadding'> {
  const look = LOOK[condition];
  const color = problem ? 'var(--mantine-color-red-7)' : look.color;
  const label = problem ? `refused${look.label ? ` · ${look.label}` : ''}` : look.label;
  return {
    ...(label ? { label } : {}),
    style: {
      stroke: color,
      strokeWidth: problem ? 2.5 : 1.5,
      ...(look.dashed ? { strokeDasharray: '6 4' } : {}),
    },
    markerEnd: { type: MarkerType.ArrowClosed, color },
    labelStyle: { fill: color, fontSize: 11, fontWeight: 600 },
    labelBgStyle: { fill: 'var(--mantine-color-body)' },
    labelBgPadding: [4, 2],
  };
}
