/**
 * The data-map picture: where personal data goes, from Custos's collections through the systems and
 * processors to the countries where it is kept; the same flows follow as a table for screen readers and
 * anyone who prefers one.
 */
import { lazy, Suspense, useMemo } from 'react';
import { Link } from 'react-router';
import { useTitle } from '../../shared/hooks';
import { Card, Empty, Loading, LoadState, TableWrap } from '../../shared/ui';
import type { DataMap } from '../types';
import { useDataMap } from './common';
import { FindingsList, useFindings } from './findings';
import { graphOf, type MapGraph, nodeKindLabels } from './map-graph';

const MapPicture = lazy(() => import('./map-picture'));

function FlowTable({ graph }: { graph: MapGraph }) {
  const names = new Map(
    graph.nodes.map((node) => [
      node.id,
      node.kind === 'custos' ? node.label : `${node.label} (${nodeKindLabels[node.kind].toLowerCase()})`,
    ]),
  );
  if (graph.flows.length === 0) return <Empty>No flows yet: register systems and processors.</Empty>;
  return (
    <TableWrap label="Flows of the data map">
      <table>
        <caption className="table-caption">Flows of the data map</caption>
        <thead>
          <tr>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Data categories</th>
            <th scope="col">Processing activities</th>
          </tr>
        </thead>
        <tbody>
          {graph.flows.map((flow) => (
            <tr key={flow.id}>
              <td>{names.get(flow.from)}</td>
              <td>{names.get(flow.to)}</td>
              <td className="mono">
                {flow.categories.join(', ') || (flow.to.startsWith('country:') ? 'kept there' : '—')}
              </td>
              <td>{flow.activities.join(', ') || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function Picture({ map }: { map: DataMap }) {
  const graph = useMemo(() => graphOf(map), [map]);
  return (
    <>
      <Card title="Where personal data goes">
        <figure className="map-figure">
          <Suspense fallback={<Loading label="Drawing the map…" />}>
            <MapPicture graph={graph} />
          </Suspense>
          <figcaption className="muted">
            In the order data travels: collections, Custos, registered systems, processors and sub-processors,
            and the countries where each keeps data. Drag to pan; pinch, scroll or use the buttons to zoom.
            The table below lists the same flows.
          </figcaption>
        </figure>
      </Card>
      <Card title="The same flows as a table">
        <FlowTable graph={graph} />
      </Card>
    </>
  );
}

export function OverviewView() {
  useTitle('Data map', 'Custos console');
  const map = useDataMap();
  const findings = useFindings();
  return (
    <>
      <LoadState loaded={map} label="Loading the data map…">
        {(data) => <Picture map={data} />}
      </LoadState>
      <Card title="Findings" actions={<Link to="/data-map/findings">All findings</Link>}>
        <LoadState loaded={findings} label="Checking the map…">
          {(data) => <FindingsList findings={{ ...data, items: data.items.slice(0, 5) }} />}
        </LoadState>
      </Card>
    </>
  );
}
