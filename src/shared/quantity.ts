/** Kubernetes memory quantities in bytes, and back, for the sizes a limit takes. */
const MI = 2 ** 20;
const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: MI, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

export function parseMemory(quantity: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([KMGT]i|[kMGT])?$/.exec(quantity.trim());
  if (match === null) return undefined;
  const unit = match[2];
  const scale = unit === undefined ? 1 : (BINARY[unit] ?? DECIMAL[unit] ?? 1);
  return Number(match[1]) * scale;
}

/** Bytes as Mi (or Gi when whole), the way people write limits. */
export function formatMemory(bytes: number): string {
  const mi = Math.ceil(bytes / MI);
  return mi % 1024 === 0 ? `${mi / 1024}Gi` : `${mi}Mi`;
}

/** The next memory limit after an OOM kill: half again, rounded up to 64 Mi, at least +64 Mi. */
export function nextMemoryLimit(current: number): number {
  const step = 64 * MI;
  return Math.max(Math.ceil((current * 1.5) / step) * step, current + step);
}

/** CPU quantities (`250m`, `2`, `1.5`) in millicores. */
export function parseCpu(quantity: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(m)?$/.exec(quantity.trim());
  if (match === null) return undefined;
  return match[2] === 'm' ? Number(match[1]) : Number(match[1]) * 1000;
}
