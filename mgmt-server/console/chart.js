// chart.js: live line charts drawn on <canvas>, no library. A LiveChart
// keeps the last five minutes of /series points for one channel, one metro
// or everything, fetches only newer points (since=) on each refresh, and
// draws the loss and repair rates (percent, left axis) and the clients
// count (right axis).

import { get, query } from './api.js';
import { h, rate, num } from './ui.js';

const SPAN_MS = 300000;

function css(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export class LiveChart {
  // filter: {channel: id} | {metro: id} | {}
  constructor(title, filter) {
    this.filter = filter;
    this.points = [];
    this.last = 0;
    this.canvas = h('canvas', { role: 'img', 'aria-label': `${title}: no data yet` });
    this.legend = h('span', { class: 'dim' }, '');
    this.el = h('figure', { class: 'chart' },
      h('figcaption', {}, h('b', {}, title), this.legend), this.canvas);
  }

  async refresh() {
    const q = query({ ...this.filter, since: this.last || undefined });
    const s = await get(`/series${q}`);
    for (const p of s.points || [])
      if (p.t_ms > this.last) { this.points.push(p); this.last = p.t_ms; }
    const cut = Date.now() - SPAN_MS;
    while (this.points.length && this.points[0].t_ms < cut) this.points.shift();
    this.draw();
  }

  draw() {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth || 360, hgt = c.clientHeight || 140;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(hgt * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(hgt * dpr);
    }
    const g = c.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, hgt);
    const L = 44, R = 40, T = 6, B = 16, pw = w - L - R, ph = hgt - T - B;
    const now = Date.now(), t0 = now - SPAN_MS;
    const pts = this.points;
    const maxLoss = Math.max(0.001, ...pts.map((p) => p.loss_rate || 0));
    const yTop = niceCeil(maxLoss * 100);
    const maxClients = Math.max(1, ...pts.map((p) => p.clients || 0));
    const x = (t) => L + ((t - t0) / SPAN_MS) * pw;
    const yl = (r) => T + ph - Math.min(1, (r * 100) / yTop) * ph;
    const yr = (r) => T + ph - Math.min(1, r) * ph;
    const yc = (n) => T + ph - (n / maxClients) * ph;

    g.font = '10px system-ui, sans-serif';
    g.strokeStyle = css('--line');
    g.fillStyle = css('--dim');
    g.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const y = T + (ph * i) / 4;
      g.beginPath(); g.moveTo(L, y); g.lineTo(L + pw, y); g.stroke();
      g.textAlign = 'right';
      g.fillText(`${(yTop * (4 - i) / 4).toPrecision(2)}%`, L - 4, y + 3);
    }
    g.textAlign = 'center';
    for (let m = 0; m <= 5; m++) g.fillText(m === 5 ? 'now' : `-${5 - m}m`, L + (pw * m) / 5, hgt - 3);
    g.textAlign = 'left';
    g.fillText(num(maxClients), L + pw + 4, T + 8);

    const line = (colour, yf, key, dash) => {
      g.strokeStyle = colour;
      g.setLineDash(dash || []);
      g.lineWidth = 1.5;
      g.beginPath();
      pts.forEach((p, i) => (i ? g.lineTo : g.moveTo).call(g, x(p.t_ms), yf(p[key] || 0)));
      g.stroke();
      g.setLineDash([]);
    };
    if (pts.length) {
      line(css('--off'), yc, 'clients', [3, 3]);
      line(css('--ok'), yr, 'repair_rate');
      line(css('--bad'), yl, 'loss_rate');
    }
    const p = pts[pts.length - 1];
    const text = p
      ? `loss ${rate(p.loss_rate)} · repaired ${rate(p.repair_rate)} · residual ${rate(p.residual_rate)} · ${num(p.clients)} clients`
      : 'no reports in the last 5 minutes';
    this.legend.textContent = text;
    this.canvas.setAttribute('aria-label', `${this.el.querySelector('b').textContent}: ${text}`);
  }
}

function niceCeil(v) {
  const e = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * e) return m * e;
  return 10 * e;
}

export function legendKey() {
  return h('p', { class: 'help' },
    h('span', { class: 'bad' }, '━ loss rate'), ' (left axis) · ',
    h('span', { class: 'ok' }, '━ repaired share of losses'), ' (0–100 %) · ',
    h('span', { class: 'off' }, '┅ clients'), ' (right axis). One point per second, last 5 minutes.');
}
