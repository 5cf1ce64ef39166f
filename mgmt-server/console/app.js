// app.js: the console's shell: sign-in with the admin token, the hash
// router (#view?key=value, so every view and page is linkable), the nav
// and the refresh timer of the live views.

import { call, token, setUnauthorizedHandler } from './api.js';
import { showError, clearErrors, h } from './ui.js';
import { views } from './views.js';

const $ = (id) => document.getElementById(id);
let timer = 0;
let current = null; // {name, view, params}
let generation = 0;

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || 'overview';
  const [name, qs] = raw.split('?');
  return { name: views[name] ? name : 'overview', params: Object.fromEntries(new URLSearchParams(qs || '')) };
}

export function navigate(name, params = {}) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v !== undefined && v !== null));
  const hash = `#${name}${q.toString() ? `?${q}` : ''}`;
  if (location.hash === hash) route();
  else location.hash = hash;
}

async function route() {
  if (!token.get()) return showLogin();
  clearTimeout(timer);
  if (current && current.view.stop) current.view.stop();
  const { name, params } = parseHash();
  const view = views[name];
  const gen = ++generation;
  current = { name, view, params };
  for (const a of document.querySelectorAll('#nav a'))
    if (a.dataset.view === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  document.title = `${view.title} · sixcast NOC`;
  const root = $('view');
  root.replaceChildren(h('p', { class: 'dim' }, 'Loading…'));
  root.dataset.view = name;
  delete root.dataset.ready; // set again once this render is complete
  const t0 = performance.now();
  try {
    await view.render(root, params, { navigate, reload: () => route() });
    root.dataset.ready = name;
    performance.mark(`sixcast:ready:${name}`); // read by tests/browser/console_bench.mjs
    $('status-line').textContent = `${view.title} loaded in ${Math.round(performance.now() - t0)} ms`;
  } catch (e) {
    if (gen === generation) {
      root.replaceChildren(h('p', { class: 'empty' }, `Could not load ${view.title}.`));
      if (e.status !== 401) showError(e);
    }
  }
  if (view.refreshMs) schedule(view, root, params, gen);
}

function schedule(view, root, params, gen) {
  timer = setTimeout(async () => {
    if (gen !== generation || !token.get()) return;
    try {
      if (!document.hidden) await view.refresh(root, params);
    } catch (e) {
      if (e.status !== 401) showError(e);
    }
    if (gen === generation) schedule(view, root, params, gen);
  }, view.refreshMs);
}

function showLogin(message) {
  clearTimeout(timer);
  generation++;
  $('nav').hidden = true;
  $('logout').hidden = true;
  $('who').textContent = '';
  $('view').replaceChildren();
  $('login').hidden = false;
  $('login-error').textContent = message || '';
  $('token').value = '';
  $('token').focus();
}

async function signIn(tok) {
  const who = await call('GET', '/whoami', undefined, tok);
  if (who.role !== 'admin') throw new Error(`this is a ${who.role} token; the console needs an admin token`);
  token.set(tok);
  return who;
}

function showApp(who) {
  $('login').hidden = true;
  $('nav').hidden = false;
  $('logout').hidden = false;
  $('who').textContent = who.actor;
  route();
}

setUnauthorizedHandler((err) => {
  token.clear();
  showLogin(`Signed out: the server refused the token (HTTP 401: ${err.message}). Sign in again.`);
});

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const tok = $('token').value.trim();
  $('login-error').textContent = '';
  try {
    showApp(await signIn(tok));
  } catch (err) {
    $('login-error').textContent = err.status === 401
      ? `The server refused this token (HTTP 401: ${err.message}).`
      : (err.describe ? err.describe() : err.message);
  }
});
$('logout').addEventListener('click', () => { token.clear(); clearErrors(); showLogin('Signed out.'); });
window.addEventListener('hashchange', () => { if (token.get()) route(); });

(async () => {
  const tok = token.get();
  if (!tok) return showLogin();
  try {
    showApp(await signIn(tok));
  } catch (err) {
    token.clear();
    showLogin(err.status === 401 ? 'The saved token is no longer valid; sign in again.' : (err.describe ? err.describe() : err.message));
  }
})();
