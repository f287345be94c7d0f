// One match as the page holds it: the engine's LiveEvent, built from the snapshot and kept current by
// deltas off the socket, and the image the engine made of them (read back from it after each frame,
// for display: names, score, suspensions, goals). Gaps are never papered over: a delta that does
// not follow means resume or a fresh snapshot.

import { liveUrl } from '../api.ts';
import { errorCode, loadEngine, readDecision, type Engine, type LiveEventHandle } from '../engine.ts';
import type { ReadDecision } from '../model/bets.ts';
import { sinceParam, type ConnectionStatus } from '../model/connection.ts';
import { touched } from '../model/image.ts';
import { ServerClock } from '../model/server-clock.ts';
import type { BetErrorFrame, MatchImage, RelativeDelta, Version } from '../model/wire.ts';
import { LiveSocket } from './socket.ts';

export interface MatchFeedEvents {
  /** A fresh image (first connection, new epoch, or after a gap). */
  snapshot(image: MatchImage): void;
  /** A delta applied (as its frame carried it); `fields` are the image fields it replaced. */
  delta(image: MatchImage, delta: RelativeDelta, fields: Set<string>): void;
  /** One of this socket owner's bet decisions, its status read by the engine. */
  decision(d: ReadDecision): void;
  /** One of this socket owner's socket bets refused before the engine saw it. */
  refusal(r: BetErrorFrame): void;
  status(s: ConnectionStatus): void;
}

export class MatchFeed {
  readonly eventId: string;
  readonly clock = new ServerClock();
  image: MatchImage | null = null;
  live: LiveEventHandle | null = null;
  region: string | null = null;
  shard: number | null = null;
  /** Frames received, by kind: for the status line and the tests. */
  readonly counts = { snapshot: 0, delta: 0, heartbeat: 0, bet: 0, bet_error: 0 };
  #engine: Engine;
  #socket: LiveSocket;
  #on: MatchFeedEvents;
  /** Set after a gap: the next connection asks for a snapshot instead of resuming. */
  #fresh = false;
  #behind = false;
  /** Loading the engine that runs this match's sport (the page starts with football's). */
  #switching = false;

  constructor(engine: Engine, eventId: string, opts: { token: string | null; client: string; staleAfterMs?: number }, on: MatchFeedEvents) {
    this.#engine = engine;
    this.eventId = eventId;
    this.#on = on;
    this.#socket = new LiveSocket({
      url: () => {
        const since = this.#fresh ? null : sinceParam(this.version);
        this.#fresh = false;
        return liveUrl(eventId, { since, token: opts.token, client: opts.client });
      },
      onFrame: (b) => this.#frame(b),
      onStatus: (s) => on.status(s),
      ...(opts.staleAfterMs ? { staleAfterMs: opts.staleAfterMs, reconnectAfterMs: opts.staleAfterMs * 2 } : {}),
    });
  }

  get version(): Version | null {
    return this.live ? this.live.version : null;
  }

  get status(): ConnectionStatus {
    return this.#socket.status;
  }

  /** Server time now (the engine's `nowMs`). */
  now(): number {
    return this.clock.now();
  }

  close(): void {
    this.#socket.close();
    this.live?.free();
    this.live = null;
  }

  #resnapshot(why: string): void {
    console.debug(`inplay: fresh snapshot (${why})`);
    this.#fresh = true;
    this.#socket.restart();
  }

  #frame(bytes: Uint8Array): void {
    const arrived = Date.now();
    let frame;
    try {
      frame = this.#engine.decodeFrame(bytes);
    } catch (e) {
      // A sport the loaded engine does not run: load the one that does, then start from a snapshot.
      if (errorCode(e) === 'unsupported_sport' && !this.#switching) {
        this.#switching = true;
        void loadEngine('tennis').then((engine) => {
          this.#engine = engine;
          this.#switching = false;
          this.#resnapshot('this match needs the tennis engine');
        });
      }
      return; // Otherwise a frame from a newer protocol: skip it rather than lose the connection.
    }
    switch (frame.kind) {
      case 'snapshot': {
        this.counts.snapshot++;
        this.clock.observe(frame.server_ms, arrived);
        const next = this.#engine.LiveEvent.fromSnapshot(frame.bytes);
        this.live?.free();
        this.live = next;
        this.image = next.image;
        this.region = frame.region;
        this.shard = frame.shard;
        this.#behind = false;
        this.#on.snapshot(this.image);
        return;
      }
      case 'delta': {
        this.counts.delta++;
        // A delta frame carries its seq and its time relative to the version before it: its epoch
        // is the last snapshot's (a new epoch comes as a snapshot; heartbeats name the relay's).
        const d = frame.delta;
        const held = this.version;
        if (!this.live || !this.image || !held) return this.#resnapshot('delta before snapshot');
        if (d.seq <= held.seq) return; // already have it
        if (d.seq !== held.seq + 1) return this.#resnapshot(`gap: have ${held.epoch}:${held.seq}, got ${d.seq}`);
        try {
          this.live.applyDelta(frame.bytes);
        } catch (e) {
          return this.#resnapshot(`delta refused: ${String(e)}`);
        }
        // The delta's wall time, read against the version it followed.
        this.clock.observe(this.live.atMs, arrived);
        this.image = this.live.image;
        this.#behind = false;
        this.#on.delta(this.image, d, touched(d.ops));
        return;
      }
      case 'heartbeat': {
        this.counts.heartbeat++;
        this.clock.observe(frame.server_ms, arrived);
        const held = this.version;
        if (!held) return;
        if (frame.version.epoch !== held.epoch) {
          // History restarted: our deltas no longer apply.
          this.#resnapshot('new epoch');
        } else if (frame.version.seq > held.seq) {
          // The relay is ahead. Deltas go out before the heartbeat that names them, so being behind
          // on two heartbeats running means something was lost: resume from what we hold.
          if (this.#behind) {
            console.debug(`inplay: resuming, relay is at ${frame.version.seq}, we hold ${held.seq}`);
            this.#socket.restart();
          }
          this.#behind = true;
        } else {
          this.#behind = false;
        }
        return;
      }
      case 'bet': {
        this.counts.bet++;
        const read = readDecision(this.#engine, frame.decision);
        if (read) this.#on.decision(read);
        return;
      }
      case 'bet_error':
        this.counts.bet_error++;
        this.#on.refusal(frame);
        return;
    }
  }
}
