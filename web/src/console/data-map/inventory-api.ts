/** Where the data map lives in the API; the pages of the "Data map" section call nothing else. */
import type { ApiClient } from '../../shared/api';
import type { DataMap } from '../types';

export const inventoryPaths = {
  map: '/v1/inventory/map',
  systems: '/v1/inventory/systems',
  processors: '/v1/inventory/processors',
  activities: '/v1/inventory/activities',
  measures: '/v1/inventory/measures',
  organization: '/v1/inventory/organization',
  findings: '/v1/inventory/findings',
  notice: '/v1/inventory/notice',
  fides: '/v1/inventory/fides',
  ropa: '/v1/ropa',
} as const;

export function loadDataMap(api: ApiClient): Promise<DataMap> {
  return api.get<DataMap>(inventoryPaths.map);
}

export function resolvedPath(activityId: string): string {
  return `${inventoryPaths.activities}/${encodeURIComponent(activityId)}/resolved`;
}

export function entryPath(collection: 'systems' | 'processors' | 'activities' | 'measures', id: string) {
  return `${inventoryPaths[collection]}/${encodeURIComponent(id)}`;
}
