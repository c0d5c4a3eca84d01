/**
 * The client address a login is counted against (login-throttle.ts). IPv4 addresses count one by
 * one, as in Shibboleth's username+IP lockout key. An IPv6 client usually holds a whole /64 (its
 * provider hands out the prefix; the host part is chosen freely and changes with privacy
 * extensions), so counting single IPv6 addresses would let one client rotate through 2^64
 * "addresses": IPv6 counts by /64.
 */
import { isIPv4, isIPv6 } from 'node:net';

export function throttleAddress(ip: string | undefined): string {
  if (!ip) return '';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIPv4(ip)) return ip;
  const zoneless = ip.replace(/%.*$/, '');
  if (!isIPv6(zoneless)) return ip;
  return `${expandIPv6(zoneless).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, as lower-case hex without leading zeros. */
function expandIPv6(ip: string): string[] {
  let text = ip.toLowerCase();
  // A trailing dotted IPv4 part (::1.2.3.4, 64:ff9b::1.2.3.4) is two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((g) => parseInt(g, 16).toString(16));
}
