import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Where webhooks may go. Endpoints are configured by privileged operators, yet a URL is still a way to make
 * the server send requests, so by default Custos sends only over HTTPS and never to loopback, private,
 * link-local, shared (CGNAT), multicast or reserved addresses — checked when the endpoint is saved and
 * again for every address a name resolves to at delivery time, so DNS cannot be used to point a saved
 * name at an internal address later.
 */
export type DestinationPolicy = {
  /** Accept `http://` URLs (development and tests). */
  allowHttp: boolean;
  /** Accept destinations in private and loopback ranges (development, tests, receivers on an internal network). */
  allowPrivateNetworks: boolean;
};

const internal = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  internal.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  internal.addSubnet(network, prefix, 'ipv6');
}

/** True for addresses a webhook must not reach unless private networks are allowed. */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  // BlockList matches IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) against the IPv4 ranges as well.
  return internal.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Why a URL is not acceptable as an endpoint, or undefined when it is. */
export function urlProblem(text: string, policy: DestinationPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    return policy.allowHttp ? 'must use https or http' : 'must use https';
  }
  if (url.username || url.password) return 'must not carry credentials; authenticate by the signature';
  if (url.hash) return 'must not have a fragment';
  if (policy.allowPrivateNetworks) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal')) {
    return 'must not point to this host or an internal name';
  }
  if (isIP(host) !== 0 && isInternalAddress(host)) {
    return 'must not point to a loopback, private or reserved address';
  }
  return undefined;
}

export class DestinationRefusedError extends Error {
  readonly code = 'EDESTINATIONREFUSED';
  constructor(address: string) {
    super(`The endpoint resolved to an internal address (${isIP(address) === 6 ? 'IPv6' : 'IPv4'}).`);
    this.name = 'DestinationRefusedError';
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for `http.request` that resolves as usual and refuses the connection when any resolved
 * address is internal (unless the policy allows them): the check happens on the addresses actually
 * connected to.
 */
export function guardedLookup(policy: DestinationPolicy) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    dnsLookup(hostname, { all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const refused = policy.allowPrivateNetworks
        ? undefined
        : addresses.find((entry) => isInternalAddress(entry.address));
      if (refused) return callback(new DestinationRefusedError(refused.address), []);
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      if (!first) return callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}
