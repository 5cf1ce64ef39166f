// views_lineup.js: overview, channels, metros, edges and the event log.

import { get, post, patch, del, query } from './api.js';
import { h, table, num, rate, ago, time, duration, bps, pill, lossClass, metroColour,
  formDialog, confirmDialog, notice } from './ui.js';
import { LiveChart, legendKey } from './chart.js';

const tile = (k, v, s, cls) => h('div', { class: 'tile' }, h('div', { class: 'k' }, k),
  h('div', { class: `v ${cls || ''}` }, v), s ? h('div', { class: 's' }, s) : null);

const refreshButton = (ctx) => h('button', { type: 'button', onclick: () => ctx.reload() }, 'Refresh');

export function metroChip(id, name, repeat) {
  return h('span', { class: `chip${repeat ? ' repeat' : ''}`, style: `background:${metroColour(id)}`,
    title: repeat ? `${name} (repeats in this group)` : name }, name);
}

// --- overview ---

let overviewChart = null;

async function drawOverview(root) {
  const [sum, st, chs, mets, edg] = await Promise.all([get('/summary'), get('/status'),
    get('/summary/channels'), get('/summary/metros'), get('/edges')]);
  const silent = mets.filter((m) => m.silent).length;
  const down = edg.filter((e) => !e.live);
  const rec = sum.recent || {};
  const tiles = h('div', { class: 'tiles', id: 'overview-tiles' },
    tile('Clients live', num(sum.clients.live), `${num(sum.clients.registered)} registered`),
    tile('Channels', num(sum.channels), `${chs.filter((c) => c.enabled).length} enabled`),
    tile('Metros', num(sum.metros), silent ? `${silent} silent` : 'all reporting', silent ? 'bad' : ''),
    tile('Edges live', `${sum.edges.live}/${sum.edges.total}`, down.length ? `down: ${down.map((e) => e.name).join(', ')}` : 'all live',
      sum.edges.live < sum.edges.total ? 'bad' : ''),
    tile('Groups', num(sum.groups.groups), `${rate(sum.groups.distinct_share)} all-distinct metros`,
      sum.groups.distinct_share < 0.99 && sum.groups.groups ? 'warn' : ''),
    tile('Loss (10 s)', rate(rec.loss_rate), `since start ${rate(sum.loss_rate)}`, lossClass(rec.loss_rate)),
    tile('Repaired (10 s)', rate(rec.repair_rate), `since start ${rate(sum.repair_rate)}`),
    tile('Residual (10 s)', rate(rec.residual_rate), `since start ${rate(sum.residual_rate)}`,
      lossClass(rec.residual_rate * 10)));
  const metroTable = table([
    { label: 'Metro', cell: (m) => metroChip(m.metro_id, m.name) },
    { label: 'Live', num: true, cell: (m) => num(m.live) },
    { label: 'State', cell: (m) => (m.silent ? pill('SILENT', 'bad') : pill('ok', 'ok')) },
    { label: 'Loss 10 s', num: true, cell: (m) => h('span', { class: lossClass(m.recent.loss_rate) }, rate(m.recent.loss_rate)) },
    { label: 'Repaired 10 s', num: true, cell: (m) => rate(m.recent.repair_rate) },
  ], mets, { empty: 'No metros.' });
  const chanTable = table([
    { label: 'Channel', cell: (c) => h('a', { href: `#groups?channel=${c.channel_id}` }, `${c.channel_id} ${c.name}`) },
    { label: 'Viewers', num: true, cell: (c) => num(c.viewers) },
    { label: 'Groups', num: true, cell: (c) => `${num(c.groups_distinct)}/${num(c.groups)}` },
    { label: 'Loss 10 s', num: true, cell: (c) => h('span', { class: lossClass(c.recent.loss_rate) }, rate(c.recent.loss_rate)) },
    { label: 'Repaired 10 s', num: true, cell: (c) => rate(c.recent.repair_rate) },
  ], chs, { empty: 'No channels.' });
  const areas = Object.entries(st.api || {}).map(([a, v]) => `${a} p99 ≤ ${v.p99_ms_max} ms (${num(v.requests)})`).join(' · ');
  const server = h('p', { class: 'help' }, `sixcast ${st.version} · up ${duration(st.uptime_s)} · line-up ${st.lineup_mode} · `,
    `store: ${num(st.store.commits)} commits, ${num(st.store.queued)} queued, last ${st.store.last_commit_ms} ms · `,
    `${st.http.connections} connections, ${st.http.long_polls} long polls`, h('br'), `API: ${areas}`);
  return { tiles, metroTable, chanTable, server };
}

export const overview = {
  title: 'Overview',
  refreshMs: 5000,
  async render(root) {
    const d = await drawOverview(root);
    overviewChart = new LiveChart('All channels', {});
    root.replaceChildren(h('h1', {}, 'Overview'), d.tiles,
      h('h2', {}, 'Loss and repair, all channels'), overviewChart.el,
      h('div', { class: 'cols' },
        h('div', { id: 'overview-metros' }, h('h2', {}, 'Metros'), d.metroTable),
        h('div', { id: 'overview-channels' }, h('h2', {}, 'Channels'), d.chanTable)),
      h('h2', {}, 'Server'), h('div', { id: 'overview-server' }, d.server));
    await overviewChart.refresh();
  },
  async refresh(root) {
    const d = await drawOverview(root);
    root.querySelector('#overview-tiles').replaceWith(d.tiles);
    root.querySelector('#overview-metros').replaceChildren(h('h2', {}, 'Metros'), d.metroTable);
    root.querySelector('#overview-channels').replaceChildren(h('h2', {}, 'Channels'), d.chanTable);
    root.querySelector('#overview-server').replaceChildren(d.server);
    await overviewChart.refresh();
  },
};

// --- channels ---

const nullable = (s) => (s === '' || s === 'none' ? null : s);

function channelFields(c = {}) {
  return [
    ...(c.id ? [] : [{ name: 'id', label: 'Id (empty: the next free one)', type: 'number', min: 1 }]),
    { name: 'name', label: 'Name', value: c.name, required: true },
    { name: 'group6', label: 'IPv6 multicast group (empty: none; new channels get ff3e::8000:<id>)', value: c.group6 ?? '' },
    { name: 'group4', label: 'IPv4 multicast group (empty: none)', value: c.group4 ?? '' },
    { name: 'port', label: 'UDP port', type: 'number', min: 1, max: 65535, value: c.port ?? 5000 },
    { name: 'source6', label: 'IPv6 SSM source (empty: from the edges)', value: c.configured_source6 ?? '' },
    { name: 'source4', label: 'IPv4 SSM source (empty: from the edges)', value: c.configured_source4 ?? '' },
    { name: 'sdp_url', label: 'SDP URL (empty: from the edges)', value: c.configured_sdp_url ?? '' },
    { name: 'direct_max', label: 'Boxes served by the edge before the P2P mesh (0: default)', type: 'number', min: 0, value: c.direct_max ?? 0 },
    { name: 'enabled', label: 'Enabled (offered to boxes)', type: 'checkbox', value: c.enabled ?? true },
  ];
}

function channelBody(v, isNew) {
  const b = { name: v.name, port: Number(v.port), direct_max: Number(v.direct_max), enabled: v.enabled,
    source6: nullable(v.source6), source4: nullable(v.source4), sdp_url: nullable(v.sdp_url) };
  if (isNew) {
    if (v.id) b.id = Number(v.id);
    if (v.group6) b.group6 = v.group6;
    if (v.group4) b.group4 = v.group4;
  } else {
    b.group6 = nullable(v.group6);
    b.group4 = nullable(v.group4);
  }
  return b;
}

export const channels = {
  title: 'Channels',
  async render(root, params, ctx) {
    const [list, sums] = await Promise.all([get('/channels'), get('/summary/channels')]);
    const sum = Object.fromEntries(sums.map((s) => [s.channel_id, s]));
    const add = h('button', { type: 'button', class: 'primary', onclick: async () => {
      const r = await formDialog({ title: 'Add a channel', fields: channelFields(), submitLabel: 'Create',
        submit: (v) => post('/channels', channelBody(v, true)) });
      if (r) { notice(`Channel ${r.id} "${r.name}" created`); ctx.reload(); }
    } }, 'Add channel');
    const actions = (c) => [
      h('button', { type: 'button', class: 'small', 'aria-label': `Edit channel ${c.id}`, onclick: async () => {
        const r = await formDialog({ title: `Change channel ${c.id}`, fields: channelFields(c),
          submit: (v) => patch(`/channels/${c.id}`, channelBody(v, false)) });
        if (r) { notice(`Channel ${c.id} changed`); ctx.reload(); }
      } }, 'Edit'),
      h('button', { type: 'button', class: 'small', 'aria-label': `Rebuild the groups of channel ${c.id}`, onclick: async () => {
        const r = await confirmDialog(`Rebuild channel ${c.id}`, `Regroup the ${num(c.viewers)} boxes of "${c.name}" from scratch? Every group gets a new version and key.`,
          'Rebuild', () => post(`/channels/${c.id}/rebuild`));
        if (r) { notice(`Channel ${c.id} rebuilt: ${r.groups} groups, ${r.members} members, ${rate(r.distinct_share)} all-distinct`); ctx.reload(); }
      } }, 'Rebuild'),
      h('button', { type: 'button', class: 'small danger', 'aria-label': `Remove channel ${c.id}`, onclick: async () => {
        const r = await confirmDialog(`Remove channel ${c.id}`, `Remove "${c.name}"? Its ${num(c.viewers)} boxes leave it.`,
          'Remove', () => del(`/channels/${c.id}`));
        if (r) { notice(`Channel ${c.id} removed`); ctx.reload(); }
      } }, 'Remove'),
    ];
    root.replaceChildren(h('h1', {}, 'Channels'), h('div', { class: 'bar' }, add, h('span', { class: 'grow' }), refreshButton(ctx)),
      table([
        { label: 'Id', key: 'id', num: true },
        { label: 'Name', cell: (c) => h('b', {}, c.name) },
        { label: 'State', cell: (c) => (c.enabled ? pill('on', 'ok') : pill('off', 'off')) },
        { label: 'Group v6', cls: 'mono', cell: (c) => c.group6 },
        { label: 'Group v4', cls: 'mono', cell: (c) => c.group4 },
        { label: 'Port', key: 'port', num: true },
        { label: 'Source', cls: 'mono', cell: (c) => [c.source6, c.source4].filter(Boolean).join(' ') || h('span', { class: 'warn' }, 'no edge') },
        { label: 'Viewers', num: true, cell: (c) => num(c.viewers) },
        { label: 'Groups', num: true, cell: (c) => h('a', { href: `#groups?channel=${c.id}` },
          h('span', { class: c.groups_distinct < c.groups ? 'warn' : '' }, `${num(c.groups_distinct)}/${num(c.groups)}`)) },
        { label: 'Mesh', num: true, cell: (c) => num(c.mesh_peers) },
        { label: 'Loss 10 s', num: true, cell: (c) => { const r = sum[c.id]?.recent?.loss_rate || 0; return h('span', { class: lossClass(r) }, rate(r)); } },
        { label: 'Repaired', num: true, cell: (c) => rate(sum[c.id]?.repair_rate) },
        { label: 'Actions', cls: 'actions', cell: actions },
      ], list, { empty: 'No channels yet: add one.', rowAttrs: (c) => ({ 'data-channel': c.id }) }));
  },
};

// --- metros ---

const prefixList = (s) => s.split(/[\s,]+/).filter(Boolean);

export const metros = {
  title: 'Metros',
  async render(root, params, ctx) {
    const [list, sums] = await Promise.all([get('/metros'), get('/summary/metros')]);
    const sum = Object.fromEntries(sums.map((s) => [s.metro_id, s]));
    const fields = (m = {}) => [
      ...(m.id ? [] : [{ name: 'id', label: 'Id (empty: the next free one)', type: 'number', min: 1 }]),
      { name: 'name', label: 'Name', value: m.name, required: true },
      { name: 'prefixes', label: 'Prefixes (IPv6/IPv4, comma or space separated)', value: (m.prefixes || []).join(', '),
        placeholder: '2001:db8:4::/48, 10.4.0.0/16' },
    ];
    const add = h('button', { type: 'button', class: 'primary', onclick: async () => {
      const r = await formDialog({ title: 'Add a metro', fields: fields(), submitLabel: 'Create',
        submit: (v) => post('/metros', { ...(v.id ? { id: Number(v.id) } : {}), name: v.name, prefixes: prefixList(v.prefixes) }) });
      if (r) { notice(`Metro ${r.id} "${r.name}" created`); ctx.reload(); }
    } }, 'Add metro');
    const actions = (m) => [
      h('button', { type: 'button', class: 'small', 'aria-label': `Edit metro ${m.name}`, onclick: async () => {
        const r = await formDialog({ title: `Change metro ${m.id}`, fields: fields(m),
          submit: (v) => patch(`/metros/${m.id}`, { name: v.name, prefixes: prefixList(v.prefixes) }) });
        if (r) { notice(`Metro ${m.id} changed`); ctx.reload(); }
      } }, 'Edit'),
      h('button', { type: 'button', class: 'small danger', 'aria-label': `Remove metro ${m.name}`, onclick: async () => {
        const r = await confirmDialog(`Remove metro ${m.id}`, `Remove "${m.name}"? Its boxes are matched against the other metros' prefixes.`,
          'Remove', () => del(`/metros/${m.id}`));
        if (r) { notice(`Metro ${m.id} removed`); ctx.reload(); }
      } }, 'Remove'),
    ];
    root.replaceChildren(h('h1', {}, 'Metros'), h('div', { class: 'bar' }, add, h('span', { class: 'grow' }), refreshButton(ctx)),
      table([
        { label: 'Id', key: 'id', num: true },
        { label: 'Name', cell: (m) => metroChip(m.id, m.name) },
        { label: 'Prefixes', cls: 'mono wrap', cell: (m) => m.prefixes.join(' ') || h('span', { class: 'dim' }, 'none') },
        { label: 'Live', num: true, cell: (m) => h('a', { href: `#clients?metro=${m.id}&live=1` }, num(m.live)) },
        { label: 'State', cell: (m) => (m.silent ? pill('SILENT', 'bad') : pill('ok', 'ok')) },
        { label: 'Outages', num: true, cell: (m) => num(m.outages) },
        { label: 'Last outage', cell: (m) => (m.last_outage ? `${ago(m.last_outage.since_ms)}: ${num(m.last_outage.clients)} boxes, regrouped in ${m.last_outage.rebuild_ms} ms` : '–') },
        { label: 'Loss', num: true, cell: (m) => { const r = sum[m.id]?.loss_rate || 0; return h('span', { class: lossClass(r) }, rate(r)); } },
        { label: 'Repaired', num: true, cell: (m) => rate(sum[m.id]?.repair_rate) },
        { label: 'Actions', cls: 'actions', cell: actions },
      ], list, { empty: 'No metros yet: add one.', rowAttrs: (m) => ({ 'data-metro': m.id }) }));
  },
};

// --- edges ---

export const edges = {
  title: 'Edges',
  async render(root, params, ctx) {
    const list = await get('/edges');
    root.replaceChildren(h('h1', {}, 'Edge servers'), h('div', { class: 'bar' }, h('span', { class: 'grow' }), refreshButton(ctx)),
      table([
        { label: 'Id', key: 'id', num: true },
        { label: 'Name', cell: (e) => h('b', {}, e.name) },
        { label: 'State', cell: (e) => (e.live ? pill('live', 'ok') : pill('DOWN', 'bad')) },
        { label: 'Addresses', cls: 'mono wrap', cell: (e) => e.addrs.join(' ') },
        { label: 'RET', cls: 'mono wrap', cell: (e) => e.ret_addrs.join(' ') },
        { label: 'Channels', cell: (e) => e.channels.map((c) => c.id).join(', ') || '–' },
        { label: 'Bit rate', num: true, cell: (e) => (e.load ? bps(e.load.bitrate_bps) : '–') },
        { label: 'RET clients', num: true, cell: (e) => num(e.load?.ret_clients) },
        { label: 'Burst', num: true, cell: (e) => num(e.load?.burst_clients) },
        { label: 'RET served', num: true, cell: (e) => (e.load ? `${num(e.load.ret_served)}/${num(e.load.ret_requests)}` : '–') },
        { label: 'CPU', num: true, cell: (e) => (e.load?.cpu_percent !== undefined ? `${e.load.cpu_percent}%` : '–') },
        { label: 'Last seen', cell: (e) => ago(e.last_seen_ms) },
        { label: 'Actions', cls: 'actions', cell: (e) => h('button', { type: 'button', class: 'small danger', 'aria-label': `Forget edge ${e.name}`,
          onclick: async () => {
            const r = await confirmDialog(`Forget edge ${e.id}`, `Forget "${e.name}"? It registers again with its next report.`, 'Forget', () => del(`/edges/${e.id}`));
            if (r) { notice(`Edge ${e.id} forgotten`); ctx.reload(); }
          } }, 'Forget') },
      ], list, { empty: 'No edge server has registered.', rowAttrs: (e) => ({ 'data-edge': e.id }) }));
  },
};

// --- events ---

const eventTypes = ['', 'client.', 'channel.', 'metro.', 'edge.', 'config.'];

async function eventRows(params) {
  const r = await get(`/events${query({ type: params.type, actor: params.actor, subject: params.subject,
    before: params.before, limit: 100 })}`);
  return r;
}

function eventTable(r) {
  return table([
    { label: 'Id', key: 'id', num: true },
    { label: 'Time (UTC)', cls: 'mono', cell: (e) => time(e.ts_ms) },
    { label: 'Actor', cell: (e) => e.actor },
    { label: 'Type', cell: (e) => h('span', { class: /kick|ban|delete|silent/.test(e.type) ? 'warn' : '' }, e.type) },
    { label: 'Subject', cell: (e) => e.subject },
    { label: 'Detail', cls: 'mono wrap', cell: (e) => (e.detail ? JSON.stringify(e.detail) : '') },
  ], r.events, { empty: 'No events match.' });
}

export const events = {
  title: 'Events',
  refreshMs: 5000,
  async render(root, params, ctx) {
    const r = await eventRows(params);
    const f = {
      type: h('select', { id: 'ev-type', name: 'type' }, eventTypes.map((t) => h('option', { value: t, selected: t === (params.type || '') }, t || 'all types'))),
      actor: h('input', { id: 'ev-actor', name: 'actor', value: params.actor || '', placeholder: 'admin:noc' }),
      subject: h('input', { id: 'ev-subject', name: 'subject', value: params.subject || '', placeholder: 'client:17' }),
    };
    const form = h('form', { class: 'bar', onsubmit: (e) => { e.preventDefault();
      ctx.navigate('events', { type: f.type.value, actor: f.actor.value.trim(), subject: f.subject.value.trim() }); } },
    h('label', { for: 'ev-type' }, 'Type', f.type), h('label', { for: 'ev-actor' }, 'Actor', f.actor),
    h('label', { for: 'ev-subject' }, 'Subject', f.subject), h('button', { type: 'submit' }, 'Filter'),
    h('span', { class: 'grow' }),
    params.before ? h('button', { type: 'button', onclick: () => ctx.navigate('events', { ...params, before: '' }) }, 'Newest') : null,
    r.next_before ? h('button', { type: 'button', onclick: () => ctx.navigate('events', { ...params, before: r.next_before }) }, 'Older') : null);
    root.replaceChildren(h('h1', {}, 'Event log'), form,
      h('p', { class: 'help' }, params.before ? `Events before #${params.before}.` : 'Newest first; refreshes every 5 s.'),
      h('div', { id: 'event-table' }, eventTable(r)));
  },
  async refresh(root, params) {
    if (params.before) return;
    root.querySelector('#event-table').replaceChildren(eventTable(await eventRows(params)));
  },
};


