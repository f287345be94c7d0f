// A match's audit log as the desk shows it: `GET /v1/events/{id}/log?tail=N` answers one engine
// `AuditEntry` per line (engine/src/live/audit.rs): the input with its wall time, what it decided
// and settled, the version after it and the hash chain. The desk names each input in a trader's
// words and tells the trader's own actions apart from feed messages, bets and time passing.

import { formatMoney } from './money.ts';
import { minuteMark } from './clock.ts';
import type { Fixture, Version } from './wire.ts';

export interface AuditEntry {
  index: number;
  now_ms: number;
  /** The engine's `Input`: a unit variant as a string (`"tick"`), else `{ variant: fields }`. */
  input: unknown;
  feed: { source: string; seq: number; outcome: string } | null;
  decisions: { bet_id: string; status: string }[];
  settlements: { bet_id: string; result: string; payout: number; correction: unknown | null }[];
  version: Version;
  prev: number[];
  hash: number[];
}

/** Who or what an entry's input came from. */
export type AuditSource = 'trader' | 'feed' | 'bet' | 'time' | 'opening';

/** Inputs only a trader gives (`Input` variants in engine/src/live/outcome.rs). */
const TRADER_INPUTS = new Set(['suspend', 'resume', 'trading', 'abandon', 'resettle', 'confirm_source', 'cancel_goal', 'set_params', 'set_tennis_params', 'void_bet', 'end_match']);

/** The log's lines as entries, newest last; lines that are not entries are counted, not thrown. */
export function parseAuditLog(ndjson: string): { entries: AuditEntry[]; unreadable: number } {
  const entries: AuditEntry[] = [];
  let unreadable = 0;
  for (const line of ndjson.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const e = JSON.parse(line) as AuditEntry;
      if (typeof e.index === 'number' && typeof e.now_ms === 'number' && e.input !== undefined) entries.push(e);
      else unreadable++;
    } catch {
      unreadable++;
    }
  }
  return { entries, unreadable };
}

/** The input's variant name and its fields. */
export function inputOf(e: Pick<AuditEntry, 'input'>): { name: string; fields: Record<string, unknown> } {
  if (typeof e.input === 'string') return { name: e.input, fields: {} };
  if (typeof e.input === 'object' && e.input !== null) {
    const [name, fields] = Object.entries(e.input)[0] ?? ['unknown', {}];
    return { name, fields: typeof fields === 'object' && fields !== null ? (fields as Record<string, unknown>) : { value: fields } };
  }
  return { name: 'unknown', fields: {} };
}

export function auditSource(e: Pick<AuditEntry, 'input'>): AuditSource {
  const { name } = inputOf(e);
  if (TRADER_INPUTS.has(name)) return 'trader';
  if (name === 'feed') return 'feed';
  if (name === 'bet') return 'bet';
  if (name === 'open') return 'opening';
  return 'time';
}

const team = (f: Fixture, t: unknown) => (t === 'home' ? f.home : t === 'away' ? f.away : String(t));
const num = (v: unknown) => (typeof v === 'number' ? v : NaN);
const pct = (m: unknown) => `${(Math.round(num(m) * 1000) / 10).toFixed(1)} %`;

/** One line saying what an entry did, in a trader's words. */
export function auditText(e: AuditEntry, fixture: Fixture): string {
  const { name, fields } = inputOf(e);
  const market = (m: unknown) => (m === null || m === undefined ? 'every market' : `market ${String(m)}`);
  switch (name) {
    case 'open':
      return 'Match opened';
    case 'tick':
      return outcomes(e) || 'Time passed';
    case 'suspend':
      return `Trader suspended ${market(fields['market'])}`;
    case 'resume':
      return `Trader resumed ${market(fields['market'])}`;
    case 'trading':
      return `Trader set the terms: margin ${pct(fields['margin'])}, liability limits ${formatMoney(num(fields['max_selection_liability']))} per selection and ${formatMoney(num(fields['max_market_liability']))} per market`;
    case 'abandon':
      return `Trader abandoned the match${outcomes(e, ': ')}`;
    case 'resettle': {
      const goals = Array.isArray(fields['goals']) ? (fields['goals'] as { team: string; clock_ms: number }[]) : [];
      const list = goals.map((g) => `${team(fixture, g.team)} ${minuteMark(g.clock_ms)}`).join(', ');
      return `Trader resettled on ${goals.length} goal${goals.length === 1 ? '' : 's'}${list ? ` (${list})` : ''}${outcomes(e, ': ')}`;
    }
    case 'confirm_source':
      return `Trader confirmed the ${String(fields['source'])} source`;
    case 'cancel_goal':
      return `Trader cancelled ${team(fixture, fields['team'])}’s latest goal`;
    case 'set_params':
      return `Trader set expected goals: ${fixture.home} ${num(fields['home_xg']).toFixed(2)}, ${fixture.away} ${num(fields['away_xg']).toFixed(2)}`;
    case 'set_tennis_params':
      return `Trader set serve points won: ${fixture.home} ${pct(fields['serve_a'])}, ${fixture.away} ${pct(fields['serve_b'])}`;
    case 'void_bet':
      return `Trader voided bet ${String(fields['bet_id'])}${outcomes(e, ': ')}`;
    case 'end_match':
      return `Trader declared full time${outcomes(e, ': ')}`;
    case 'feed': {
      const r = e.feed;
      return `${String(fields['source'] ?? r?.source ?? '?')} #${String(fields['seq'] ?? r?.seq ?? '?')} ${feedKindText(fields['kind'], fixture)}${r ? ` — ${r.outcome}` : ''}`;
    }
    case 'bet': {
      const d = e.decisions[0];
      return `Bet on ${String(fields['market'])} ${String(fields['selection'])}, ${formatMoney(num(fields['stake']))}${d ? ` — ${d.status}` : ''}`;
    }
    default:
      return name.replace(/_/g, ' ');
  }
}

/**
 * A feed message's kind as the log stores it (the Rust enum's own names: `"Kickoff"`,
 * `{"Goal":{"team":"home",…}}`, `{"Point":{"point":3,"winner":"a",…}}`), in words: `kickoff`,
 * `goal (Arsenal)`, `point 3 (Sinner)`, `retirement (Alcaraz)`.
 */
export function feedKindText(kind: unknown, fixture: Fixture): string {
  const words = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
  if (typeof kind === 'string') return words(kind);
  if (typeof kind === 'object' && kind !== null) {
    const [name, fields] = Object.entries(kind)[0] ?? ['message', null];
    const f = typeof fields === 'object' && fields !== null ? (fields as Record<string, unknown>) : {};
    const t = f['team'];
    // A tennis player named by the message: who won the point, who retired or challenged.
    const p = f['winner'] ?? f['player'];
    const who = t === 'home' || t === 'away' ? team(fixture, t) : p === 'a' ? fixture.home : p === 'b' ? fixture.away : null;
    const n = typeof f['point'] === 'number' ? ` ${f['point']}` : '';
    return `${words(name)}${n}${who ? ` (${who})` : ''}`;
  }
  return 'message';
}

/** What an entry decided and settled, briefly (`2 decisions, 3 settled`). */
function outcomes(e: AuditEntry, lead = ''): string {
  const parts: string[] = [];
  if (e.decisions.length) parts.push(`${e.decisions.length} decision${e.decisions.length === 1 ? '' : 's'}`);
  if (e.settlements.length) parts.push(`${e.settlements.length} settled`);
  return parts.length ? `${lead}${parts.join(', ')}` : '';
}

/** The first bytes of a hash in hex, for reading the chain by eye. */
export function hashHex(bytes: readonly number[], n = 4): string {
  return bytes
    .slice(0, n)
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
}
