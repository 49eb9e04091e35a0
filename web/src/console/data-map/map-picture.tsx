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
import { useMemo, useSyncExternalStore } from 'react';
import type { MapGraph } from './map-graph';

/** Left to right on a wide screen; top to bottom on a phone, where a row of columns would be too small. */
type Orientation = 'across' | 'down';

const spacing: Record<Orientation, { along: number; between: number }> = {
  across: { along: 300, between: 84 },
  down: { along: 120, between: 170 },
};

const narrowScreen = '(max-width: 600px)';

function subscribeToWidth(onChange: () => void): () => void {
  const query = window.matchMedia(narrowScreen);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

function useOrientation(): Orientation {
  return useSyncExternalStore(subscribeToWidth, () =>
    window.matchMedia(narrowScreen).matches ? 'down' : 'across',
  );
}

/** One key on an edge, or how many; the table beside the picture lists them all. */
function edgeLabel(categories: readonly string[]): string | undefined {
  if (categories.length === 0) return undefined;
  return categories.length === 1 ? categories[0] : `${categories.length} categories`;
}

function layout(graph: MapGraph, orientation: Orientation): { nodes: Node[]; edges: Edge[] } {
  const columns = new Map<number, string[]>();
  for (const node of graph.nodes) columns.set(node.column, [...(columns.get(node.column) ?? []), node.id]);
  const widest = Math.max(1, ...[...columns.values()].map((ids) => ids.length));
  const { along, between } = spacing[orientation];
  const nodes: Node[] = graph.nodes.map((node) => {
    const column = columns.get(node.column) ?? [];
    const across = ((widest - column.length) * between) / 2 + column.indexOf(node.id) * between;
    const position =
      orientation === 'across'
        ? { x: node.column * along, y: across }
        : { x: across, y: node.column * along };
    return {
      id: node.id,
      position,
      data: { label: node.label },
      className: `map-node map-node-${node.kind}`,
      sourcePosition: orientation === 'across' ? Position.Right : Position.Bottom,
      targetPosition: orientation === 'across' ? Position.Left : Position.Top,
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
  const orientation = useOrientation();
  const { nodes, edges } = useMemo(() => layout(graph, orientation), [graph, orientation]);
  return (
    <div className="map-picture">
      <ReactFlowProvider>
        <ReactFlow
          nodes={nodes}
          edges={edges}
          key={orientation}
          fitView
          fitViewOptions={{ minZoom: 0.5, padding: 0.05 }}
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
