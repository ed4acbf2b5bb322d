/**
 * A workflow drawn read-only: its definition on the workflow's page, a run's nodes coloured by
 * status on the run's page. Clicking a node calls `onNodeClick` with its key.
 */
import { Background, Controls, ReactFlow, type Edge, type Node } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import { edgeLook } from './edge-style.js';
import { edgeId, edgesOfWorkflow } from './editor-state.js';
import { runNodeTypes, type RunNodeData } from './flow-nodes.js';
import { positionsOf } from './layout.js';
import type { WorkflowEdge, WorkflowNode } from '@kairos/protocol';

export function WorkflowGraph({
  nodes,
  edges,
  describe,
  onNodeClick,
  height = 360,
}: {
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
  /** A node's subtitle and status. */
  describe: (node: WorkflowNode) => { subtitle: string; status?: string | undefined };
  onNodeClick?: (key: string) => void;
  height?: number;
}) {
  const at = useMemo(() => positionsOf(nodes, edges), [nodes, edges]);
  const shownNodes = useMemo(
    (): Node<RunNodeData, 'run'>[] =>
      nodes.map((n) => ({
        id: n.key,
        type: 'run',
        position: at.get(n.key) ?? { x: 0, y: 0 },
        data: { key: n.key, title: n.name || n.key, ...describe(n) },
        draggable: false,
        connectable: false,
        style: onNodeClick ? { cursor: 'pointer' } : undefined,
      })),
    [nodes, at, describe, onNodeClick],
  );
  const shownEdges = useMemo(
    (): Edge[] =>
      edgesOfWorkflow({ edges }).map((e) => ({
        ...e,
        id: edgeId(e.source, e.target),
        ...edgeLook(e.data?.condition ?? 'on_success', undefined),
      })),
    [edges],
  );
  return (
    <div style={{ height }} data-testid="workflow-graph">
      <ReactFlow
        nodes={shownNodes}
        edges={shownEdges}
        nodeTypes={runNodeTypes}
        nodesDraggable={false}
        nodesConnectable={false}
        edgesFocusable={false}
        onNodeClick={onNodeClick ? (_, n) => onNodeClick(n.id) : undefined}
        fitView
        fitViewOptions={{ maxZoom: 1, padding: 0.2 }}
      >
        <Background gap={16} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
