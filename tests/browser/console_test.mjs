// The NOC console in headless Chromium (Debian's, driven by playwright-core):
// signs in (a wrong token first), opens every view and checks it shows the
// seeded data, moves a client to another metro and rebuilds a channel
// through the UI and checks both through the API, shows an API refusal with
// the server's message, and signs out on a 401. Any error in the page's
// console fails the test.
//
//   SIXCAST_URL=http://127.0.0.1:8080 SIXCAST_TOKEN=... SEED='{...}' node console_test.mjs
// SHOTS=DIR saves a screenshot of each view there.
// SEED (written by tests/integration/console_browser.sh): {"move_client": id,
//   "to_metro": id, "to_metro_name": "...", "rebuild_channel": id,
//   "expect": {"view": ["text", ...], ...}}
import { chromium } from 'playwright-core';

const base = process.env.SIXCAST_URL;
const admin = process.env.SIXCAST_TOKEN;
const seed = JSON.parse(process.env.SEED || '{}');
const exe = process.env.CHROMIUM || '/usr/bin/chromium';
const t0 = Date.now();
const log = (...a) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

function fail(msg) {
  console.error(`FAIL: ${msg}`);
  process.exitCode = 1;
  throw new Error(msg);
}

async function api(method, path, body) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${admin}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const j = await res.json();
  if (!res.ok) fail(`${method} ${path}: ${res.status} ${j.error}`);
  return j;
}

async function openView(page, name) {
  await page.click(`#nav a[data-view="${name}"]`);
  await page.waitForSelector(`#view[data-ready="${name}"]`, { timeout: 10000 });
  const text = await page.innerText('#view');
  for (const want of seed.expect?.[name] || [])
    if (!text.toLowerCase().includes(want.toLowerCase())) fail(`view ${name} lacks "${want}":\n${text.slice(0, 1500)}`);
  if (process.env.SHOTS) await page.screenshot({ path: `${process.env.SHOTS}/${name}.png`, fullPage: true });
  log(`view ${name}: ok`);
  return text;
}

async function signIn(page, tok) {
  await page.fill('#token', tok);
  await page.click('#login-form button[type=submit]');
}

async function main() {
  const args = ['--headless=new', '--disable-gpu', '--disable-dev-shm-usage'];
  if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
  const browser = await chromium.launch({ executablePath: exe, headless: true, args });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // A 401/409 answer is logged by Chromium as a failed resource load: those are expected here.
    if (m.type() === 'error' && !/status of (401|409)/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  try {
    await page.goto(`${base}/`);
    await page.waitForSelector('#login:not([hidden])');

    // A wrong token is refused with the server's word.
    await signIn(page, 'not-the-token');
    await page.waitForFunction(() => document.querySelector('#login-error').textContent.includes('401'));
    log('wrong token refused:', await page.textContent('#login-error'));

    await signIn(page, admin);
    await page.waitForSelector('#nav:not([hidden])');
    await page.waitForSelector('#view[data-ready="overview"]');
    if (!(await page.textContent('#who')).includes('admin:')) fail('the signed-in admin is not shown');
    log('signed in');

    for (const v of ['overview', 'channels', 'metros', 'clients', 'groups', 'edges', 'charts', 'events']) {
      await openView(page, v);
      if (v === 'charts') {
        const canvases = await page.locator('#view canvas').count();
        if (canvases !== seed.charts) fail(`charts: ${canvases} canvases, wanted ${seed.charts}`);
      }
    }

    // Move a client to another metro through the clients view.
    const cid = seed.move_client;
    await openView(page, 'clients');
    await page.click(`tr[data-client="${cid}"] button:has-text("Move")`);
    await page.selectOption('dialog select[name="metro"]', String(seed.to_metro));
    await page.click('dialog button[type=submit]');
    await page.waitForFunction((id) => document.querySelector('#notice').textContent.includes(`Client ${id} moved`), cid);
    const moved = await api('GET', `/clients/${cid}`);
    if (moved.metro_id !== seed.to_metro || !moved.pinned) fail(`client ${cid} not moved: ${JSON.stringify(moved)}`);
    await page.waitForSelector(`#view[data-ready="clients"] tr[data-client="${cid}"]`);
    const row = await page.innerText(`tr[data-client="${cid}"]`);
    if (!row.includes(seed.to_metro_name)) fail(`the clients view does not show the new metro: ${row}`);
    log(`client ${cid} moved to metro ${seed.to_metro_name}`);

    // Rebuild a channel's groups through the channels view.
    const ch = seed.rebuild_channel;
    const before = (await api('GET', `/events?type=channel.rebuild&subject=channel:${ch}`)).events.length;
    await openView(page, 'channels');
    await page.click(`tr[data-channel="${ch}"] button:has-text("Rebuild")`);
    await page.click('dialog button[type=submit]');
    await page.waitForFunction((id) => document.querySelector('#notice').textContent.includes(`Channel ${id} rebuilt`), ch);
    const after = (await api('GET', `/events?type=channel.rebuild&subject=channel:${ch}`)).events;
    if (after.length !== before + 1 || after[0].actor !== 'admin:noc') fail(`no rebuild event: ${JSON.stringify(after)}`);
    log(`channel ${ch} rebuilt`);

    // A refused change shows the server's message in the dialog, which stays open.
    await page.click('#view button:has-text("Add channel")');
    await page.fill('dialog input[name="id"]', String(ch));
    await page.fill('dialog input[name="name"]', 'Duplicate');
    await page.click('dialog button[type=submit]');
    await page.waitForFunction(() => /409/.test(document.querySelector('dialog .error')?.textContent || ''));
    log('refusal shown:', await page.textContent('dialog .error'));
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog', { state: 'detached' });
    if ((await api('GET', '/channels')).some((c) => c.name === 'Duplicate')) fail('the refused channel exists');

    // A token the server no longer takes signs the console out with a clear message.
    await page.evaluate(() => sessionStorage.setItem('sixcast.admin_token', 'revoked-token'));
    await page.click('#nav a[data-view="metros"]');
    await page.waitForSelector('#login:not([hidden])');
    const msg = await page.textContent('#login-error');
    if (!/401/.test(msg)) fail(`no 401 message after a refused token: "${msg}"`);
    log('401 signs out:', msg);

    if (problems.length) fail(`errors in the page:\n${problems.join('\n')}`);
    log('console_test: all checks passed');
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  if (!process.exitCode) console.error(e);
  process.exitCode = 1;
});
