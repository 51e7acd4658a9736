/**
 * The address ranges a cluster hands to services: cluster IPs from the service CIDR (kube-apiserver's
 * `--service-cluster-ip-range`, 10.96.0.0/12 as kind and kubeadm set it) and node ports from
 * 30000-32767. Pure functions over what is in use, so the allocation rules are tested apart.
 */
export const SERVICE_CIDR = '10.96.0.0/12';
export const NODE_PORT_RANGE = { first: 30000, last: 32767 } as const;

type Range = { base: number; size: number };

export function parseCidr(cidr: string): Range {
  const [address = '', bits = ''] = cidr.split('/');
  const base = ipToNumber(address);
  const prefix = Number(bits);
  if (base === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32)
    throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const size = 2 ** (32 - prefix);
  return { base: base - (base % size), size };
}

export function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let out = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    out = out * 256 + Number(part);
  }
  return out;
}

export function numberToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Whether `ip` is a usable address of the range: not its network or broadcast address. */
export function inRange(cidr: string, ip: string): boolean {
  const { base, size } = parseCidr(cidr);
  const value = ipToNumber(ip);
  return value !== undefined && value > base && value < base + size - 1;
}

/**
 * A free address of the range, from a random start as the real allocator picks, so that cluster
 * IPs look like a cluster's; undefined when the range is full.
 */
export function allocateIp(
  cidr: string,
  used: ReadonlySet<string>,
  random: () => number = Math.random,
): string | undefined {
  const { base, size } = parseCidr(cidr);
  const usable = size - 2;
  const start = Math.floor(random() * usable);
  for (let i = 0; i < usable; i++) {
    const ip = numberToIp(base + 1 + ((start + i) % usable));
    if (!used.has(ip)) return ip;
  }
  return undefined;
}

/** A free node port, or undefined when every port of the range is taken. */
export function allocateNodePort(
  used: ReadonlySet<number>,
  random: () => number = Math.random,
): number | undefined {
  const count = NODE_PORT_RANGE.last - NODE_PORT_RANGE.first + 1;
  const start = Math.floor(random() * count);
  for (let i = 0; i < count; i++) {
    const port = NODE_PORT_RANGE.first + ((start + i) % count);
    if (!used.has(port)) return port;
  }
  return undefined;
}

export function nodePortInRange(port: number): boolean {
  return Number.isInteger(port) && port >= NODE_PORT_RANGE.first && port <= NODE_PORT_RANGE.last;
}
