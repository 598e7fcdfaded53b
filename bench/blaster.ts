/**
 * The baseline for the streaming benchmark: raw one-way sends on node:dgram,
 * as fast as the socket takes them, of one datagram that is a real `data`
 * packet (same size, and the receiver decodes it like any other), for a fixed
 * time. Runs as its own process, like the media server it is compared with.
 * Prints one JSON line at the end: {"event":"sent","data":{"sent":N,"errors":N,"seconds":S}}.
 * Usage: node blaster.js HOST:PORT MS
 */
import dgram from 'node:dgram';
import { parseAddress } from '../src/protocol/address.js';
import { SOCKET_BUFFER } from '../src/runtime/driver.js';
import { dataPacket } from './dataPacket.js';

/** Sends handed to the socket and not yet completed, at most. */
const OUTSTANDING = 256;
/** Refill once fewer than this are outstanding. */
const LOW_WATER = 64;

const [target, msText] = process.argv.slice(2);
const to = parseAddress(target ?? '');
const ms = Number(msText);
if (!to || !(ms > 0)) {
  process.stderr.write('usage: node blaster.js HOST:PORT MS\n');
  process.exit(2);
}

const packet = dataPacket();
const socket = dgram.createSocket('udp4');
socket.bind(0, '127.0.0.1', () => {
  socket.setSendBufferSize(SOCKET_BUFFER);
  const start = performance.now();
  const end = start + ms;
  let sent = 0;
  let errors = 0;
  let outstanding = 0;
  let scheduled = false;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    const seconds = (performance.now() - start) / 1000;
    process.stdout.write(JSON.stringify({ event: 'sent', t: Date.now(), data: { sent, errors, seconds, bytes: packet.length } }) + '\n');
    socket.close();
  };
  const completed = (e: Error | null) => {
    outstanding--;
    if (e) errors++;
    else sent++;
    if (outstanding < LOW_WATER && !scheduled) {
      scheduled = true;
      setImmediate(pump);
    }
  };
  function pump(): void {
    scheduled = false;
    if (performance.now() >= end) {
      if (outstanding === 0) finish();
      return;
    }
    while (outstanding < OUTSTANDING) {
      outstanding++;
      socket.send(packet, to!.port, to!.host, completed);
    }
  }
  pump();
});
process.on('SIGTERM', () => process.exit(0));
