// The NOC console's timings in headless Chromium (tests/bench/console_bench.sh
// fills the store first): first paint and overview ready on a fresh load,
// the clients view's first page, paging (next page, a page near the end,
// a filtered page) and the groups view. Each figure is the median (and
// max) of RUNS tries, read from the page's own clock (performance marks
// the console sets when a view has rendered its data).
//
//   SIXCAST_URL=... SIXCAST_TOKEN=... RUNS=7 node console_bench.mjs
import { chromium } from 'playwright-core';

const base = process.env.SIXCAST_URL;
const tok = process.env.SIXCAST_TOKEN;
const runs = Number(process.env.RUNS || 7);
const exe = process.env.CHROMIUM || '/usr/bin/chromium';

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const fmt = (name, a) => console.log(`${name.padEnd(44)} median ${median(a).toFixed(0).padStart(5)} ms   max ${Math.max(...a).toFixed(0).padStart(5)} ms   (${a.length} runs)`);

// Navigate (hash change) and time until the view has rendered, in page ms.
async function timeView(page, hash, name) {
  return page.evaluate(([h, n]) => new Promise((resolve, reject) => {
    const t0 = performance.now();
    performance.clearMarks(`sixcast:ready:${n}`);
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        if (e.name === `sixcast:ready:${n}`) { obs.disconnect(); resolve(e.startTime - t0); }
    });
    obs.observe({ entryTypes: ['mark'] });
    setTimeout(() => reject(new Error(`${n} not ready in 30 s`)), 30000);
    location.hash = h;
  }), [hash, name]);
}

async function main() {
  const args = ['--headless=new', '--disable-gpu', '--disable-dev-shm-usage'];
  if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
  const browser = await chromium.launch({ executablePath: exe, headless: true, args });
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await ctx.addInitScript((t) => sessionStorage.setItem('sixcast.admin_token', t), tok);
  const total = (await (await fetch(`${base}/api/v1/summary`, { headers: { Authorization: `Bearer ${tok}` } })).json()).clients.registered;
  console.log(`== NOC console, ${total} boxes in the store, Chromium headless, ${runs} runs each`);

  const fcp = [], ready = [], clients1 = [];
  for (let i = 0; i < runs; i++) {
    const page = await ctx.newPage();
    await page.goto(`${base}/#overview`);
    await page.waitForSelector('#view[data-ready="overview"]', { timeout: 30000 });
    const m = await page.evaluate(() => ({
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
      ready: performance.getEntriesByName('sixcast:ready:overview')[0]?.startTime,
    }));
    fcp.push(m.fcp);
    ready.push(m.ready);
    await page.close();
  }
  fmt('first contentful paint (fresh load)', fcp);
  fmt('overview with data (fresh load)', ready);

  const page = await ctx.newPage();
  await page.goto(`${base}/#overview`);
  await page.waitForSelector('#view[data-ready="overview"]');
  const next = [], far = [], filtered = [], groups = [];
  for (let i = 0; i < runs; i++) {
    clients1.push(await timeView(page, `#clients?r=${i}`, 'clients'));
    next.push(await timeView(page, `#clients?offset=${(i + 1) * 100}`, 'clients'));
    far.push(await timeView(page, `#clients?offset=${total - 100 - i * 100}`, 'clients'));
    filtered.push(await timeView(page, `#clients?metro=${(i % 10) + 1}&live=1&offset=${i * 100}`, 'clients'));
    groups.push(await timeView(page, `#groups?r=${i}`, 'groups'));
  }
  const rows = await page.locator('tr[data-group]').count();
  fmt('clients view, first page (100 rows)', clients1);
  fmt('clients view, next page', next);
  fmt(`clients view, a page near the end (offset ~${total - 100})`, far);
  fmt('clients view, metro + live filter, a page', filtered);
  fmt(`groups view, first page (${rows} rows)`, groups);
  await browser.close();
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
