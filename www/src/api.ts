// The Worker's HTTP API as the page uses it (same origin: the Worker serves this page).

import type { BetDecision, MarketBook, OddsPolicy, Settlement, Snapshot, Version } from './model/wire.ts';

/** A refusal with the API's stable code (`{"error": {"code", "message"}}`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** A request whose answer is text (the audit log's JSON lines); refusals throw {@link ApiError}. */
export async function requestText(method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<string> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  let body: string | undefined;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] = 'application/json';
  }
  const r = await fetch(path, { method, headers, body, signal: AbortSignal.timeout(init.timeoutMs ?? 10_000) });
  const text = await r.text();
  if (!r.ok) {
    let e: { code?: string; message?: string } | undefined;
    try {
      e = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    } catch {
      e = undefined;
    }
    throw new ApiError(r.status, e?.code ?? 'http_error', e?.message ?? `${method} ${path}: HTTP ${r.status}`);
  }
  return text;
}

export async function request<T>(method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<T> {
  const text = await requestText(method, path, init);
  try {
    return (text ? JSON.parse(text) : undefined) as T;
  } catch {
    return undefined as T;
  }
}

export interface EventSummary {
  event_id: string;
  home: string | null;
  away: string | null;
  kickoff_ms: number | null;
  created_ms: number;
}

export interface EventAnswer {
  event_id: string;
  server_ms: number;
  version: Version;
  snapshot: Snapshot;
  prices: MarketBook | { Ok?: MarketBook; Err?: unknown } | null;
  bets: number;
}

/** The book in an event answer (the hub may wrap it as a Result). */
export function bookOf(a: EventAnswer): MarketBook | null {
  const p = a.prices as (MarketBook & { Ok?: MarketBook }) | null;
  if (!p) return null;
  if (Array.isArray(p.markets)) return p;
  return p.Ok ?? null;
}

export const listEvents = () => request<{ events: EventSummary[] }>('GET', '/v1/events').then((r) => r.events);

export const getEvent = (id: string) => request<EventAnswer>('GET', `/v1/events/${encodeURIComponent(id)}`);

export interface PlaceBet {
  market: string;
  selection: string;
  stake: number;
  price: number;
  seen_version: Version;
  policy: OddsPolicy;
}

/** `POST /v1/events/{id}/bets`: 200 decided, 202 pending (with `release_at_ms`). Retries reuse `key`. */
export function placeBet(eventId: string, token: string, key: string, bet: PlaceBet): Promise<BetDecision> {
  return request<BetDecision>('POST', `/v1/events/${encodeURIComponent(eventId)}/bets`, {
    body: { bet_id: key, ...bet },
    headers: { authorization: `Bearer ${token}`, 'idempotency-key': key },
  });
}

export const getBet = (id: string, token: string) =>
  request<{ decision: BetDecision; settlement: Settlement | null }>('GET', `/v1/bets/${encodeURIComponent(id)}`, {
    headers: { authorization: `Bearer ${token}` },
  });

/** WebSocket URL of a match's live stream on this origin. */
export function liveUrl(eventId: string, q: { since?: string | null; token?: string | null; client?: string }): string {
  const u = new URL(`/v1/events/${encodeURIComponent(eventId)}/live`, location.href);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  if (q.since) u.searchParams.set('since', q.since);
  if (q.token) u.searchParams.set('token', q.token);
  if (q.client) u.searchParams.set('client', q.client);
  return u.toString();
}
