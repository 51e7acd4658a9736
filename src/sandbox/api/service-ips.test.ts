import { describe, expect, it } from 'vitest';
import {
  allocateIp,
  allocateNodePort,
  inRange,
  ipToNumber,
  nodePortInRange,
  numberToIp,
  parseCidr,
} from './service-ips.ts';

describe('service address ranges', () => {
  it('reads a CIDR as its first address and size', () => {
    const range = parseCidr('10.96.0.0/12');

    expect(numberToIp(range.base)).toBe('10.96.0.0');
    expect(range.size).toBe(2 ** 20);
    expect(ipToNumber('10.96.0.256')).toBeUndefined();
  });

  it('knows the usable addresses of a range: not its network or broadcast address', () => {
    expect(inRange('10.96.0.0/12', '10.96.0.1')).toBe(true);
    expect(inRange('10.96.0.0/12', '10.111.255.254')).toBe(true);
    expect(inRange('10.96.0.0/12', '10.96.0.0')).toBe(false);
    expect(inRange('10.96.0.0/12', '10.111.255.255')).toBe(false);
    expect(inRange('10.96.0.0/12', '10.112.0.1')).toBe(false);
    expect(inRange('10.96.0.0/12', 'not-an-ip')).toBe(false);
  });

  it('allocates an address not in use, from where the random start falls', () => {
    const used = new Set(['10.96.0.1', '10.96.0.2']);

    expect(allocateIp('10.96.0.0/12', used, () => 0)).toBe('10.96.0.3');
    expect(allocateIp('10.96.0.0/12', new Set(), () => 0.5)).toBe('10.104.0.0');
  });

  it('has nothing to give when a range is full', () => {
    const used = new Set(['192.168.0.1', '192.168.0.2']);

    expect(allocateIp('192.168.0.0/30', used, () => 0.9)).toBeUndefined();
    expect(allocateIp('192.168.0.0/30', new Set(['192.168.0.1']), () => 0)).toBe('192.168.0.2');
  });

  it('allocates node ports from 30000-32767, skipping those in use', () => {
    expect(allocateNodePort(new Set([30000, 30001]), () => 0)).toBe(30002);
    expect(allocateNodePort(new Set([32767]), () => 0.99999)).toBe(30000);
    expect(nodePortInRange(30000)).toBe(true);
    expect(nodePortInRange(32768)).toBe(false);
  });
});
