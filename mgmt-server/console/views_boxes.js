// views_boxes.js: clients (set-top boxes; filters and server-side paging,
// so 100,000 boxes cost one page) and groups with their metro spread.

import { get, post, patch, del, query } from './api.js';
import { h, table, num, ago, time, duration, rate, pill, kv, metroColour, formDialog, confirmDialog, notice, guard } from './ui.js';
import { metroChip } from './views_lineup.js';

const PAGE = 100;

async function lists() {
  const [chs, mets] = await Promise.all([get('/channels'), get('/metros')]);
  return { chs, mets };
}

function select(id, name, options, value, label) {
  return h('label', { for: id }, label, h('select', { id, name },
    options.map(([v, l]) => h('option', { value: v, selected: String(v) === String(value ?? '') }, l))));
}

function pager(r, params, ctx, view, count) {
  const off = Number(params.offset || 0);
  const info = r.total ? `${num(off + 1)}–${num(off + count)} of ${num(r.total)}` : 'none';
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    h('button', { type: 'button', disabled: off === 0, onclick: () => ctx.navigate(view, { ...params, offset: Math.max(0, off - PAGE) }) }, '‹ Previous'),
    h('span', { class: 'info', id: `${view}-page` }, info),
    h('button', { type: 'button', disabled: off + count >= r.total, onclick: () => ctx.navigate(view, { ...params, offset: off + PAGE }) }, 'Next ›'));
}

// --- clients ---

// The box's member certificate: when it ends (it renews at half its life).
function certText(c) {
  if (!c.cert_not_after_ms) return 'none (the box sent no public key)';
  const left = Math.floor((c.cert_not_after_ms - Date.now()) / 1000);
  const when = `${time(c.cert_not_after_ms)} UTC`;
  return left > 0 ? `serial ${c.cert_serial}, expires ${when} (in ${duration(left)})`
    : h('span', {}, `serial ${c.cert_serial}, `, pill('expired', 'bad'), ` ${when}`);
}

async function clientDetail(id, box) {
  const c = await get(`/clients/${id}`);
  const s = c.stats || {};
  const lossRate = s.received + s.lost ? s.lost / (s.received + s.lost) : 0;
  box.replaceChildren(h('h2', {}, `Client ${c.id}: ${c.device_id}`), kv([
    ['Metro', [metroChip(c.metro_id, c.metro), ` from ${c.metro_source}${c.pinned ? ' (pinned by the NOC)' : ''}`]],
    ['State', c.banned ? pill('BANNED', 'bad') : c.live ? pill('live', 'ok') : pill('silent', 'off')],
    ['Addresses', h('span', { class: 'mono' }, c.addrs.join(' '))],
    ['Channel', c.channel_id ?? '–'],
    ['Stream', c.mode === 'mesh' ? pill('P2P mesh', 'warn') : 'multicast'],
    ['Group', c.group ? `${c.group.id} v${c.group.version}: ${c.group.members.map((m) => `${m.client_id} (${m.metro})`).join(', ')}` : '–'],
    ['Registered', ago(c.registered_ms)], ['Last seen', ago(c.last_seen_ms)],
    ['Certificate', certText(c)],
    ['Packets', `${num(s.received)} received, ${num(s.lost)} lost (${rate(lossRate)}), repaired ${num(s.repaired_group)} by the group, ${num(s.repaired_edge)} by the edge, ${num(s.repaired_mesh)} by the mesh; ${num(s.unrepaired)} unrepaired; served ${num(s.served)}`],
    ['RTT to peers', (c.rtt || []).map((r) => `${r.client_id}: ${r.ms} ms`).join(', ') || '–'],
  ]));
  box.focus();
}

function clientActions(c, ctx, mets) {
  return [
    h('button', { type: 'button', class: 'small', 'aria-label': `Move client ${c.id}`, onclick: async () => {
      const r = await formDialog({ title: `Move client ${c.id} (${c.device_id})`, submitLabel: 'Move',
        fields: [
          { name: 'metro', label: 'To metro (pinned until unpinned)', type: 'select', value: c.metro_id,
            options: [['', '— keep the metro —'], ...mets.map((m) => [m.id, `${m.id} ${m.name}`])] },
          { name: 'group', label: 'Or into group (same channel)', type: 'number', min: 1 },
        ],
        submit: (v) => {
          if (v.group) return post(`/clients/${c.id}/move`, { group_id: Number(v.group) });
          if (v.metro) return post(`/clients/${c.id}/move`, { metro_id: Number(v.metro) });
          throw new Error('choose a metro or a group');
        } });
      if (r) { notice(`Client ${c.id} moved: metro ${r.metro}, group ${r.group_id ?? '–'}`); ctx.reload(); }
    } }, 'Move'),
    c.pinned ? h('button', { type: 'button', class: 'small', 'aria-label': `Unpin client ${c.id}`, onclick: async () => {
      const r = await confirmDialog(`Unpin client ${c.id}`, 'Give its metro back to its address prefixes?', 'Unpin',
        () => patch(`/clients/${c.id}`, { metro_id: null }));
      if (r) { notice(`Client ${c.id} unpinned: metro ${r.metro}`); ctx.reload(); }
    } }, 'Unpin') : null,
    h('button', { type: 'button', class: 'small danger', 'aria-label': `Kick client ${c.id}`, onclick: async () => {
      const r = await formDialog({ title: `Kick client ${c.id} (${c.device_id})`, submitLabel: 'Kick', danger: true,
        text: 'The box leaves its channel and group; its token stops working (it may register again unless banned).',
        fields: [{ name: 'reason', label: 'Reason (for the event log)' }, { name: 'ban', label: 'Ban the device too', type: 'checkbox' }],
        submit: (v) => post(`/clients/${c.id}/kick`, { ban: v.ban, ...(v.reason ? { reason: v.reason } : {}) }) });
      if (r) { notice(`Client ${c.id} kicked${r.banned ? ' and banned' : ''}`); ctx.reload(); }
    } }, 'Kick'),
    c.banned ? h('button', { type: 'button', class: 'small', 'aria-label': `Unban client ${c.id}`, onclick: guard(async () => {
      await patch(`/clients/${c.id}`, { banned: false });
      notice(`Client ${c.id} unbanned`);
      ctx.reload();
    }) }, 'Unban') : null,
  ];
}

export const clients = {
  title: 'Clients',
  async render(root, params, ctx) {
    const q = { channel: params.channel, metro: params.metro, live: params.live, device: params.device,
      offset: params.offset, limit: PAGE };
    const [r, { chs, mets }] = await Promise.all([get(`/clients${query(q)}`), lists()]);
    const detail = h('section', { class: 'detail', id: 'client-detail', tabindex: '-1', 'aria-live': 'polite' });
    const form = h('form', { class: 'bar', role: 'search', onsubmit: (e) => {
      e.preventDefault();
      const fd = new FormData(e.target);
      ctx.navigate('clients', { channel: fd.get('channel'), metro: fd.get('metro'), live: fd.get('live'), device: fd.get('device').trim() });
    } },
    select('cl-channel', 'channel', [['', 'all channels'], ...chs.map((c) => [c.id, `${c.id} ${c.name}`])], params.channel, 'Channel'),
    select('cl-metro', 'metro', [['', 'all metros'], ...mets.map((m) => [m.id, `${m.id} ${m.name}`])], params.metro, 'Metro'),
    select('cl-live', 'live', [['', 'any'], ['1', 'live'], ['0', 'silent']], params.live, 'State'),
    h('label', { for: 'cl-device' }, 'Device id contains', h('input', { id: 'cl-device', name: 'device', type: 'search', value: params.device || '' })),
    h('button', { type: 'submit' }, 'Search'), h('span', { class: 'grow' }), h('button', { type: 'button', onclick: () => ctx.reload() }, 'Refresh'));
    const chName = Object.fromEntries(chs.map((c) => [c.id, c.name]));
    root.replaceChildren(h('h1', {}, 'Clients'), form, pager(r, params, ctx, 'clients', r.clients.length),
      table([
        { label: 'Id', num: true, cell: (c) => h('a', { href: `#clients?${new URLSearchParams({ ...params, show: c.id })}`,
          onclick: guard((e) => { e.preventDefault(); return clientDetail(c.id, detail); }) }, String(c.id)) },
        { label: 'Device', cls: 'mono', cell: (c) => c.device_id },
        { label: 'Metro', cell: (c) => [metroChip(c.metro_id, c.metro), c.pinned ? h('span', { class: 'dim', title: 'pinned by the NOC' }, ' 📌') : null] },
        { label: 'State', cell: (c) => (c.banned ? pill('BANNED', 'bad') : c.live ? pill('live', 'ok') : pill('silent', 'off')) },
        { label: 'Channel', cell: (c) => (c.channel_id ? `${c.channel_id} ${chName[c.channel_id] || ''}` : '–') },
        { label: 'Group', num: true, cell: (c) => (c.group_id ? h('a', { href: `#groups?show=${c.group_id}&channel=${c.channel_id}` }, String(c.group_id)) : '–') },
        { label: 'Last seen', cell: (c) => ago(c.last_seen_ms) },
        { label: 'Actions', cls: 'actions', cell: (c) => clientActions(c, ctx, mets) },
      ], r.clients, { empty: 'No clients match.', rowAttrs: (c) => ({ 'data-client': c.id }) }), detail);
    if (params.show) await clientDetail(params.show, detail);
  },
};

// --- groups ---

function spread(g) {
  const seen = {};
  for (const m of g.members) seen[m.metro_id] = (seen[m.metro_id] || 0) + 1;
  return h('span', { class: 'spread', 'aria-hidden': 'true' },
    g.members.map((m) => h('i', { style: `background:${metroColour(m.metro_id)}`, title: m.metro })));
}

async function groupDetail(id, box) {
  const g = await get(`/groups/${id}`);
  box.replaceChildren(h('h2', {}, `Group ${g.id} of channel ${g.channel_id}, version ${g.version}`),
    table([
      { label: 'Client', cell: (m) => h('a', { href: `#clients?show=${m.client_id}` }, String(m.client_id)) },
      { label: 'Metro', cell: (m) => metroChip(m.metro_id, m.metro) },
      { label: 'Repair addresses', cls: 'mono', cell: (m) => m.addrs.join(' ') },
    ], g.members),
    h('p', { class: 'help' }, g.distinct ? 'Every member is in a different metro.' : 'Some metros repeat in this group.'));
  box.focus();
}

export const groups = {
  title: 'Groups',
  async render(root, params, ctx) {
    const q = { channel: params.channel, metro: params.metro, distinct: params.distinct, offset: params.offset, limit: PAGE };
    const [r, s, { chs, mets }] = await Promise.all([get(`/groups${query(q)}`),
      get(`/summary/groups${query({ channel: params.channel })}`), lists()]);
    const detail = h('section', { class: 'detail', id: 'group-detail', tabindex: '-1', 'aria-live': 'polite' });
    const form = h('form', { class: 'bar', onsubmit: (e) => {
      e.preventDefault();
      const fd = new FormData(e.target);
      ctx.navigate('groups', { channel: fd.get('channel'), metro: fd.get('metro'), distinct: fd.get('distinct') });
    } },
    select('gr-channel', 'channel', [['', 'all channels'], ...chs.map((c) => [c.id, `${c.id} ${c.name}`])], params.channel, 'Channel'),
    select('gr-metro', 'metro', [['', 'any metro'], ...mets.map((m) => [m.id, `${m.id} ${m.name}`])], params.metro, 'With a member in'),
    select('gr-distinct', 'distinct', [['', 'all groups'], ['1', 'all metros distinct'], ['0', 'metros repeat']], params.distinct, 'Diversity'),
    h('button', { type: 'submit' }, 'Filter'), h('span', { class: 'grow' }),
    params.channel ? h('button', { type: 'button', onclick: async () => {
      const res = await confirmDialog(`Rebuild channel ${params.channel}`, 'Regroup this channel\'s boxes from scratch?', 'Rebuild',
        () => post(`/channels/${params.channel}/rebuild`));
      if (res) { notice(`Channel ${params.channel} rebuilt: ${res.groups} groups, ${rate(res.distinct_share)} all-distinct`); ctx.reload(); }
    } }, 'Rebuild this channel') : null,
    h('button', { type: 'button', onclick: () => ctx.reload() }, 'Refresh'));
    const sizes = Object.entries(s.sizes).filter(([, n]) => n).map(([k, n]) => `${num(n)}×${k}`).join(', ') || 'none';
    root.replaceChildren(h('h1', {}, 'Groups'), form,
      h('p', { class: 'help', id: 'group-summary' }, `${num(s.groups)} groups, ${num(s.members)} members; `,
        h('b', { class: s.distinct_share < 0.99 && s.groups ? 'warn' : 'ok' }, `${rate(s.distinct_share)} with every member in a different metro`),
        `; sizes ${sizes} (target ${s.target_size}); ${num(s.open)} open.`),
      pager(r, params, ctx, 'groups', r.groups.length),
      table([
        { label: 'Id', num: true, cell: (g) => h('a', { href: '#', onclick: guard((e) => { e.preventDefault(); return groupDetail(g.id, detail); }) }, String(g.id)) },
        { label: 'Channel', num: true, key: 'channel_id' },
        { label: 'Version', num: true, key: 'version' },
        { label: 'Size', num: true, cell: (g) => g.members.length },
        { label: 'Diversity', cell: (g) => (g.distinct ? pill('distinct', 'ok') : pill('repeats', 'warn')) },
        { label: 'Metro spread', cell: (g) => {
          const count = {};
          for (const m of g.members) count[m.metro_id] = (count[m.metro_id] || 0) + 1;
          return [spread(g), ...g.members.map((m) => metroChip(m.metro_id, m.metro, count[m.metro_id] > 1))];
        } },
        { label: 'Members', cls: 'mono', cell: (g) => g.members.map((m) => m.client_id).join(', ') },
      ], r.groups, { empty: 'No groups match.', rowAttrs: (g) => ({ 'data-group': g.id }) }), detail);
    if (params.show) await groupDetail(params.show, detail);
  },
};
