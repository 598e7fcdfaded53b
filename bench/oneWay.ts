/**
 * The raw one-way rate: a blaster process sends data-packet datagrams as fast
 * as node:dgram takes them to a socket here, which reads each one like the
 * streams' sink does and counts those that arrive during the measurement.
 */
import dgram from 'node:dgram';
import { decode } from '../src/protocol/codec.js';
import { CpuMeter } from './cpu.js';
import { SOCKET_BUFFER } from '../src/runtime/driver.js';
import { BASELINE_SID } from './dataPacket.js';
import { readData } from './dataReader.js';
import type { ChildSet } from './processes.js';

export interface OneWayResult {
  /** Datagrams the blaster handed to its socket, per second. */
  readonly sentPerSecond: number;
  /** Datagrams received and decoded here during the measurement, per second. */
  readonly deliveredPerSecond: number;
  readonly packetBytes: number;
  readonly seconds: number;
  /** Share of one core used by the blaster, and by this (receiving) process, during the measurement. */
  readonly senderCpu?: number;
  readonly sinkCpu?: number;
}

export async function runOneWay(o: { children: ChildSet; blaster: string; warmupMs: number; durationMs: number }): Promise<OneWayResult> {
  const socket = dgram.createSocket('udp4');
  let measuring = false;
  let delivered = 0;
  let bytes = 0;
  socket.on('message', (msg) => {
    let sid = readData(msg)?.sid;
    if (sid === undefined) {
      const d = decode(msg);
      if (d.ok && d.msg.type === 'data') sid = d.msg.sid;
    }
    if (sid !== BASELINE_SID) return;
    bytes = msg.length;
    if (measuring) delivered++;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  socket.setRecvBufferSize(SOCKET_BUFFER);
  try {
    const total = o.warmupMs + o.durationMs;
    const child = o.children.spawn('blaster', o.blaster, [`127.0.0.1:${socket.address().port}`, String(total)]);
    const timers: NodeJS.Timeout[] = [];
    const window = new Promise<{ seconds: number; cpu: (number | undefined)[] }>((resolve) => {
      timers.push(setTimeout(() => {
        measuring = true;
        const start = performance.now();
        const cpu = new CpuMeter([child.proc.pid, process.pid]);
        timers.push(setTimeout(() => {
          measuring = false;
          resolve({ seconds: (performance.now() - start) / 1000, cpu: cpu.stop() });
        }, o.durationMs));
      }, o.warmupMs));
    });
    try {
      const [w, report] = await Promise.all([window, child.waitFor((e) => e.event === 'sent', total + 10_000, 'its send count')]);
      const sent = report.data as { sent: number; seconds: number };
      const [senderCpu, sinkCpu] = w.cpu;
      return {
        sentPerSecond: sent.sent / sent.seconds,
        deliveredPerSecond: delivered / w.seconds,
        packetBytes: bytes,
        seconds: w.seconds,
        ...(senderCpu !== undefined ? { senderCpu } : {}),
        ...(sinkCpu !== undefined ? { sinkCpu } : {}),
      };
    } finally {
      for (const t of timers) clearTimeout(t);
      await child.stop();
    }
  } finally {
    socket.close();
  }
}
