/**
 * Addresses on the wire are strings, `host:port`, with IPv6 hosts in brackets
 * (`[::1]:4000`), the form URLs use.
 */

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** Format a host and port as a wire address. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Parse a wire address; undefined when it is not `host:port` with a port in 1–65535. */
export function parseAddress(s: string): Endpoint | undefined {
  let host: string;
  let portText: string;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0 || s[close + 1] !== ':') return undefined;
    host = s.slice(1, close);
    portText = s.slice(close + 2);
  } else {
    const colon = s.lastIndexOf(':');
    if (colon <= 0 || s.indexOf(':') !== colon) return undefined;
    host = s.slice(0, colon);
    portText = s.slice(colon + 1);
  }
  if (!/^[0-9]{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port < 1 || port > 65535 || host.length === 0) return undefined;
  return { host, port };
}
