import { isIP } from 'node:net';

/**
 * Whether a request's Host header names this server. A web page on another site can make a
 * browser talk to 127.0.0.1 through a domain it controls (DNS rebinding), but it cannot make the
 * browser send anything but its own domain as Host. IP addresses and localhost are always fine;
 * any other name must be configured.
 */
export function isAllowedHost(header: string | undefined, allowed: readonly string[]): boolean {
  if (header === undefined || header === '') return false;
  const host = hostOf(header).toLowerCase();
  if (isIP(host) !== 0) return true;
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return allowed.includes(host);
}

function hostOf(header: string): string {
  if (header.startsWith('[')) return header.slice(1, header.indexOf(']'));
  const colon = header.lastIndexOf(':');
  return colon < 0 ? header : header.slice(0, colon);
}
