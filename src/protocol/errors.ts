/**
 * The one error table (spec §8). Codes are stable strings: they appear on the
 * wire in `error` messages, in logs and events, and in the CLI's messages.
 * `fault` says whose fault it is: `peer` (the other side sent something wrong)
 * or `local` (this side cannot do what was asked).
 * `wire` says whether a role may send the code in an `error` message.
 */
export interface ErrorInfo {
  readonly fault: 'peer' | 'local';
  readonly wire: boolean;
  readonly doc: string;
}

export const ERRORS = {
  // Decoding (§2): a datagram that cannot be read. Counted and dropped, never answered,
  // except `unknown-version` (§2.1).
  'oversize': { fault: 'peer', wire: false, doc: `The datagram is larger than MAX_DATAGRAM bytes.` },
  'truncated': { fault: 'peer', wire: false, doc: `The datagram ends inside a MessagePack value.` },
  'trailing-bytes': { fault: 'peer', wire: false, doc: `Bytes follow the datagram's single top-level MessagePack value.` },
  'malformed': { fault: 'peer', wire: false, doc: `The bytes are not MessagePack (a reserved byte 0xc1, or an empty datagram).` },
  'unsupported-value': { fault: 'peer', wire: false, doc: `The datagram holds an extension type, a map key that is not a string, or nesting deeper than MAX_NESTING.` },
  'bad-envelope': { fault: 'peer', wire: false, doc: `The top-level value is not the array [version, type, body] or [version, type, body, mac].` },
  'unknown-version': { fault: 'peer', wire: true, doc: `The version is not one this receiver supports; it may answer with its supported versions.` },
  'unknown-type': { fault: 'peer', wire: false, doc: `The message type code is not defined in this version.` },
  'missing-field': { fault: 'peer', wire: false, doc: `A required field of the message is absent.` },
  'bad-field': { fault: 'peer', wire: false, doc: `A field has the wrong MessagePack type, is out of range or too long.` },
  // Authentication (§9): counted and dropped.
  'missing-mac': { fault: 'peer', wire: false, doc: `A control message that must be authenticated carries no MAC.` },
  'bad-mac': { fault: 'peer', wire: false, doc: `The MAC does not match the cluster key.` },
  'stale-auth': { fault: 'peer', wire: false, doc: `An authenticated message's \`at\` is missing or further than AUTH_MAX_SKEW from the receiver's clock.` },
  'amplification-limit': { fault: 'local', wire: false, doc: `A reply was held back: it would have sent an unvalidated address more than AMPLIFICATION_RATIO bytes per byte received from it (§9.4).` },
  'unexpected-message': { fault: 'peer', wire: false, doc: `A well-formed message this role does not take, or that matches nothing it is waiting for (an answer to no request, a stream it does not have).` },
  // Answers (§8): sent in `error` messages.
  'bad-request': { fault: 'peer', wire: true, doc: `The request is well-formed but cannot be served as asked (a missing token where one is required, an offset past the end of the file).` },
  'not-found': { fault: 'local', wire: true, doc: `No server known to the master holds the file, or the server does not hold it.` },
  'no-capacity': { fault: 'local', wire: true, doc: `Servers hold the file but none that is up has the bandwidth for it.` },
  'bad-token': { fault: 'peer', wire: true, doc: `The stream token does not match the client's address, the file, the server and the stream id.` },
  'token-expired': { fault: 'peer', wire: true, doc: `The stream token's expiry has passed.` },
  'bad-cookie': { fault: 'peer', wire: true, doc: `A \`play\` carries a cookie that does not match the stream's setup.` },
  'unknown-stream': { fault: 'peer', wire: true, doc: `The stream id is not one the server has for this client.` },
  'not-registered': { fault: 'peer', wire: true, doc: `The master does not know the server that sent this message; the server registers again.` },
  'shutting-down': { fault: 'local', wire: true, doc: `The role is stopping and takes no new work.` },
  'media-error': { fault: 'local', wire: true, doc: `The server could not read the media file.` },
  'unknown-server': { fault: 'peer', wire: true, doc: `An operator named a server the master does not know.` },
  'unavailable': { fault: 'local', wire: true, doc: `Every server the master tried for a relayed request failed to answer.` },
  // Local outcomes a client reports (events and exit status), never on the wire.
  'master-unreachable': { fault: 'local', wire: false, doc: `No master answered after MASTER_ROUNDS rounds over every master address.` },
  'stream-failed': { fault: 'local', wire: false, doc: `The stream could not be completed from any server.` },
} as const satisfies Record<string, ErrorInfo>;

export type ErrorCode = keyof typeof ERRORS;
export type WireErrorCode = { [K in ErrorCode]: (typeof ERRORS)[K]['wire'] extends true ? K : never }[ErrorCode];

export const WIRE_ERROR_CODES = (Object.keys(ERRORS) as ErrorCode[]).filter((c) => ERRORS[c].wire) as WireErrorCode[];

export function isErrorCode(s: string): s is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERRORS, s);
}

/** An error value with a stable code, for results and for local failures. */
export class OfpError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
    this.name = 'OfpError';
  }
}
