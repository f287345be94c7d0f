// The probability chart on a canvas: home, draw and away over match time (tennis: the two players);
// goals as dashed lines with the scorer's side, red cards as small cards. Redrawn only when a point or mark is added or the
// size changes, never per animation frame.

import { minuteMark } from '../model/clock.ts';
import type { MatchChart } from '../model/chart.ts';
import { h } from './dom.ts';

const SERIES = [
  { key: 'home', css: '--home' },
  { key: 'draw', css: '--draw' },
  { key: 'away', css: '--away' },
] as const;

export class ChartView {
  readonly el: HTMLElement;
  #canvas: HTMLCanvasElement;
  #chart: MatchChart;
  #names: Record<'home' | 'away', string> = { home: 'Home', away: 'Away' };
  #draw = true;
  #legend: HTMLElement;
  #resize: ResizeObserver;
  #pending = false;

  constructor(chart: MatchChart) {
    this.#chart = chart;
    this.#canvas = h('canvas', { class: 'chart-canvas', role: 'img', 'aria-label': 'Win probabilities over match time' });
    this.#legend = h('div', { class: 'legend' });
    this.el = h('div', { class: 'chart' }, this.#legend, this.#canvas);
    this.#resize = new ResizeObserver(() => this.draw());
    this.#resize.observe(this.#canvas);
  }

  destroy(): void {
    this.#resize.disconnect();
  }

  /** The sides' names; `draw` false for a sport without draws (tennis). */
  setNames(home: string, away: string, draw = true): void {
    this.#names = { home, away };
    this.#draw = draw;
    this.#legend.replaceChildren(
      ...this.#series().map((s) =>
        h('span', { class: `key key-${s.key}` }, h('i', { 'aria-hidden': 'true' }), s.key === 'draw' ? 'Draw' : this.#names[s.key]),
      ),
    );
  }

  #series() {
    return SERIES.filter((s) => this.#draw || s.key !== 'draw');
  }

  /** Schedule a redraw on the next frame (coalesces bursts of deltas). */
  draw(): void {
    if (this.#pending) return;
    this.#pending = true;
    requestAnimationFrame(() => {
      this.#pending = false;
      this.#paint();
    });
  }

  #paint(): void {
    const c = this.#canvas;
    const css = getComputedStyle(c);
    const w = c.clientWidth;
    const hgt = c.clientHeight;
    if (w === 0 || hgt === 0) return;
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(hgt * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(hgt * dpr);
    }
    const g = c.getContext('2d');
    if (!g) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, hgt);
    const pad = { l: 30, r: 8, t: 10, b: 18 };
    const [t0, t1] = this.#chart.span();
    const x = (ms: number) => pad.l + ((ms - t0) / Math.max(1, t1 - t0)) * (w - pad.l - pad.r);
    const y = (p: number) => pad.t + (1 - p) * (hgt - pad.t - pad.b);
    const muted = css.getPropertyValue('--muted').trim() || '#888';
    const grid = css.getPropertyValue('--grid').trim() || 'rgba(128,128,128,.2)';

    g.font = '10px system-ui, sans-serif';
    g.lineWidth = 1;
    g.strokeStyle = grid;
    g.fillStyle = muted;
    for (const p of [0, 0.25, 0.5, 0.75, 1]) {
      g.beginPath();
      g.moveTo(pad.l, y(p));
      g.lineTo(w - pad.r, y(p));
      g.stroke();
      g.fillText(`${p * 100}%`, 2, y(p) + 3);
    }
    for (let m = 0; m * 60_000 <= t1; m += 15) {
      const label = `${m}'`;
      const lx = Math.min(x(m * 60_000) - 6, w - g.measureText(label).width - 1);
      g.fillText(label, lx, hgt - 4);
    }
    if (this.#chart.halves && t1 >= 45 * 60_000) {
      g.setLineDash([2, 3]);
      g.beginPath();
      g.moveTo(x(45 * 60_000), pad.t);
      g.lineTo(x(45 * 60_000), hgt - pad.b);
      g.stroke();
      g.setLineDash([]);
    }

    const pts = this.#chart.points;
    g.lineWidth = 2;
    for (const s of this.#series()) {
      g.strokeStyle = css.getPropertyValue(s.css).trim() || '#000';
      g.beginPath();
      pts.forEach((p, i) => (i === 0 ? g.moveTo(x(p.clockMs), y(p[s.key])) : g.lineTo(x(p.clockMs), y(p[s.key]))));
      if (pts.length === 1 && pts[0]) g.arc(x(pts[0].clockMs), y(pts[0][s.key]), 2, 0, 2 * Math.PI);
      g.stroke();
    }

    const parts: string[] = [];
    for (const m of this.#chart.marks) {
      const color = css.getPropertyValue(m.team === 'home' ? '--home' : '--away').trim();
      const mx = x(m.clockMs);
      if (m.kind === 'goal') {
        g.strokeStyle = color;
        g.lineWidth = 1;
        g.setLineDash([4, 3]);
        g.beginPath();
        g.moveTo(mx, pad.t);
        g.lineTo(mx, hgt - pad.b);
        g.stroke();
        g.setLineDash([]);
        g.fillStyle = color;
        g.beginPath();
        g.arc(mx, pad.t + 4, 4, 0, 2 * Math.PI);
        g.fill();
        parts.push(`goal ${this.#names[m.team]} ${minuteMark(m.clockMs)}`);
      } else {
        g.fillStyle = css.getPropertyValue('--red-card').trim() || '#d22';
        g.fillRect(mx - 3, hgt - pad.b - 12, 6, 9);
        parts.push(`red card ${this.#names[m.team]} ${minuteMark(m.clockMs)}`);
      }
    }
    const last = pts[pts.length - 1];
    const draw = this.#draw && last ? `draw ${Math.round(last.draw * 100)}%, ` : '';
    const now = last
      ? `Now ${this.#names.home} ${Math.round(last.home * 100)}%, ${draw}${this.#names.away} ${Math.round(last.away * 100)}%.`
      : 'No data yet.';
    c.setAttribute('aria-label', `Win probabilities over match time. ${now}${parts.length ? ` Marked: ${parts.join(', ')}.` : ''}`);
    c.dataset['points'] = String(pts.length);
    c.dataset['marks'] = String(this.#chart.marks.length);
  }
}
