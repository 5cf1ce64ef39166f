// ui.js: small DOM helpers shared by the views: an element builder, dense
// data tables, value formats, alerts, and modal forms on <dialog> (focus
// stays inside, Esc cancels, every field has a label).

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// --- formats ---
const nf = new Intl.NumberFormat('en-US');
export const num = (n) => (n === null || n === undefined ? '–' : nf.format(n));
export function rate(r) {
  if (r === null || r === undefined || !(r > 0)) return '0%';
  const p = r * 100;
  if (p >= 99.995 && p <= 100) return '100%';
  if (p >= 10) return `${p.toFixed(1)}%`;
  if (p >= 1) return `${p.toFixed(2)}%`;
  return `${p.toPrecision(2)}%`;
}
export function ago(ms) {
  if (!ms) return '–';
  const s = Math.floor((Date.now() - ms) / 1000);
  if (s <= 0) return 'now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}
export function time(ms) {
  return ms ? new Date(ms).toISOString().replace('T', ' ').replace('Z', '') : '–';
}
export function duration(s) {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor(s % 3600 / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${String(Math.floor(s % 86400 / 3600)).padStart(2, '0')}h`;
}
export function bps(b) {
  const u = ['b/s', 'kb/s', 'Mb/s', 'Gb/s'];
  let i = 0;
  b = b || 0;
  while (b >= 1000 && i < 3) { b /= 1000; i++; }
  return i ? `${b.toFixed(b < 10 ? 2 : b < 100 ? 1 : 0)} ${u[i]}` : `${Math.round(b)} ${u[0]}`;
}
// A loss rate's status: fine below 0.1 %, a warning below 1 %, bad above.
export const lossClass = (r) => (r >= 0.01 ? 'bad' : r >= 0.001 ? 'warn' : 'ok');
export const pill = (text, cls) => h('span', { class: `pill ${cls}` }, text);

// A stable colour per metro id, for chips and spread bars.
export function metroColour(id) {
  const hue = (id * 137.508) % 360;
  return `hsl(${hue.toFixed(0)} 65% 62%)`;
}

// --- tables ---
// columns: [{label, key | value(row), cell(row) -> Node|string, num: bool, cls}]
export function table(columns, rows, { empty = 'Nothing here.', caption, rowAttrs } = {}) {
  if (!rows || rows.length === 0) return h('p', { class: 'empty' }, empty);
  const head = h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)));
  const body = rows.map((r) => h('tr', rowAttrs ? rowAttrs(r) : {}, columns.map((c) => {
    const v = c.cell ? c.cell(r) : c.value ? c.value(r) : r[c.key];
    const cls = [c.num ? 'num' : '', c.cls || ''].join(' ').trim() || null;
    return h('td', { class: cls }, v === undefined || v === null ? '–' : v);
  })));
  return h('table', { class: 'data' }, caption ? h('caption', { class: 'dim' }, caption) : null,
    h('thead', {}, head), h('tbody', {}, body));
}

export function kv(obj) {
  const dl = h('dl', { class: 'kv' });
  for (const [k, v] of obj) dl.append(h('dt', {}, k), h('dd', {}, v ?? '–'));
  return dl;
}

// --- alerts ---
export function showError(err) {
  const box = document.getElementById('alerts');
  const text = err && err.describe ? err.describe() : String(err && err.message ? err.message : err);
  const close = h('button', { type: 'button', class: 'small quiet', 'aria-label': 'Dismiss' }, '✕');
  const a = h('div', { class: 'alert' }, h('span', {}, text), close);
  close.addEventListener('click', () => a.remove());
  box.append(a);
  while (box.children.length > 4) box.firstChild.remove();
}
// An event handler whose failures (an API refusal, say) are shown, not lost.
export const guard = (fn) => async (e) => {
  try { await fn(e); } catch (err) { showError(err); }
};
export function clearErrors() { document.getElementById('alerts').replaceChildren(); }
let noticeTimer = 0;
export function notice(text) {
  const n = document.getElementById('notice');
  n.textContent = text;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { n.textContent = ''; }, 4000);
}

// --- dialogs ---
// fields: [{name, label, type: text|number|select|checkbox, value, options: [[value, label]],
//           required, help, placeholder}]
// submit(values) may throw an ApiError: its message shows in the dialog,
// which stays open. Resolves with submit's result, or null when cancelled.
export function formDialog({ title, fields = [], submitLabel = 'Save', danger = false, text, submit }) {
  return new Promise((resolve) => {
    const err = h('p', { class: 'error', role: 'alert' });
    const inputs = {};
    const form = h('form', { method: 'dialog' });
    const uid = `f${Math.random().toString(36).slice(2, 8)}`;
    if (text) form.append(h('p', {}, text));
    for (const f of fields) {
      const id = `${uid}-${f.name}`;
      let input;
      if (f.type === 'select') {
        input = h('select', { id, name: f.name, required: f.required },
          f.options.map(([v, l]) => h('option', { value: v, selected: String(v) === String(f.value) }, l)));
      } else if (f.type === 'checkbox') {
        input = h('input', { id, name: f.name, type: 'checkbox', checked: !!f.value });
        form.append(h('div', { class: 'check' }, input, h('label', { for: id }, f.label)));
        inputs[f.name] = input;
        continue;
      } else {
        input = h('input', { id, name: f.name, type: f.type || 'text', required: f.required,
          placeholder: f.placeholder, min: f.min, max: f.max, value: f.value ?? '' });
      }
      inputs[f.name] = input;
      form.append(h('label', { for: id }, f.label), input);
      if (f.help) form.append(h('div', { class: 'help' }, f.help));
    }
    const cancel = h('button', { type: 'button', value: 'cancel' }, 'Cancel');
    const ok = h('button', { type: 'submit', class: danger ? 'danger' : 'primary' }, submitLabel);
    form.append(err, h('div', { class: 'buttons' }, cancel, ok));
    const dlg = h('dialog', { 'aria-labelledby': `${uid}-t` }, h('h2', { id: `${uid}-t` }, title), form);
    document.body.append(dlg);
    let done = false;
    const finish = (v) => { if (done) return; done = true; dlg.close(); dlg.remove(); resolve(v); };
    cancel.addEventListener('click', () => finish(null));
    dlg.addEventListener('cancel', (e) => { e.preventDefault(); finish(null); });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const values = {};
      for (const [k, el] of Object.entries(inputs))
        values[k] = el.type === 'checkbox' ? el.checked : el.value.trim();
      ok.disabled = true;
      err.textContent = '';
      try {
        finish(await submit(values));
      } catch (ex) {
        err.textContent = ex.describe ? ex.describe() : String(ex.message || ex);
        ok.disabled = false;
      }
    });
    dlg.showModal();
    const first = form.querySelector('input, select');
    (first || ok).focus();
  });
}

export const confirmDialog = (title, text, submitLabel, submit) =>
  formDialog({ title, text, submitLabel, danger: true, submit });

// An "id or empty" field value as a number or null.
export const idOrNull = (s) => (s === '' || s === undefined ? null : Number(s));
