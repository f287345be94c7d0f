// One match's live WebSocket: binary frames in, automatic reconnect with backoff, resume with
// `?since=epoch:seq` so a reconnect receives only the missed deltas, and a liveness watchdog that
// turns a silent socket into "stale" and then into a reconnect. The trading desk's socket uses the
// same machinery with text frames and its token as a subprotocol.

import { backoffMs, connectionStatus, type ConnectionStatus } from '../model/connection.ts';

export interface LiveSocketOptions {
  /** URL for the next connection attempt; `since` is the version held (null → fresh snapshot). */
  url(): string;
  /** Subprotocols to offer (`inplay.v1`, `bearer.<token>`); none by default. */
  protocols?(): string[];
  /** A binary frame. */
  onFrame?(bytes: Uint8Array): void;
  /** A text frame. */
  onText?(text: string): void;
  onStatus(status: ConnectionStatus): void;
  /** Silence after which the connection shows as stale (the relay heartbeats every few seconds). */
  staleAfterMs?: number;
  /** Silence after which the socket is dropped and reopened. */
  reconnectAfterMs?: number;
}

export class LiveSocket {
  #opts: LiveSocketOptions & Required<Pick<LiveSocketOptions, 'staleAfterMs' | 'reconnectAfterMs'>>;
  #ws: WebSocket | null = null;
  #open = false;
  #everLive = false;
  #lastFrameMs: number | null = null;
  #openedMs = 0;
  #attempt = 0;
  #retry: ReturnType<typeof setTimeout> | null = null;
  #watchdog: ReturnType<typeof setInterval>;
  #status: ConnectionStatus = 'connecting';
  #closed = false;
  #onOnline = () => this.#reconnectSoon(0);

  constructor(opts: LiveSocketOptions) {
    this.#opts = { staleAfterMs: 12_000, reconnectAfterMs: 25_000, ...opts };
    this.#watchdog = setInterval(() => this.#check(), 500);
    addEventListener('online', this.#onOnline);
    this.#connect();
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  /** Drop the connection and open a new one now (e.g. after a gap in the stream). */
  restart(): void {
    this.#drop();
    this.#reconnectSoon(0);
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#watchdog);
    if (this.#retry) clearTimeout(this.#retry);
    removeEventListener('online', this.#onOnline);
    this.#drop();
  }

  #connect(): void {
    if (this.#closed) return;
    this.#retry = null;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.#opts.url(), this.#opts.protocols?.() ?? []);
    } catch {
      this.#reconnectSoon();
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    this.#lastFrameMs = null;
    ws.onopen = () => {
      if (ws !== this.#ws) return;
      this.#open = true;
      this.#openedMs = Date.now();
      this.#check();
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (ws !== this.#ws) return;
      const binary = ev.data instanceof ArrayBuffer;
      if (!binary && typeof ev.data !== 'string') return;
      this.#lastFrameMs = Date.now();
      this.#everLive = true;
      this.#attempt = 0;
      this.#check();
      if (binary) this.#opts.onFrame?.(new Uint8Array(ev.data));
      else this.#opts.onText?.(ev.data as string);
    };
    ws.onclose = (ev: CloseEvent) => {
      if (ws !== this.#ws) return;
      console.debug(`inplay: live socket closed (${ev.code}${ev.reason ? ` ${ev.reason}` : ''})`);
      this.#ws = null;
      this.#open = false;
      this.#check();
      this.#reconnectSoon();
    };
    ws.onerror = () => {
      // onclose follows and schedules the retry.
    };
  }

  #drop(): void {
    const ws = this.#ws;
    this.#ws = null;
    this.#open = false;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close(1000);
      } catch {
        // already closing
      }
    }
    this.#check();
  }

  #reconnectSoon(delay = backoffMs(this.#attempt++)): void {
    if (this.#closed || this.#ws || this.#retry) return;
    this.#retry = setTimeout(() => this.#connect(), delay);
  }

  #check(): void {
    const now = Date.now();
    const status = connectionStatus({ open: this.#open, everLive: this.#everLive, lastFrameMs: this.#lastFrameMs }, now, this.#opts.staleAfterMs);
    // An open socket that says nothing (not even the first snapshot) is as good as closed.
    const silentSince = this.#lastFrameMs ?? this.#openedMs;
    if (this.#open && now - silentSince > this.#opts.reconnectAfterMs) {
      console.debug('inplay: live socket silent too long, reconnecting');
      this.#drop();
      this.#reconnectSoon(0);
      return;
    }
    if (status !== this.#status && !this.#closed) {
      this.#status = status;
      this.#opts.onStatus(status);
    }
  }
}
