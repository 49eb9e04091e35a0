/**
 * The committed OpenAPI snapshot is the server's `/openapi.json` with the deployment-specific parts fixed
 * (the server URL), pretty-printed: what the SDK's types are generated from and what CI compares.
 */
export const snapshotServerUrl = 'http://localhost:8080';

export function openApiSnapshotOf(document: unknown): string {
  const copy = structuredClone(document) as Record<string, unknown>;
  copy.servers = [{ url: snapshotServerUrl }];
  return `${JSON.stringify(copy, null, 2)}\n`;
}
