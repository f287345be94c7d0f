// The bettor's page in real Chromium against the real worker on local workerd (`wrangler dev` serving
// www/dist as static assets), loopback only. Run with `npm test -w www` (builds the page first).
// Screenshots of the match view and the bet slip go to artifacts/www/ (git-ignored).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { payout } from '@inplay/engine/live';

import { launch } from './browser.mjs';
import { Api, Feed, PageServer, ROOT, sleep, testVars, until } from './server.mjs';

const ARTIFACTS = join(ROOT, 'artifacts', 'www');
mkdirSync(ARTIFACTS, { recursive: true });

const BET_DELAY_MS = 2500;
const COOL_OFF_MS = 1500;

let server;
let api;
let browser;
const vars = testVars();

/** A match whose timing suits the tests; the feed watchdog is out of the way unless a test wants it. */
function opening(eventId, { home = 'Arsenal', away = 'Chelsea', params = { home_xg: 1.6, away_xg: 1.1 } } = {}) {
  return {
    event_id: eventId,
    fixture: { home, away, kickoff_ms: Date.now() },
    params,
    trading: { bet_delay_ms: BET_DELAY_MS },
    // The tests jump the match clock (late-game pricing, full time) faster than real time.
    config: { cool_off_ms: COOL_OFF_MS, confirm_window_ms: 400, stale_after_ms: 600_000, max_clock_drift_ms: 10_000_000 },
  };
}

/** Opens a match and kicks it off from both sources; returns its feed. */
async function liveMatch(id, opts) {
  const r = await api.request('POST', '/v1/events', { body: opening(id, opts), headers: api.admin() });
  assert.equal(r.status, 201, r.text);
  const feed = new Feed(api, id);
  await feed.both('kickoff');
  return feed;
}

/** A page signed in as `user`, recording the frames of its live sockets. */
async function openPage(user, hash, query = {}) {
  const page = await browser.context.newPage();
  const sockets = [];
  page.on('websocket', (ws) => {
    const s = { url: ws.url(), frames: [], closed: false };
    sockets.push(s);
    ws.on('framereceived', (f) => {
      const kind = typeof f.payload === 'string' ? 'text' : f.payload[0];
      s.frames.push({ kind, at: Date.now() });
    });
    ws.on('close', () => { s.closed = true; });
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const q = new URLSearchParams(query);
  if (user) q.set('token', api.token(user));
  await page.goto(`${server.base}/${q.size ? `?${q}` : ''}#${hash}`);
  return { page, sockets, errors };
}

const FRAME = { snapshot: 1, delta: 2, heartbeat: 3, bet: 4 };
const framesOf = (sockets, kind, since = 0) => sockets.flatMap((s) => s.frames).filter((f) => f.kind === kind && f.at >= since);

/** Offered prices shown on the board, by market/selection. */
async function boardPrices(page) {
  return page.$$eval('.market .price', (els) =>
    Object.fromEntries(els.map((e) => [`${e.dataset.market}/${e.dataset.selection}`, e.querySelector('.odds').textContent])),
  );
}

async function waitForPrices(page) {
  await page.waitForFunction(() => /^\d+\.\d{2}$/.test(document.querySelector('.market[data-market="1x2"] .price .odds')?.textContent ?? ''), null, { timeout: 15_000 });
}

before(async () => {
  server = await new PageServer({ vars }).start();
  api = new Api(server);
  browser = await launch();
  console.log(`# wrangler dev ready in ${server.startupMs} ms on ${server.base}`);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  server?.cleanup();
});

describe('the bettor\'s page', () => {
  it('loads and shows prices: match list with headline prices, then every market grouped', async () => {
    await liveMatch('p1');
    const { page, errors } = await openPage('alice', '/');
    const row = page.locator('.match-row[data-event="p1"]');
    await row.waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => document.querySelectorAll('.match-row[data-event="p1"] .hp').length === 3);
    const headline = await row.locator('.hp').allTextContents();
    assert.equal(headline.length, 3);
    for (const t of headline) assert.match(t, /^[12X]\d+\.\d{2}$/, `headline price ${t}`);
    assert.match(await row.textContent(), /Arsenal.*Chelsea/);

    await row.locator('a').click();
    await waitForPrices(page);
    const groups = await page.$$eval('.group', (gs) => gs.map((g) => g.dataset.group));
    assert.deepEqual(groups, ['result', 'goals', 'handicaps', 'correct_score', 'next_goal', 'halves']);
    const prices = await boardPrices(page);
    assert.ok(Object.keys(prices).length > 50, `every market: ${Object.keys(prices).length} selections`);
    assert.match(prices['1x2/home'], /^\d+\.\d{2}$/);
    assert.equal(await page.textContent('#conn .text'), 'Live');
    assert.match(await page.textContent('#region'), /^Served from [a-z]+ · shard \d+$/);

    // Collapsible groups, from the keyboard too.
    const toggle = page.locator('.group[data-group="correct_score"] .group-toggle');
    await toggle.focus();
    await page.keyboard.press('Enter');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    assert.equal(await page.isHidden('#group-correct_score'), true);
    await page.keyboard.press('Space');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');

    // Arrow keys move between prices as laid out.
    await page.focus('.market[data-market="1x2"] .price[data-selection="home"]');
    const focused = () => page.evaluate(() => `${document.activeElement?.dataset.market}/${document.activeElement?.dataset.selection}`);
    await page.keyboard.press('ArrowRight');
    assert.equal(await focused(), '1x2/draw');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await focused(), '1x2/home');
    await page.keyboard.press('ArrowDown');
    assert.match(await focused(), /^(draw_no_bet|rest_of_match)\//, 'down lands in the row below');

    // Odds format switch, remembered across a reload.
    await page.selectOption('#odds-format', 'fractional');
    await page.waitForFunction(() => /^\d+\/\d+$/.test(document.querySelector('.market[data-market="1x2"] .price .odds')?.textContent ?? ''));
    await page.reload();
    await page.waitForFunction(() => /^\d+\/\d+$/.test(document.querySelector('.market[data-market="1x2"] .price .odds')?.textContent ?? ''), null, { timeout: 15_000 });
    await page.selectOption('#odds-format', 'american');
    await page.waitForFunction(() => /^[+-]\d+$/.test(document.querySelector('.market[data-market="1x2"] .price .odds')?.textContent ?? ''));
    await page.selectOption('#odds-format', 'decimal');
    await waitForPrices(page);
    await page.screenshot({ path: join(ARTIFACTS, 'match-view.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('reprices on its own: prices change over a few seconds with no server update, and flash', async () => {
    // Late in a goal-rich match the prices move fastest with the clock.
    const feed = await liveMatch('p2', { home: 'Liverpool', away: 'Everton', params: { home_xg: 2.4, away_xg: 2.0 } });
    feed.clockMs = 2_760_000;
    await feed.both('period_end', { period: 1 });
    feed.clockMs = 2_700_000;
    await feed.both('period_start', { period: 2 });
    feed.clockMs = 5_220_000;
    await feed.both('clock', { running: true });
    const { page, sockets, errors } = await openPage('alice', '/match/p2');
    await waitForPrices(page);
    // Wait for the period-end cool-off to lift so every market is open.
    await page.waitForFunction(() => document.querySelector('.banner')?.hidden === true, null, { timeout: 10_000 });
    const clock0 = await page.textContent('.scoreboard .clock');
    const before = await boardPrices(page);
    const t0 = Date.now();
    let changed = [];
    let flashed = false;
    await until(async () => {
      flashed ||= (await page.$$('.price.up .move, .price.down .move')).length > 0;
      const now = await boardPrices(page);
      changed = Object.keys(now).filter((k) => now[k] !== before[k] && before[k] !== '—' && now[k] !== '—');
      return changed.length > 0 && flashed;
    }, { timeoutMs: 15_000, everyMs: 150, what: 'a price to move on its own' });
    assert.deepEqual(framesOf(sockets, FRAME.delta, t0), [], 'no delta arrived while the prices moved');
    assert.deepEqual(framesOf(sockets, FRAME.snapshot, t0), [], 'no snapshot either');
    assert.ok(changed.length > 0, `moved: ${changed.join(', ')}`);
    const arrows = await page.$$eval('.price.up .move, .price.down .move', (els) => els.map((e) => e.textContent));
    assert.ok(arrows.every((a) => a === '▲' || a === '▼'), `arrows ${arrows}`);
    assert.notEqual(await page.textContent('.scoreboard .clock'), clock0, 'the clock ticks');
    console.log(`# ${changed.length} prices moved within ${Date.now() - t0} ms, no server update`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('shows a goal as a suspension overlay within 1 s, then the reopened prices after the cool-off', async () => {
    const feed = await liveMatch('p3');
    feed.clockMs = 600_000;
    const { page, errors } = await openPage('alice', '/match/p3');
    await waitForPrices(page);
    await page.waitForFunction(() => document.querySelector('.banner')?.hidden === true);
    const overlay = page.locator('.market[data-market="1x2"] .overlay');
    assert.equal(await overlay.isHidden(), true);

    const t0 = Date.now();
    await feed.send('primary', 'goal', { team: 'home' });
    await overlay.waitFor({ state: 'visible', timeout: 1000 });
    const shownMs = Date.now() - t0;
    assert.ok(shownMs <= 1000, `overlay after ${shownMs} ms`);
    assert.equal((await overlay.textContent()).trim(), 'Goal — Arsenal');
    assert.match(await page.textContent('.banner'), /Betting suspended — Goal — Arsenal/);
    assert.equal(await page.getAttribute('.market[data-market="1x2"] .price', 'aria-disabled'), 'true');
    await page.waitForFunction(() => document.querySelector('#announce-alert')?.textContent === 'Betting suspended: Goal — Arsenal');
    console.log(`# suspension overlay shown ${shownMs} ms after the goal was posted`);
    await page.screenshot({ path: join(ARTIFACTS, 'suspended.png') });

    await feed.send('backup', 'goal', { team: 'home' });
    await overlay.waitFor({ state: 'hidden', timeout: COOL_OFF_MS + 5000 });
    await waitForPrices(page);
    assert.equal(await page.getAttribute('.market[data-market="1x2"] .price', 'aria-disabled'), null);
    assert.equal((await page.textContent('.scoreboard .score')).trim(), '1 : 0');
    assert.match(await page.textContent('.scoreboard .goals'), /^Arsenal \d+'$/);
    await page.waitForFunction(() => document.querySelector('#announce-polite')?.textContent === 'Betting open again.');
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('bets', () => {
  let feed;
  let page;
  let sockets;
  let errors;

  before(async () => {
    feed = await liveMatch('b1');
    feed.clockMs = 300_000;
    ({ page, sockets, errors } = await openPage('alice', '/match/b1'));
    await waitForPrices(page);
  });

  after(async () => {
    await page?.close();
  });

  async function addHomeToSlip() {
    // From the keyboard: focus the price, press Enter; focus moves to the stake box.
    await page.focus('.market[data-market="1x2"] .price[data-selection="home"]');
    await page.keyboard.press('Enter');
    const item = page.locator('.slip-item[data-market="1x2"][data-selection="home"]').last();
    await item.waitFor();
    return item;
  }

  it('a bet goes pending with a countdown, then accepted; stakes are checked before sending', async () => {
    const item = await addHomeToSlip();
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('stake')), true, 'focus moved to the stake');
    assert.equal(await page.getAttribute('.market[data-market="1x2"] .price[data-selection="home"]', 'aria-pressed'), 'true');
    await page.keyboard.type('0.05');
    await until(async () => (await item.locator('.note').textContent()) === 'The minimum stake is £0.10.', { what: 'min stake note' });
    assert.equal(await page.isDisabled('.slip .place'), true);
    await item.locator('.stake').fill('5');
    // With any price accepted, the slip's price is the one the bet would take: the return shown is the
    // engine's payout at it, to the penny (read together: the price moves with the clock).
    await page.check('input[name="odds-policy"][value="any"]');
    const gbp = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });
    await until(async () => {
      const [price, shown] = await item.evaluate((el) => [el.querySelector('.slip-price').textContent, el.querySelector('.return').textContent]);
      const pence = payout('won', 500, Number(price));
      return shown === `Potential return ${gbp.format(`${(pence - (pence % 100)) / 100}.${String(pence % 100).padStart(2, '0')}`)}`;
    }, { what: 'potential return = the engine\'s payout' });
    await page.screenshot({ path: join(ARTIFACTS, 'bet-slip.png') });

    const t0 = Date.now();
    await item.locator('.stake').press('Enter');
    await until(async () => /^Pending — confirming in \d+\.\d s$/.test(await item.locator('.state').textContent()), { timeoutMs: 5000, what: 'pending countdown' });
    assert.equal(await item.getAttribute('data-phase'), 'pending');
    await page.screenshot({ path: join(ARTIFACTS, 'bet-slip-pending.png') });
    await until(async () => (await item.getAttribute('data-phase')) === 'accepted', { timeoutMs: BET_DELAY_MS + 5000, what: 'accepted' });
    const waited = Date.now() - t0;
    assert.ok(waited >= BET_DELAY_MS - 300, `decided after the delay (${waited} ms)`);
    assert.match(await item.locator('.state').textContent(), /^✓ Bet accepted: £5\.00 on Arsenal at \d+\.\d{2}$/);
    assert.ok(framesOf(sockets, FRAME.bet).length >= 1, 'the decision came over the socket');
    await page.waitForFunction(() => document.querySelector('#announce-polite')?.textContent?.startsWith('Bet accepted'));
    const bet = page.locator('.my-bets .bet').first();
    await until(async () => (await bet.locator('.bet-status').textContent()) === 'Accepted', { what: 'my bets: accepted' });
    assert.match(await bet.textContent(), /Arsenal.*Match result.*£5\.00 at \d+\.\d{2}/);
    await page.screenshot({ path: join(ARTIFACTS, 'bet-slip-accepted.png') });
    assert.deepEqual(errors, []);
  });

  it('a bet rejected by a goal inside the delay shows its reason', async () => {
    await page.click('.slip-item[data-phase="accepted"] .remove');
    const item = await addHomeToSlip();
    await page.keyboard.type('2.50');
    await until(async () => !(await page.isDisabled('.slip .place')), { what: 'place enabled' });
    await page.keyboard.press('Enter');
    await until(async () => (await item.getAttribute('data-phase')) === 'pending', { timeoutMs: 5000, what: 'pending' });
    await feed.both('goal', { team: 'away' });
    await until(async () => (await item.getAttribute('data-phase')) === 'rejected', { timeoutMs: BET_DELAY_MS + 5000, what: 'rejected' });
    assert.equal(await item.locator('.state').textContent(), 'Rejected — The market was suspended before your bet could be confirmed.');
    await page.waitForFunction(() => /^Bet rejected: Arsenal\. The market was suspended/.test(document.querySelector('#announce-alert')?.textContent ?? ''));
    await until(async () => /Rejected — The market was suspended/.test(await page.locator('.my-bets .bet').first().textContent()), { what: 'my bets: rejected' });
    await page.screenshot({ path: join(ARTIFACTS, 'bet-slip-rejected.png') });
    assert.deepEqual(errors, []);
  });

  it('killing and restarting the dev server: reconnecting, then live again with no lost state', async () => {
    await page.waitForFunction(() => document.querySelector('.banner')?.hidden === true, null, { timeout: 10_000 });
    const score = await page.textContent('.scoreboard .score');
    const myBets = await page.locator('.my-bets .bet .bet-status').allTextContents();
    assert.deepEqual(myBets.sort(), ['Accepted', 'Rejected — The market was suspended before your bet could be confirmed.'].sort());
    const socketsBefore = sockets.length;

    await server.stop();
    await page.waitForFunction(() => document.querySelector('#conn')?.dataset.status === 'reconnecting', null, { timeout: 10_000 });
    assert.equal(await page.textContent('#conn .text'), 'Reconnecting');
    await page.screenshot({ path: join(ARTIFACTS, 'reconnecting.png') });
    // Prices stay on screen, dimmed, while the page waits.
    assert.match(await page.textContent('.market[data-market="1x2"] .price .odds'), /^\d+\.\d{2}$/);

    await server.start();
    console.log(`# restarted in ${server.startupMs} ms`);
    await page.waitForFunction(() => document.querySelector('#conn')?.dataset.status === 'live', null, { timeout: 30_000 });
    const resumed = sockets.slice(socketsBefore).find((s) => s.frames.length > 0);
    assert.ok(resumed, 'a new socket carried frames');
    assert.match(resumed.url, /[?&]since=\d+%3A\d+|[?&]since=\d+:\d+/, `resumed with since: ${resumed.url}`);
    assert.equal(resumed.frames.filter((f) => f.kind === FRAME.snapshot).length, 0, 'resumed, not re-snapshotted');
    assert.equal(await page.textContent('.scoreboard .score'), score);
    assert.deepEqual((await page.locator('.my-bets .bet .bet-status').allTextContents()).sort(), myBets.sort());
    await waitForPrices(page);

    // The stream goes on where it left off.
    feed.clockMs = 900_000;
    await feed.send('primary', 'goal', { team: 'home' });
    await page.locator('.market[data-market="1x2"] .overlay').waitFor({ state: 'visible', timeout: 2000 });
    assert.match(await page.textContent('.banner'), /Goal — Arsenal/);
    await feed.send('backup', 'goal', { team: 'home' });
    await page.waitForFunction(() => document.querySelector('.scoreboard .score')?.textContent === '1 : 1', null, { timeout: 5000 });
    assert.deepEqual(errors.filter((e) => !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/.test(e)), []);
  });

  it('settles: at full time my bets show the result, here and on the bets page', async () => {
    for (const [clockMs, kind, extra] of [[2_760_000, 'period_end', { period: 1 }], [2_700_000, 'period_start', { period: 2 }], [5_700_000, 'match_end', {}]]) {
      feed.clockMs = clockMs;
      await feed.both(kind, extra);
    }
    await page.waitForFunction(() => document.querySelector('.scoreboard .clock')?.textContent === 'FT', null, { timeout: 5000 });
    // 1-1: the bet on Arsenal to win lost; the rejected one never stood.
    const statuses = async () => (await page.locator('.my-bets .bet .bet-status').allTextContents()).sort();
    await until(async () => (await statuses()).includes('Lost'), { timeoutMs: 10_000, what: 'settlement on the match page' });
    assert.deepEqual(await statuses(), ['Lost', 'Rejected — The market was suspended before your bet could be confirmed.']);
    assert.equal(await page.locator('.market .overlay:not([hidden])').count() > 0, true, 'settled markets are marked');
    await page.click('nav a[href="#/bets"]');
    await page.locator('.bets-page .bet').first().waitFor();
    assert.deepEqual((await page.locator('.bets-page .bet .bet-status').allTextContents()).sort(), ['Lost', 'Rejected — The market was suspended before your bet could be confirmed.']);
    assert.match(await page.locator('.bets-page .bet').first().textContent(), /Match result · Arsenal v Chelsea/);
    await page.screenshot({ path: join(ARTIFACTS, 'my-bets.png') });
  });
});

describe('phone', () => {
  it('fits a phone screen: one column, the slip as a bottom sheet', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.base}/#/match/p1`);
    await waitForPrices(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scroll (${overflow}px)`);
    assert.equal(await page.isVisible('.slip-toggle'), true);
    await page.click('.market[data-market="1x2"] .price[data-selection="draw"]');
    assert.match(await page.textContent('.slip-toggle'), /Bet slip \(1\)/);
    await page.screenshot({ path: join(ARTIFACTS, 'phone-match.png') });
    await page.click('.slip-toggle');
    await page.locator('.aside.open').waitFor();
    await page.waitForTimeout(300); // the sheet slides in
    await page.screenshot({ path: join(ARTIFACTS, 'phone-slip.png') });
    await page.keyboard.press('Escape');
    await page.locator('.aside.open').waitFor({ state: 'detached' });
    await page.close();
  });
});

describe('a silent connection', () => {
  it('shows as stale, then reconnects and is live again', async () => {
    // `?stale=` shortens the page's silence bound; the relay heartbeats every second in these tests.
    const { page } = await openPage(null, '/match/p1', { stale: '2500' });
    await waitForPrices(page);
    await page.waitForFunction(() => document.querySelector('#conn')?.dataset.status === 'live');
    // Freeze the whole dev server: the socket stays open but nothing arrives.
    process.kill(-server.proc.pid, 'SIGSTOP');
    try {
      await page.waitForFunction(() => document.querySelector('#conn')?.dataset.status === 'stale', null, { timeout: 8000 });
      assert.equal(await page.textContent('#conn .text'), 'Stale');
      assert.equal(await page.evaluate(() => document.querySelector('.match')?.dataset.conn), 'stale');
      await page.screenshot({ path: join(ARTIFACTS, 'stale.png') });
    } finally {
      process.kill(-server.proc.pid, 'SIGCONT');
    }
    await page.waitForFunction(() => document.querySelector('#conn')?.dataset.status === 'live', null, { timeout: 20_000 });
    await waitForPrices(page);
    await page.close();
  });
});
