/**
 * The data-map picture, drawn with React Flow: columns from left to right in the order data travels,
 * pan and zoom by mouse, keyboard or touch. Loaded on its own, so the graph library is fetched only by
 * those who open the picture.
 */
import {
  Controls,
  type Edge,
  MarkerType,
  type Node,
  Position,
  ReactFlow,
  ReactFlowProvider,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import type { MapGraph } from './map-graph';

const columnWidth = 260;
const rowHeight = 84;

/** Shows at most two keys on an edge; the table beside the picture lists them all. */
function edgeLabel(categories: readonly string[]): string | undefined {
  if (categories.length === 0) return undefined;
  const shown = categories.slice(0, 2).join(', ');
  return categories.length > 2 ? `${shown} +${categories.length - 2}` : shown;
}

function layout(graph: MapGraph): { nodes: Node[]; edges: Edge[] } {
  const columns = new Map<number, string[]>();
  for (const node of graph.nodes) columns.set(node.column, [...(columns.get(node.column) ?? []), node.id]);
  const tallest = Math.max(1, ...[...columns.values()].map((ids) => ids.length));
  const nodes: Node[] = graph.nodes.map((node) => {
    const column = columns.get(node.column) ?? [];
    const offset = ((tallest - column.length) * rowHeight) / 2;
    return {
      id: node.id,
      position: { x: node.column * columnWidth, y: offset + column.indexOf(node.id) * rowHeight },
      data: { label: node.label },
      className: `map-node map-node-${node.kind}`,
      sourcePosition: Position.Right,
      targetPosition: Position.Left,
      connectable: false,
    };
  });
  const edges: Edge[] = graph.flows.map((flow) => ({
    id: flow.id,
    source: flow.from,
    target: flow.to,
    label: edgeLabel(flow.categories),
    className: flow.categories.length === 0 ? 'map-edge-kept' : 'map-edge-flow',
    markerEnd: { type: MarkerType.ArrowClosed },
  }));
  return { nodes, edges };
}

export default function MapPicture({ graph }: { graph: MapGraph }) {
  const { nodes, edges } = useMemo(() => layout(graph), [graph]);
  return (
    <div className="map-picture">
      <ReactFlowProvider>
        <ReactFlow
          nodes={nodes}
          edges={edges}
          fitView
          minZoom={0.2}
          maxZoom={2}
          nodesConnectable={false}
          elementsSelectable={false}
          colorMode="light"
        >
          <Controls showInteractive={false} />
        </ReactFlow>
      </ReactFlowProvider>
    </div>
  );
}
