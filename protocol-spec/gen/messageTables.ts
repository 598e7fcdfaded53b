/** The message catalogue (src/protocol/messages.ts) as the spec's tables (§3, §1, §9.2). */
import { describeType, type Field } from '../../src/protocol/fields.js';
import { type AuthRule, MESSAGES, MESSAGE_TYPES, type MessageType } from '../../src/protocol/messages.js';
import { code, table } from './markdown.js';

/** What each authentication rule asks of a sender holding a cluster key (§9.2). */
export const AUTH_RULE_TEXT: Readonly<Record<AuthRule, string>> = {
  cluster: 'always carries a MAC',
  leg: 'carries a MAC between master and server; none to a client',
  status: 'always carries a MAC (operators hold the key)',
  none: 'never carries a MAC',
};

/** Rows for a field and, for maps, lists of maps and tuples, its parts. */
function fieldRows(path: string, f: Field, rows: string[][]): void {
  rows.push([code(path), describeType(f), f.optional ? 'optional' : 'required', f.doc]);
  if (f.kind === 'struct') for (const [name, sub] of Object.entries(f.fields!)) fieldRows(`${path}.${name}`, sub, rows);
  if (f.kind === 'tuple') f.items!.forEach((item, i) => fieldRows(`${path}[${i}]`, item, rows));
  if (f.kind === 'list' && f.of!.kind === 'struct') for (const [name, sub] of Object.entries(f.of!.fields!)) fieldRows(`${path}[].${name}`, sub, rows);
  if (f.kind === 'list' && f.of!.kind === 'tuple') f.of!.items!.forEach((item, i) => fieldRows(`${path}[][${i}]`, item, rows));
}

function byCode(): MessageType[] {
  return [...MESSAGE_TYPES].sort((a, b) => MESSAGES[a].code - MESSAGES[b].code);
}

export function renderMessageSummary(): string {
  return table(
    ['Code', 'Message', 'Legs', 'Authentication (§9.2)'],
    byCode().map((type) => {
      const m = MESSAGES[type];
      return [String(m.code), `[${code(type)}](#${type}-code-${m.code})`, m.legs.join('; '), `${code(m.auth)}: ${AUTH_RULE_TEXT[m.auth]}`];
    }),
  );
}

export function renderMessages(): string {
  const parts: string[] = [];
  for (const type of byCode()) {
    const m = MESSAGES[type];
    const rows: string[][] = [];
    for (const [name, f] of Object.entries(m.fields)) fieldRows(name, f as Field, rows);
    parts.push(
      [
        `### ${type} (code ${m.code})`,
        '',
        `- Legs: ${m.legs.join('; ')}`,
        `- Authentication: ${code(m.auth)}, ${AUTH_RULE_TEXT[m.auth]}`,
        '',
        m.doc,
        '',
        table(['Field', 'Type', 'Presence', 'Meaning'], rows),
      ].join('\n'),
    );
  }
  return parts.join('\n\n');
}

/** Which messages travel on each leg (§1.2). */
export function renderLegs(): string {
  const legs = new Map<string, string[]>();
  for (const type of byCode()) {
    for (const leg of MESSAGES[type].legs) {
      const list = legs.get(leg) ?? [];
      list.push(code(type));
      legs.set(leg, list);
    }
  }
  const rows = [...legs.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([leg, types]) => [leg, types.join(', ')]);
  return table(['Leg (sender → receiver)', 'Messages'], rows);
}

/** Messages by authentication rule (§9.2). */
export function renderAuthRules(): string {
  const rules: AuthRule[] = ['cluster', 'status', 'leg', 'none'];
  return table(
    ['Rule', 'With a cluster key, the sender', 'Messages'],
    rules.map((rule) => [code(rule), AUTH_RULE_TEXT[rule], byCode().filter((t) => MESSAGES[t].auth === rule).map(code).join(', ')]),
  );
}

/** Every list field's item limit (§7.2). */
export function renderListLimits(): string {
  const rows: string[][] = [];
  const visit = (type: MessageType, path: string, f: Field) => {
    if (f.kind === 'list') rows.push([code(type), code(path), String(f.max)]);
    if (f.kind === 'struct') for (const [n, sub] of Object.entries(f.fields!)) visit(type, `${path}.${n}`, sub);
    if (f.kind === 'list' && f.of!.kind === 'struct') for (const [n, sub] of Object.entries(f.of!.fields!)) visit(type, `${path}[].${n}`, sub);
  };
  for (const type of byCode()) for (const [name, f] of Object.entries(MESSAGES[type].fields)) visit(type, name, f as Field);
  return table(['Message', 'Field', 'Most items'], rows);
}
