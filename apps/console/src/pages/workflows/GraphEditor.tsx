/**
 * The graph part of the workflow editor: the canvas, the toolbar (add a node, arrange, check)
 * and the inspector of the selected node or edge. Keys are node ids on the canvas, so a rename
 * moves the node's edges with it.
 */
import { Alert, Button, Grid, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useCallback, useState, type Dispatch, type SetStateAction } from 'react';
import type { Task } from '@kairos/protocol';
import { EdgeInspector } from './EdgeInspector.js';
import { EditorCanvas, type Selection } from './EditorCanvas.js';
import { NodeInspector } from './NodeInspector.js';
import {
  edgeId,
  freeKey,
  newNodeDraft,
  type DraftEdge,
  type DraftNode,
  type EdgeDraft,
  type NodeDraft,
  type Problem,
} from './editor-state.js';
import { NODE_HEIGHT, NODE_WIDTH, positionsOf } from './layout.js';

export function GraphEditor({
  nodes,
  edges,
  setNodes,
  setEdges,
  problems,
  tasks,
  onCheck,
  checking,
}: {
  nodes: DraftNode[];
  edges: DraftEdge[];
  setNodes: Dispatch<SetStateAction<DraftNode[]>>;
  setEdges: Dispatch<SetStateAction<DraftEdge[]>>;
  problems: Problem[];
  tasks: Task[];
  onCheck: () => void;
  checking: boolean;
}) {
  const [selection, setSelection] = useState<Selection>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const taskName = useCallback((id: string) => tasks.find((t) => String(t.id) === id)?.name, [tasks]);
  const describeRuns = useCallback(
    (n: DraftNode) =>
      n.data.source === 'task'
        ? n.data.taskId
          ? `task ${taskName(n.data.taskId) ?? n.data.taskId}`
          : 'no task picked'
        : `inline ${n.data.type}`,
    [taskName],
  );

  const addNode = () => {
    const key = freeKey(nodes);
    const position = freeSlot(nodes.map((n) => n.position));
    setNodes((ns) => [...ns, { id: key, type: 'draft', position, data: newNodeDraft(key) }]);
    setSelection({ node: key });
  };
  const arrange = () => {
    const at = positionsOf(
      nodes.map((n) => ({ key: n.id })),
      edges.map((e) => ({ from: e.source, to: e.target })),
    );
    setNodes((ns) => ns.map((n) => ({ ...n, position: at.get(n.id) ?? n.position })));
  };
  const changeNode = (key: string, patch: Partial<NodeDraft>) =>
    setNodes((ns) => ns.map((n) => (n.id === key ? { ...n, data: { ...n.data, ...patch } } : n)));
  const renameNode = (from: string, to: string): string | null => {
    if (nodes.some((n) => n.id === to)) return `another node is ${to}`;
    setNodes((ns) => ns.map((n) => (n.id === from ? { ...n, id: to, data: { ...n.data, key: to } } : n)));
    setEdges((es) =>
      es.map((e) => {
        const source = e.source === from ? to : e.source;
        const target = e.target === from ? to : e.target;
        return { ...e, id: edgeId(source, target), source, target };
      }),
    );
    setSelection({ node: to });
    return null;
  };
  const deleteNode = (key: string) => {
    setNodes((ns) => ns.filter((n) => n.id !== key));
    setEdges((es) => es.filter((e) => e.source !== key && e.target !== key));
    setSelection(null);
  };
  const changeEdge = (id: string, patch: Partial<EdgeDraft>) =>
    setEdges((es) =>
      es.map((e) =>
        e.id === id ? { ...e, data: { condition: 'on_success', expression: '', ...e.data, ...patch } } : e,
      ),
    );

  const selectedNode =
    selection && 'node' in selection ? nodes.find((n) => n.id === selection.node) : undefined;
  const selectedEdge =
    selection && 'edge' in selection ? edges.find((e) => e.id === selection.edge) : undefined;
  const problemsOfNode = (key: string) =>
    problems.flatMap((p) =>
      p.on === 'node' && p.key === key ? [{ field: p.field, message: p.message }] : [],
    );
  const problemsOfEdge = (id: string) =>
    problems.flatMap((p) => (p.on === 'edge' && p.id === id ? [{ field: p.field, message: p.message }] : []));

  return (
    <Paper withBorder p="md">
      <Stack>
        <Group justify="space-between">
          <Title order={4}>Graph</Title>
          <Group gap="xs">
            <Button size="xs" onClick={addNode}>
              Add node
            </Button>
            <Button size="xs" variant="default" onClick={arrange} disabled={nodes.length < 2}>
              Arrange
            </Button>
            <Button size="xs" variant="default" onClick={onCheck} loading={checking}>
              Check
            </Button>
          </Group>
        </Group>
        {refusal ? (
          <Alert
            color="orange"
            title="Edge not added"
            withCloseButton
            onClose={() => setRefusal(null)}
            role="alert"
          >
            {refusal[0]!.toUpperCase() + refusal.slice(1)}. A workflow is a graph without cycles.
          </Alert>
        ) : null}
        <Grid gap="md">
          <Grid.Col span={{ base: 12, lg: 8 }}>
            <Paper withBorder radius="sm" style={{ overflow: 'hidden' }}>
              <EditorCanvas
                nodes={nodes}
                edges={edges}
                setNodes={setNodes}
                setEdges={setEdges}
                problems={problems}
                describeRuns={describeRuns}
                onSelect={setSelection}
                onRefuse={setRefusal}
              />
            </Paper>
          </Grid.Col>
          <Grid.Col span={{ base: 12, lg: 4 }}>
            {selectedNode ? (
              <NodeInspector
                key={selectedNode.id}
                node={selectedNode.data}
                tasks={tasks}
                problems={problemsOfNode(selectedNode.id)}
                onChange={(patch) => changeNode(selectedNode.id, patch)}
                onRename={(key) => renameNode(selectedNode.id, key)}
                onDelete={() => deleteNode(selectedNode.id)}
              />
            ) : selectedEdge ? (
              <EdgeInspector
                from={selectedEdge.source}
                to={selectedEdge.target}
                edge={selectedEdge.data ?? { condition: 'on_success', expression: '' }}
                problems={problemsOfEdge(selectedEdge.id)}
                onChange={(patch) => changeEdge(selectedEdge.id, patch)}
                onDelete={() => {
                  setEdges((es) => es.filter((e) => e.id !== selectedEdge.id));
                  setSelection(null);
                }}
              />
            ) : (
              <Text size="sm" c="dimmed" data-testid="inspector-hint">
                {nodes.length === 0
                  ? 'Press “Add node” to start. Each node runs a task: an existing one, or one defined here.'
                  : 'Click a node or an edge to edit it. Draw an edge from a node’s right handle to another node’s left handle; it runs the second after the first.'}
              </Text>
            )}
          </Grid.Col>
        </Grid>
      </Stack>
    </Paper>
  );
}

/** The first place of a three-column grid that no node covers, for a node just added. */
function freeSlot(taken: { x: number; y: number }[]): { x: number; y: number } {
  const [w, h] = [NODE_WIDTH + 50, NODE_HEIGHT + 50];
  for (let i = 0; ; i++) {
    const slot = { x: 40 + (i % 3) * w, y: 40 + Math.floor(i / 3) * h };
    if (!taken.some((p) => Math.abs(p.x - slot.x) < w - 20 && Math.abs(p.y - slot.y) < h - 20)) return slot;
  }
}
