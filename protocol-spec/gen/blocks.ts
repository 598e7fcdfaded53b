/**
 * Every generated block of the spec's chapters, by name. A chapter holds
 * `<!-- BEGIN GENERATED: name -->` … `<!-- END GENERATED: name -->` and the
 * generator rewrites what lies between from the code.
 */
import { ERRORS, type ErrorCode } from '../../src/protocol/errors.js';
import { MESSAGES, MESSAGE_TYPES, NOTICE_DOCS, NOTICE_KINDS } from '../../src/protocol/messages.js';
import { CLIENT_TABLE } from '../../src/roles/client/client.js';
import { HANDOFF_TABLE } from '../../src/roles/master/failover.js';
import { DEFAULT_MASTER_CONFIG } from '../../src/roles/master/master.js';
import { POLICIES, POLICY_DOCS } from '../../src/roles/master/selection.js';
import { SERVER_VIEW_TABLE } from '../../src/roles/master/serverRecord.js';
import { REGISTRATION_TABLE } from '../../src/roles/server/server.js';
import { SERVER_STREAM_TABLE } from '../../src/roles/server/stream.js';
import { type ConstantDoc, formatConstant } from './constants.js';
import { code, table } from './markdown.js';
import { AUTH_RULE_TEXT, renderAuthRules, renderLegs, renderListLimits, renderMessageSummary, renderMessages } from './messageTables.js';
import { renderStateTable } from './stateDiagram.js';

/** Constants that bound the state a role keeps (§7.3). */
const TABLE_LIMITS = ['AMPLIFICATION_TABLE_SIZE', 'ANSWER_CACHE_SIZE', 'MAX_FORWARDS_IN_FLIGHT', 'MAX_CANDIDATES', 'MAX_CONTENT_PARTS', 'MAX_NAMES_PER_SERVER', 'MAX_CATALOG_BYTES_PER_SERVER', 'MAX_SERVERS_PER_SOURCE', 'MAX_ASSIGNMENTS', 'MAX_FAILED_HANDOFFS', 'MAX_TRACKED_STREAMS', 'MAX_TRACK_HISTORY', 'VERSION_ERROR_TABLE_SIZE', 'LOAD_HISTORY', 'MAX_STATUS_SNAPSHOTS', 'MAX_SUBSCRIBERS', 'NOTICE_RING', 'RATE_LIMIT_TABLE_SIZE', 'MAX_MEMBERS', 'MAX_MEMBER_UPDATES', 'MAX_MEMBER_RELAYS'];
/** Sizes defined outside §7 that belong in the sizes table too (§7.1). */
const SIZE_LIMITS = ['MAX_DATAGRAM', 'MAX_NESTING', 'MAC_LENGTH', 'TOKEN_LENGTH', 'STREAM_KEY_LENGTH', 'COOKIE_LENGTH', 'DATA_CHUNK', 'MAX_MISSING_RANGES', 'REQUEST_PAD_TO', 'MAX_FLOWS', 'MAX_SCALE', 'MAX_STREAM_RATE', 'MAX_LIST_SERVERS', 'MAX_CONTENT_FILES', 'MAX_STATUS_ROWS', 'MAX_FILE_ROW_SERVERS'];

function constantRows(list: readonly ConstantDoc[]): string[][] {
  return list.map((c) => [code(c.name), formatConstant(c), c.section, c.doc]);
}

function pick(constants: readonly ConstantDoc[], names: readonly string[]): ConstantDoc[] {
  return names.map((name) => {
    const c = constants.find((x) => x.name === name);
    if (!c) throw new Error(`no constant ${name} in constants.ts`);
    return c;
  });
}

function renderErrors(): string {
  const codes = Object.keys(ERRORS) as ErrorCode[];
  return table(
    ['Code', 'Fault', 'In an `error` message', 'Meaning'],
    codes.map((c) => [code(c), ERRORS[c].fault, ERRORS[c].wire ? 'yes' : 'never', ERRORS[c].doc]),
  );
}

function renderPolicies(): string {
  return table(
    ['Policy', 'The master picks'],
    POLICIES.map((p) => [code(p) + (p === DEFAULT_MASTER_CONFIG.policy ? ' (default)' : ''), POLICY_DOCS[p]]),
  );
}

/** The messages operators send and receive (§11.1), with links to their field tables (§3). */
function renderOperatorMessages(): string {
  const types = MESSAGE_TYPES.filter((type) => MESSAGES[type].legs.some((leg) => leg.includes('operator'))).sort((a, b) => MESSAGES[a].code - MESSAGES[b].code);
  return table(
    ['Code', 'Message', 'Leg', 'Authentication (§9.2)', 'What it is'],
    types.map((type) => {
      const m = MESSAGES[type];
      return [String(m.code), `[${code(type)}](03-messages.md#${type}-code-${m.code})`, m.legs.join('; '), AUTH_RULE_TEXT[m.auth], m.doc];
    }),
  );
}

/** Every kind of notice event, the fields it carries and when it is recorded (§11.4). */
function renderNoticeKinds(): string {
  return table(
    ['`ev`', 'Fields', 'Recorded when'],
    NOTICE_KINDS.map((kind) => {
      const d = NOTICE_DOCS[kind];
      const fields = [...d.fields.map(code), ...(d.optional ?? []).map((f) => `${code(f)}?`)];
      return [code(kind), fields.join(', '), d.doc];
    }),
  );
}

/** The renderer of every block name. */
export function blockRenderers(constants: readonly ConstantDoc[]): ReadonlyMap<string, () => string> {
  const headers = ['Name', 'Value', 'Section', 'Meaning'];
  return new Map<string, () => string>([
    ['legs', renderLegs],
    ['messages-summary', renderMessageSummary],
    ['messages', renderMessages],
    ['auth-rules', renderAuthRules],
    ['policies', renderPolicies],
    ['errors', renderErrors],
    ['constants', () => table(headers, constantRows(constants))],
    ['limits-sizes', () => table(headers, constantRows([...pick(constants, SIZE_LIMITS), ...constants.filter((c) => c.section === '§7')]))],
    ['limits-lists', renderListLimits],
    ['limits-tables', () => table(headers, constantRows(pick(constants, TABLE_LIMITS)))],
    ['state-client', () => renderStateTable(CLIENT_TABLE)],
    ['state-registration', () => renderStateTable(REGISTRATION_TABLE)],
    ['state-server-stream', () => renderStateTable(SERVER_STREAM_TABLE)],
    ['state-server-view', () => renderStateTable(SERVER_VIEW_TABLE)],
    ['state-handoff', () => renderStateTable(HANDOFF_TABLE)],
    ['operator-messages', renderOperatorMessages],
    ['notice-kinds', renderNoticeKinds],
    ['operator-constants', () => table(headers, constantRows(constants.filter((c) => c.section.startsWith('§11'))))],
    ['group-constants', () => table(headers, constantRows(constants.filter((c) => c.section.startsWith('§12'))))],
    ['view-constants', () => table(headers, constantRows(constants.filter((c) => c.section.startsWith('§13'))))],
    ['job-constants', () => table(headers, constantRows(constants.filter((c) => c.section.startsWith('§14'))))],
  ]);
}
