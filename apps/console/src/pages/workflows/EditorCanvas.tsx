/**
 * The editor's graph (React Flow): drag nodes, draw an edge from a node's right handle to
 * another's left, click a node or an edge to edit it, Backspace or Delete removes the selection.
 * An edge that would close a cycle is refused here, with the path it would close.
 */
import {
  Background,
  Controls,
  ReactFlow,
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type Edge,
  type Node,
  type EdgeChange,
  type NodeChange,
  useReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useCallback, useEffect, useMemo, useRef, type Dispatch, type SetStateAction } from 'react';
import { edgeLook } from './edge-style.js';
import { edgeId, type DraftEdge, type DraftNode, type Problem } from './editor-state.js';
import { editorNodeTypes, type EditorNodeData } from './flow-nodes.js';
import { refuseEdge } from './graph-checks.js';

export type Selection = { node: string } | { edge: string } | null;

export function EditorCanvas({
  nodes,
  edges,
  setNodes,
  setEdges,
  problems,
  describeRuns,
  onSelect,
  onRefuse,
}: {
  nodes: DraftNode[];
  edges: DraftEdge[];
  setNodes: Dispatch<SetStateAction<DraftNode[]>>;
  setEdges: Dispatch<SetStateAction<DraftEdge[]>>;
  problems: Problem[];
  /** What a node runs, in a few words ("task nightly-report", "inline http"). */
  describeRuns: (node: DraftNode) => string;
  onSelect: (selection: Selection) => void;
  /** Why a drawn edge was not added. */
  onRefuse: (why: string) => void;
}) {
  const shownNodes = useMemo(
    () =>
      nodes.map((n) => {
        const problem = problems.find((p) => p.on === 'node' && p.key === n.id);
        const data: EditorNodeData = {
          key: n.data.key,
          title: n.data.name.trim() || n.data.key,
          runs: `${n.data.name.trim() ? `${n.data.key} · ` : ''}${describeRuns(n)}`,
          forEach: n.data.forEach,
          problem: problem?.message,
        };
        return { ...n, data };
      }),
    [nodes, problems, describeRuns],
  );
  const shownEdges = useMemo(
    () =>
      edges.map((e) => {
        const problem = problems.find((p) => p.on === 'edge' && p.id === e.id);
        return { ...e, ...edgeLook(e.data?.condition ?? 'on_success', problem?.message) };
      }),
    [edges, problems],
  );

  const onNodesChange = useCallback(
    // The canvas shows display nodes with the drafts' ids: their changes (moves, removals) apply to the drafts.
    (changes: NodeChange[]) => setNodes((ns) => applyNodeChanges(changes as NodeChange<DraftNode>[], ns)),
    [setNodes],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => setEdges((es) => applyEdgeChanges(changes as EdgeChange<DraftEdge>[], es)),
    [setEdges],
  );
  const onConnect = useCallback(
    ({ source, target }: Connection) => {
      const why = refuseEdge(
        edges.map((e) => ({ from: e.source, to: e.target })),
        source,
        target,
      );
      if (why) {
        onRefuse(why);
        return;
      }
      const id = edgeId(source, target);
      setEdges((es) => [...es, { id, source, target, data: { condition: 'on_success', expression: '' } }]);
      onSelect({ edge: id });
    },
    [edges, setEdges, onRefuse, onSelect],
  );

  return (
    <div style={{ height: 480 }} data-testid="workflow-editor-canvas">
      <ReactFlow<Node, Edge>
        nodes={shownNodes}
        edges={shownEdges}
        nodeTypes={editorNodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onNodeClick={(_, n) => onSelect({ node: n.id })}
        onEdgeClick={(_, e) => onSelect({ edge: e.id })}
        onPaneClick={() => onSelect(null)}
        deleteKeyCode={['Backspace', 'Delete']}
        fitView
        fitViewOptions={{ maxZoom: 1, padding: 0.2 }}
      >
        <Background gap={16} />
        <Controls showInteractive={false} />
        <FitOnAdd count={nodes.length} />
      </ReactFlow>
    </div>
  );
}

/** Brings a node just added into view (React Flow waits until it is measured). */
function FitOnAdd({ count }: { count: number }) {
  const { fitView } = useReactFlow();
  const seen = useRef(count);
  useEffect(() => {
    if (count > seen.current) void fitView({ maxZoom: 1, padding: 0.2 });
    seen.current = count;
  }, [count, fitView]);
  return null;
}
