// Whether a container's network namespace has a default route, read from the kernel's own tables
// (/proc/net/route and /proc/net/ipv6_route) inside it: no `ip` is needed in the image, and what
// the kernel routes by is what is read.
import type { DockerClient } from './docker-client.js';
import { execRead } from './container-exec.js';

/** The kernel's flag of a route that answers "unreachable" (fib_rules, `ip route add unreachable`). */
const RTF_REJECT = 0x0200;
/** The kernel's flag of a route in use. */
const RTF_UP = 0x0001;

/** Little-endian hex of /proc/net/route, as a dotted quad. */
function ipv4Of(hex: string): string {
  const n = Number.parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

/** The default routes in the two tables' text, each described (`IPv4 default via 172.17.0.1 on eth0`); empty when there is none. */
export function parseDefaultRoutes(ipv4Table: string, ipv6Table: string): string[] {
  const found: string[] = [];
  for (const line of ipv4Table.split('\n').slice(1)) {
    const [iface, destination, gateway, flags, , , , mask] = line.trim().split(/\s+/);
    if (!iface || destination !== '00000000' || mask !== '00000000') continue;
    const f = Number.parseInt(flags ?? '0', 16);
    if (f & RTF_UP && !(f & RTF_REJECT)) found.push(`IPv4 default via ${ipv4Of(gateway ?? '0')} on ${iface}`);
  }
  for (const line of ipv6Table.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10) continue;
    const [destination, prefix, , , nextHop, , , , flags, iface] = fields;
    if (!/^0{32}$/.test(destination ?? '') || prefix !== '00') continue;
    const f = Number.parseInt(flags ?? '0', 16);
    if (f & RTF_UP && !(f & RTF_REJECT)) found.push(`IPv6 default via ${nextHop ?? '?'} on ${iface ?? '?'}`);
  }
  return found;
}

const SEPARATOR = '--- pg-rehearse: ipv6_route ---';

/** The default routes of a running container's network namespace (empty: it reaches its own subnets alone). */
export async function containerDefaultRoutes(docker: DockerClient, containerId: string): Promise<string[]> {
  const r = await execRead(docker, containerId, [
    'sh',
    '-c',
    `cat /proc/net/route; echo '${SEPARATOR}'; cat /proc/net/ipv6_route 2>/dev/null || true`,
  ]);
  const [v4, v6 = ''] = r.output.split(SEPARATOR);
  if (r.exitCode !== 0 || v4 === undefined || !v4.startsWith('Iface'))
    throw new Error(`could not read the routing table of container ${containerId.slice(0, 12)}: ${r.output.trim()}`);
  return parseDefaultRoutes(v4, v6);
}
