/**
 * Loopback UDP ports: free ones, to give processes that must know one another's addresses before
 * they start (a group of masters, `--peers`), and closed ones, where nothing listens.
 */
import { createSocket } from 'node:dgram';

/** `n` loopback UDP ports free now: bound at 0, read, let go (whoever needs them takes them at once). */
export async function freePorts(n: number): Promise<number[]> {
  const sockets = await Promise.all(Array.from({ length: n }, () => new Promise<ReturnType<typeof createSocket>>((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = sockets.map((s) => s.address().port);
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

/** A loopback UDP port nothing listens on (bound, then let go). */
export async function closedPort(): Promise<number> {
  return (await freePorts(1))[0]!;
}
