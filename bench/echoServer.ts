/**
 * The baseline for request/response benchmarks: a raw UDP echo server on
 * node:dgram that sends each datagram back and does nothing else. It runs as
 * its own process, like the master it is compared with, and prints the same
 * first line as an `ofp` role with `--json-stream`.
 * Usage: node echoServer.js
 */
import dgram from 'node:dgram';
import { SOCKET_BUFFER } from '../src/runtime/driver.js';

const socket = dgram.createSocket('udp4');
socket.on('message', (msg, rinfo) => socket.send(msg, rinfo.port, rinfo.address));
socket.bind(0, '127.0.0.1', () => {
  // The master's driver asks for the same buffers.
  socket.setRecvBufferSize(SOCKET_BUFFER);
  socket.setSendBufferSize(SOCKET_BUFFER);
  const a = socket.address();
  process.stdout.write(JSON.stringify({ event: 'listening', t: Date.now(), data: { address: `${a.address}:${a.port}` } }) + '\n');
});
const stop = () => {
  socket.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
