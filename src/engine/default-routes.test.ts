import { describe, expect, it } from 'vitest';
import { parseDefaultRoutes } from './default-routes.js';

// As read in a container of the local image on the engine's default bridge (2026-12-02).
const V4_HEAD = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT';
const V4_DEFAULT = 'eth0\t00000000\t010011AC\t0003\t0\t0\t0\t00000000\t0\t0\t0';
const V4_SUBNET = 'eth0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0';
const V6_UNREACHABLE =
  '00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo';
const V6_DEFAULT =
  '00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00450003     eth0';

describe('parseDefaultRoutes', () => {
  it('finds an IPv4 default route and names its gateway', () => {
    expect(parseDefaultRoutes([V4_HEAD, V4_DEFAULT, V4_SUBNET].join('\n'), V6_UNREACHABLE)).toEqual([
      'IPv4 default via 172.17.0.1 on eth0',
    ]);
  });

  it('finds none when only the subnet route is left, and an unreachable IPv6 entry is no route', () => {
    expect(parseDefaultRoutes([V4_HEAD, V4_SUBNET].join('\n'), `${V6_UNREACHABLE}\n${V6_UNREACHABLE}\n`)).toEqual([]);
  });

  it('finds an IPv6 default route', () => {
    expect(parseDefaultRoutes(V4_HEAD, V6_DEFAULT)).toEqual([
      'IPv6 default via fe800000000000000000000000000001 on eth0',
    ]);
  });
});
