// views_charts.js: live loss/repair charts per channel and per metro, from
// /series, refreshed every 3 s with only the newer points fetched.

import { get } from './api.js';
import { h } from './ui.js';
import { LiveChart, legendKey } from './chart.js';

let live = [];

export const charts = {
  title: 'Charts',
  refreshMs: 3000,
  async render(root, params) {
    const [chs, mets] = await Promise.all([get('/channels'), get('/metros')]);
    const only = params.only || 'all';
    live = [];
    const chanCharts = only === 'metros' ? [] : chs.map((c) => new LiveChart(`Channel ${c.id} ${c.name}`, { channel: c.id }));
    const metroCharts = only === 'channels' ? [] : mets.map((m) => new LiveChart(`Metro ${m.name}`, { metro: m.id }));
    live = [...chanCharts, ...metroCharts];
    const pick = h('nav', { class: 'bar', 'aria-label': 'Which charts' },
      ...[['all', 'All'], ['channels', 'Channels'], ['metros', 'Metros']].map(([k, l]) =>
        h('a', { href: `#charts?only=${k}`, 'aria-current': k === only ? 'page' : null }, l)));
    root.replaceChildren(h('h1', {}, 'Live loss and repair'), pick, legendKey(),
      chanCharts.length ? h('h2', {}, 'Per channel') : null, h('div', { class: 'charts', id: 'channel-charts' }, chanCharts.map((c) => c.el)),
      metroCharts.length ? h('h2', {}, 'Per metro') : null, h('div', { class: 'charts', id: 'metro-charts' }, metroCharts.map((c) => c.el)));
    await Promise.all(live.map((c) => c.refresh()));
  },
  async refresh() {
    await Promise.all(live.map((c) => c.refresh()));
  },
};
