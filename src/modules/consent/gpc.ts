/**
 * Global Privacy Control (https://privacycg.github.io/gpc-spec/): a browser that sends `Sec-GPC: 1`
 * asks not to have the person's data sold or shared. Only the exact value `1` counts. Several headers
 * (or one folded into a comma-separated list by a proxy) count as a signal when any of them is `1`.
 */
export function hasGpcSignal(header: string | readonly string[] | undefined): boolean {
  if (header === undefined) return false;
  const values = typeof header === 'string' ? [header] : header;
  return values.some((value) => value.split(',').some((item) => item.trim() === '1'));
}

/** The body of `/.well-known/gpc.json`: this site honours GPC, as of `lastUpdate` (an ISO date). */
export function gpcSupportResource(lastUpdate: string): { gpc: true; lastUpdate: string } {
  return { gpc: true, lastUpdate };
}
