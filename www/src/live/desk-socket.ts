// A match's desk socket (`GET /v1/events/{id}/desk`, admin): the hub pushes one JSON view on every
// change and each second while its alerts and ages move. Reconnects with backoff through the same
// machinery as the bettor's live socket; every connection starts with the current view, so nothing
// needs resuming. The token rides as a subprotocol (`bearer.<token>`), never in the URL.

import { deskProtocols, deskUrl } from '../desk-api.ts';
import type { ConnectionStatus } from '../model/connection.ts';
import { readDeskView, type DeskView } from '../model/desk.ts';
import { LiveSocket } from './socket.ts';

export interface DeskSocketOptions {
  eventId: string;
  token: string;
  onView(view: DeskView, receivedMs: number): void;
  onStatus(status: ConnectionStatus): void;
}

/**
 * A quiet match (before kick-off, half-time) may change nothing for a while, and the hub then sends
 * nothing: silence is "stale" only after this long, and a reconnect (which brings a fresh view) after
 * twice that.
 */
const QUIET_MS = 30_000;

export class DeskSocket {
  #socket: LiveSocket;
  #unreadable = 0;

  constructor(o: DeskSocketOptions) {
    this.#socket = new LiveSocket({
      url: () => deskUrl(o.eventId),
      protocols: () => deskProtocols(o.token),
      onText: (text) => {
        const view = readDeskView(text);
        if (view) o.onView(view, Date.now());
        else if (this.#unreadable++ === 0) console.warn('inplay desk: a frame that is not a desk view was ignored');
      },
      onStatus: o.onStatus,
      staleAfterMs: QUIET_MS,
      reconnectAfterMs: 2 * QUIET_MS,
    });
  }

  get status(): ConnectionStatus {
    return this.#socket.status;
  }

  close(): void {
    this.#socket.close();
  }
}
