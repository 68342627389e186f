// The client address as the server's time-based throttles count it (the redemption throttle,
// the rate limits of docs/server.md section 12.2).

/**
 * The address a throttle counts: an IPv4 address as given, an IPv6 address by its /64 (one
 * subscriber's prefix; counting whole addresses would give each client 2^64 budgets).
 */
export function throttleKeyOfIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  const zoneless = ip.split('%')[0] as string;
  const [head = '', tail] = zoneless.split('::') as [string, string | undefined];
  const parse = (s: string) => (s === '' ? [] : s.split(':'));
  let groups = parse(head);
  if (tail !== undefined) {
    const t = parse(tail);
    // An embedded IPv4 tail counts as two groups; only the first four groups matter anyway.
    const tailLen = t.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
    groups = [...groups, ...Array(Math.max(0, 8 - groups.length - tailLen)).fill('0'), ...t];
  }
  if (groups.length < 4 || groups.slice(0, 4).some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return ip.toLowerCase();
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}
