// The admin side of the Worker's API, as the trading desk uses it: the desk socket's address, the
// trader's actions, the audit log. Only the desk's lazily loaded chunk imports this, so a bettor
// never downloads it. The admin token goes in a header (or the socket's subprotocol), never in a URL.

import { request, requestText } from './api.ts';
import { parseAuditLog, type AuditEntry } from './model/audit.ts';
import { actionRequest, type ActionAnswer, type DeskAction } from './model/desk-actions.ts';

const admin = (token: string) => ({ authorization: `Bearer ${token}` });
const eventPath = (eventId: string) => `/v1/events/${encodeURIComponent(eventId)}`;

/** WebSocket URL of a match's desk on this origin. */
export function deskUrl(eventId: string): string {
  const u = new URL(`${eventPath(eventId)}/desk`, location.href);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

/** The subprotocols the desk socket offers: the API's, and the token (browsers cannot set headers). */
export function deskProtocols(token: string): string[] {
  return ['inplay.v1', `bearer.${token}`];
}

/** Sends one action; refusals throw `ApiError` with the API's code and message. */
export function sendAction(eventId: string, token: string, action: DeskAction): Promise<ActionAnswer> {
  const { path, body } = actionRequest(action);
  return request<ActionAnswer>('POST', `${eventPath(eventId)}/${path}`, { body, headers: admin(token), timeoutMs: 15_000 });
}

/** The last `tail` entries of a match's audit log, oldest first. */
export async function auditLog(eventId: string, token: string, tail: number): Promise<{ entries: AuditEntry[]; unreadable: number }> {
  return parseAuditLog(await requestText('GET', `${eventPath(eventId)}/log?tail=${tail}`, { headers: admin(token) }));
}

/**
 * Whether the Worker takes `token` as the admin's, asked of a match's log (an admin read that
 * changes nothing). Throws `ApiError` (`admin_forbidden`, `event_not_found`, …) when not.
 */
export async function checkAdmin(eventId: string, token: string): Promise<void> {
  await requestText('GET', `${eventPath(eventId)}/log?tail=0`, { headers: admin(token) });
}
