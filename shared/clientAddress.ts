import { isIP, isIPv4, isIPv6 } from 'node:net';

/**
 * The unit a per-address budget is kept for. An IPv4 address is one client (or one NAT). An IPv6
 * client is handed a whole /64 (RFC 4291's interface identifiers; providers assign /64 or more), so
 * a budget per full address would give one client 2^64 budgets: IPv6 addresses are grouped by
 * their /64. An IPv4-mapped IPv6 address (::ffff:192.0.2.1) is its IPv4 address.
 */
export function addressGroup(address: string): string {
  if (!isIPv6(address)) return address;
  const groups = hextets(address);
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, `::` expanded and an IPv4 tail converted. */
function hextets(address: string): number[] {
  let text = address.split('%')[0]!.toLowerCase();
  const v4 = text.slice(text.lastIndexOf(':') + 1);
  if (isIPv4(v4)) {
    const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -v4.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => parseInt(g, 16));
}

/**
 * The address the platform saw: the LAST X-Forwarded-For hop, the one Azure's front end appends
 * (as `ip:port`; the dev host appends the socket address). Earlier hops are whatever the client
 * wrote and prove nothing.
 */
export function platformSeenAddress(forwardedFor: string | null): string {
  const last = forwardedFor?.split(',').pop()?.trim() ?? '';
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(last)?.[1];
  const candidate = bracketed ?? (last.split(':').length === 2 ? last.split(':')[0]! : last);
  return isIP(candidate) ? candidate : 'unknown';
}
