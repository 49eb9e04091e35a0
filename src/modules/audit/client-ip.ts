import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

/**
 * Client addresses never reach the audit log. An address is first cut to its network (IPv4 /24, IPv6 /48:
 * roughly "which site or provider", no longer "which device"), then keyed-hashed, so entries from one
 * network can be grouped without the log revealing the network either. The login backoff cuts IPv6 to
 * /64 instead (`ipv6PrefixGroups` 4), the block one subscriber line usually gets.
 */
export function truncateIp(raw: string, ipv6PrefixGroups: 3 | 4 = 3): string | null {
  const address = raw.trim().replace(/%.*$/, '');
  if (isIPv4(address)) return truncateIPv4(address);
  if (!isIPv6(address)) return null;
  const groups = expandIPv6(address);
  // IPv4-mapped (::ffff:a.b.c.d) is an IPv4 client behind a dual-stack socket.
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const high = groups[6] ?? 0;
    const low = groups[7] ?? 0;
    return truncateIPv4(`${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`);
  }
  return `${groups
    .slice(0, ipv6PrefixGroups)
    .map((group) => group.toString(16))
    .join(':')}::/${ipv6PrefixGroups * 16}`;
}

function truncateIPv4(address: string): string {
  const [a, b, c] = address.split('.').map(Number);
  return `${a}.${b}.${c}.0/24`;
}

/** The eight 16-bit groups of a valid IPv6 address, with `::` and an embedded IPv4 tail expanded. */
function expandIPv6(address: string): number[] {
  const toGroups = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((piece) => {
      if (!piece.includes('.')) return [Number.parseInt(piece, 16)];
      const [a = 0, b = 0, c = 0, d = 0] = piece.split('.').map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const [head = '', tail] = address.split('::');
  const start = toGroups(head);
  if (tail === undefined) return start;
  const end = toGroups(tail);
  return [...start, ...new Array<number>(8 - start.length - end.length).fill(0), ...end];
}

/** HMAC-SHA256 of the truncated network under the audit IP key, hex, 128 bits; null when unknown. */
export function pseudonymizeIp(raw: string | null | undefined, key: Buffer): string | null {
  if (!raw) return null;
  const network = truncateIp(raw);
  if (!network) return null;
  return createHmac('sha256', key).update(network, 'utf8').digest('hex').slice(0, 32);
}
