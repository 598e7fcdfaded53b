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
  'unsupported-value': { fault: 'peer', wire: false, doc: `The datagram holds a float (even one whose value is an integer), an extension type, a map key that is not a string, or nesting deeper than MAX_NESTING.` },
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
  'no-capacity': { fault: 'local', wire: true, doc: `Servers hold the file but none that is up has the bandwidth for it, or the stream would go faster than one stream may (MAX_STREAM_RATE, §5.1).` },
  'bad-token': { fault: 'peer', wire: true, doc: `The stream token does not match the client's address, the file, the server and the stream id.` },
  'token-expired': { fault: 'peer', wire: true, doc: `The stream token's expiry has passed.` },
  'bad-cookie': { fault: 'peer', wire: true, doc: `A \`play\` carries a cookie that does not match the stream's setup.` },
  'unknown-stream': { fault: 'peer', wire: true, doc: `The stream id is not one the server has for this client.` },
  'not-registered': { fault: 'peer', wire: true, doc: `The master does not know the server that sent this message; the server registers again.` },
  'shutting-down': { fault: 'local', wire: true, doc: `The role is stopping and takes no new work.` },
  'media-error': { fault: 'local', wire: true, doc: `The server could not read the media file.` },
  'unknown-server': { fault: 'peer', wire: true, doc: `An operator named a server the master does not know.` },
  'unavailable': { fault: 'local', wire: true, doc: `Every server the master tried for a relayed request failed to answer.` },
  'over-limit': { fault: 'peer', wire: true, doc: `The master refused a server's registration or content list: it would go beyond MAX_CONTENT_PARTS, MAX_NAMES_PER_SERVER, MAX_CATALOG_BYTES_PER_SERVER or MAX_SERVERS_PER_SOURCE (§4.6). The master keeps nothing of it; the server registers again after REGISTER_RETRY_MAX.` },
  'not-supervisor': { fault: 'peer', wire: true, doc: `A master that is not the server's supervisor (§12.2) ordered a move of one of its streams: the server keeps the stream and answers with this, naming its supervisor.` },
  'unknown-job': { fault: 'peer', wire: true, doc: `The base server holds no such job, or the target no such command (§14).` },
  'write-error': { fault: 'local', wire: true, doc: `A target could not write the job's file into its media directory (§14.4).` },
  'target-unreachable': { fault: 'local', wire: true, doc: `A target never answered its source's \`job-order\`, or the base server's queries and repairs (§14.5).` },
  'corrupt': { fault: 'local', wire: true, doc: `A target's copy of a job's file does not match the root of the job's copy of it (a \`verify\` command, §14.8).` },
  'provider-gone': { fault: 'peer', wire: true, doc: `The provider stopped sending the job's file before the base server held it whole (§14.1).` },
  // Local outcomes a client reports (events and exit status), never on the wire.
  'master-unreachable': { fault: 'local', wire: false, doc: `No master answered after MASTER_ROUNDS rounds over every master address.` },
  'server-unreachable': { fault: 'local', wire: false, doc: `The master kept sending the client to a server that never answered it (SILENT_SERVER_TRIES times), or to one where nothing listens (§6.1).` },
  'stream-failed': { fault: 'local', wire: false, doc: `The stream could not be completed from any server.` },
} as const satisfies Record<string, ErrorInfo>;

export type ErrorCode = keyof typeof ERRORS;

/** The codes a role may send in an `error`, `end` or `control-result`: the table's rows marked `wire`. */
export type WireErrorCode = { [K in ErrorCode]: (typeof ERRORS)[K]['wire'] extends true ? K : never }[ErrorCode];

declare const unknownCode: unique symbol;

/**
 * A code received in an `error`, `end` or `control-result` that is not in
 * this version's table (a later version's, say). A receiver accepts it and
 * acts on it as on any code it does not act on specially (§8.1); only the
 * decoder makes one, so a role never sends it.
 */
export type UnknownErrorCode = string & { readonly [unknownCode]: true };

/** The `code` of an `error`, `end` or `control-result`: a wire code of the table, or one this version does not know. */
export type WireCode = WireErrorCode | UnknownErrorCode;
