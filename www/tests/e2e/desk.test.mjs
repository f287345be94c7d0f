// The trading desk (`#/desk`) in real Chromium against the real worker on local workerd: sign-in with
// the admin token, the match list, a discrepancy raised by two disagreeing feeds and resolved from
// the desk, exposure bars that move with bets, an alert within a second of a source going silent,
// refusals shown to the operator, and a tennis match (its scoreboard, the book by result in sets,
// its own actions, disagreeing points resolved). Screenshots go to artifacts/www/desk-*.png
// (git-ignored).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { launch } from './browser.mjs';
import { Api, Feed, PageServer, ROOT, TennisFeed, sleep, testVars, until } from './server.mjs';

const ARTIFACTS = join(ROOT, 'artifacts', 'www');
mkdirSync(ARTIFACTS, { recursive: true });

const COOL_OFF_MS = 1500;
/** The desk raises `source_silent` after this much silence from one source while the other speaks. */
const SILENT_MS = 1500;

let server;
let api;
let browser;
const vars = testVars({ ALERT_SILENT_MS: String(SILENT_MS) });

/** Opens a match and kicks it off from both sources; returns its feed, whose clock runs from now. */
async function liveMatch(id, { home = 'Arsenal', away = 'Chelsea', trading = {} } = {}) {
  const opening = {
    event_id: id,
    fixture: { home, away, kickoff_ms: Date.now() },
    params: { home_xg: 1.6, away_xg: 1.1 },
    trading: { bet_delay_ms: 0, ...trading },
    config: { cool_off_ms: COOL_OFF_MS, confirm_window_ms: 400, stale_after_ms: 600_000 },
  };
  const r = await api.request('POST', '/v1/events', { body: opening, headers: api.admin() });
  assert.equal(r.status, 201, r.text);
  const feed = new Feed(api, id);
  const kickoff = Date.now();
  const send = feed.send.bind(feed);
  // Each message carries the real match clock, as a provider's does.
  feed.send = (source, kind, extra) => {
    feed.clockMs = Date.now() - kickoff;
    return send(source, kind, extra);
  };
  await feed.both('kickoff');
  return feed;
}

/** A page on the desk, signed in with the admin token (kept by the tab, never in the address). */
async function openDesk(hash = '/desk') {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${server.base}/#${hash}`);
  await page.fill('#desk-token', vars.ADMIN_TOKEN);
  await page.click('.desk-signin button[type=submit]');
  await page.waitForSelector('.desk-bar', { timeout: 15_000 });
  assert.ok(!page.url().includes(vars.ADMIN_TOKEN), 'the token is never in the address');
  return { page, errors };
}

/** Waits for the desk of `id` to show its first view. */
async function deskReady(page, id) {
  await page.waitForSelector(`.desk-match[data-event="${id}"] .desk-body:not([hidden])`, { timeout: 15_000 });
}

/** The API's answer for a bet on 1x2 home at the price offered now. */
async function betHome(id, user, key, stake) {
  const e = (await api.request('GET', `/v1/events/${id}`)).json;
  const odds = e.prices.markets.find((m) => m.key === '1x2').selections.find((s) => s.key === 'home').odds;
  const bet = { market: '1x2', selection: 'home', stake, price: odds, seen_version: e.version, policy: 'any' };
  const r = await api.request('POST', `/v1/events/${id}/bets`, { body: bet, headers: { authorization: `Bearer ${api.token(user)}`, 'idempotency-key': key } });
  assert.equal(r.json?.status, 'accepted', r.text);
  return { odds, decision: r.json };
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

describe('the trading desk', () => {
  it('signs in with the admin token only, and lists the matches with their state', async () => {
    const feed = await liveMatch('dl1', { home: 'Leeds', away: 'Fulham' });
    await feed.both('goal', { team: 'away' });
    const page = await browser.context.newPage();
    await page.goto(`${server.base}/#/desk`);
    // The bettor's shell does not fetch the desk until asked.
    await page.fill('#desk-token', 'not-the-admin-token');
    await page.click('.desk-signin button[type=submit]');
    await page.waitForFunction(() => /refused this token \(admin_forbidden\)/.test(document.querySelector('#desk-token-error')?.textContent ?? ''));
    assert.equal(await page.getAttribute('#desk-token', 'aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'desk-token', 'focus back on the token');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('inplay.admin')), null, 'a refused token is not kept');

    await page.fill('#desk-token', vars.ADMIN_TOKEN);
    await page.click('.desk-signin button[type=submit]');
    const row = page.locator('.matches-table tr[data-event="dl1"]');
    await row.waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => document.querySelector('.matches-table tr[data-event="dl1"] td')?.textContent === '0–1');
    assert.match(await row.textContent(), /Leeds v Fulham.*0–1.*1st half.*Goal — Fulham/);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('inplay.admin')), vars.ADMIN_TOKEN, 'kept for this tab');
    // Opening a match from the list: its desk, live.
    await row.locator('a').click();
    await deskReady(page, 'dl1');
    assert.equal(await page.textContent('.desk-head h1'), 'Leeds v Fulham');
    await page.waitForFunction(() => document.querySelector('#conn')?.dataset.status === 'live');
    await page.close();
  });

  it('a discrepancy raised by two disagreeing feeds is resolved from the desk: markets reopen, the log shows it', async () => {
    const feed = await liveMatch('dd1');
    const { page, errors } = await openDesk('/desk/dd1');
    await deskReady(page, 'dd1');
    assert.equal(await page.textContent('.alerts .no-alerts'), 'No alerts.');

    // The primary says 0-0, the backup 0-1: past the window the sources disagree.
    const alert = page.locator('.alert[data-kind="source_discrepancy"]');
    await until(async () => {
      await feed.send('primary', 'heartbeat', { score: { home: 0, away: 0 } });
      await feed.send('backup', 'heartbeat', { score: { home: 0, away: 1 } });
      await sleep(250);
      return (await alert.count()) > 0;
    }, { timeoutMs: 15_000, what: 'the discrepancy alert on the desk' });
    await page.waitForFunction(() => /New alert: Sources disagree/.test(document.querySelector('#announce-alert')?.textContent ?? ''));
    assert.match(await alert.textContent(), /Sources disagree.*since \d{2}:\d{2}:\d{2}/);
    await page.waitForFunction(() => /Checking the score/.test(document.querySelector('[data-panel="suspensions"]')?.textContent ?? ''));
    assert.equal(await page.textContent('[data-panel="sources"] tr[data-source="backup"] .believes'), '0–1');
    assert.match(await page.textContent('.disagreement[data-source="backup"]'), /^Backup’s score \(0–1\) disagrees with the match’s \(0–0\) for/);
    await page.screenshot({ path: join(ARTIFACTS, 'desk-discrepancy.png'), fullPage: true });

    // The alert offers to believe either source. Escape cancels: nothing is sent, focus comes back.
    const confirmBackup = alert.locator('button[data-source="backup"]');
    assert.equal(await confirmBackup.textContent(), 'Confirm backup (0–1)');
    await confirmBackup.focus();
    await page.keyboard.press('Enter');
    const dialog = page.locator('dialog.confirm');
    await dialog.waitFor({ state: 'visible' });
    assert.equal(await dialog.locator('h2').textContent(), 'Believe the backup source');
    assert.match(await dialog.textContent(), /Backup says 0–1; primary says 0–0/);
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Confirm backup', 'focus starts on the action');
    await page.screenshot({ path: join(ARTIFACTS, 'desk-confirm-dialog.png') });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.source), 'backup', 'focus back on the alert button');
    assert.ok(!(await api.request('GET', '/v1/events/dd1/log?tail=50', { headers: api.admin(), raw: true })).text.includes('confirm_source'), 'a cancelled action sends nothing');

    await confirmBackup.click();
    await dialog.locator('button.primary').click();
    await dialog.waitFor({ state: 'hidden' });
    await page.waitForFunction(() => document.querySelector('.action-result')?.textContent === 'Done: source confirmed.');
    await alert.waitFor({ state: 'detached', timeout: 5000 });
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'action-result ok', 'with its button gone, focus goes to the result');
    assert.equal(await page.textContent('.desk-score'), '0–1');
    // The markets reopen after the cool-off, on the desk and for bettors.
    await page.waitForFunction(() => document.querySelector('[data-panel="suspensions"] > div')?.textContent === 'Every market open.', null, { timeout: COOL_OFF_MS + 5000 });
    const e = (await api.request('GET', '/v1/events/dd1')).json;
    assert.deepEqual(e.snapshot.image.suspensions, []);
    assert.deepEqual(e.snapshot.image.state.score, { home: 0, away: 1 });
    // The audit log view shows the action, marked as the trader's.
    const logged = page.locator('.audit-table tr[data-source="trader"]', { hasText: 'Trader confirmed the backup source' });
    await logged.waitFor({ timeout: 5000 });
    await logged.scrollIntoViewIfNeeded();
    await page.locator('.audit').screenshot({ path: join(ARTIFACTS, 'desk-audit.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('exposure bars move after bets, up to a liability alert, and the book by final score follows', async () => {
    // A selection limit of £50 and a market limit of £80: two bets fill most of it.
    await liveMatch('de1', { home: 'Everton', away: 'Wolves', trading: { max_selection_liability: 5_000, max_market_liability: 8_000 } });
    const { page, errors } = await openDesk('/desk/de1');
    await deskReady(page, 'de1');
    assert.match(await page.textContent('[data-panel="exposure"]'), /No exposure yet/);
    const homeBar = page.locator('.exp-market[data-market="1x2"] li[data-selection="home"] .bar-row');
    const share = async () => Number(await homeBar.getAttribute('data-share'));

    const { odds } = await betHome('de1', 'ann', 'e-1', Math.floor((0.4 * 5_000) / ((await priceNow('de1')) - 1)));
    await homeBar.waitFor({ timeout: 5000 });
    const first = await share();
    assert.ok(first > 0.3 && first < 0.5, `first bet fills ${first} of the selection limit`);
    const width1 = await homeBar.locator('.meter i').evaluate((i) => i.getBoundingClientRect().width);
    assert.ok(width1 > 0, 'the bar is drawn');
    assert.equal(await page.locator('.alert[data-kind="liability"]').count(), 0);

    await betHome('de1', 'bob', 'e-2', Math.floor((0.45 * 5_000) / (odds - 1)));
    await page.waitForFunction((s) => Number(document.querySelector('.exp-market[data-market="1x2"] li[data-selection="home"] .bar-row')?.dataset.share) > s, first, { timeout: 5000 });
    const second = await share();
    assert.ok(second >= 0.8, `two bets fill ${second}`);
    const width2 = await homeBar.locator('.meter i').evaluate((i) => i.getBoundingClientRect().width);
    assert.ok(width2 > width1, `the bar grew: ${width1} → ${width2} px`);
    assert.match(await homeBar.getAttribute('class'), /\bat-limit\b/);
    assert.equal(await homeBar.locator('.meter').getAttribute('aria-valuemax'), '5000');
    // Above 80 % of its limit the hub raises a liability alert on the selection.
    await page.locator('.alert[data-kind="liability"][data-subject="1x2/home"]').waitFor({ timeout: 5000 });
    await page.waitForFunction(() => Number(document.querySelector('[data-stat="total"]')?.textContent) === 2);
    assert.equal(await page.textContent('[data-panel="bets"] tr[data-code="accepted"] td'), '2');
    // If Everton win the book pays out: the worst final scores are home wins, and they lose money.
    assert.match(await page.textContent('.worst'), /^Worst case -£\d+\.\d{2} if it ends [1-3]–0/);
    assert.match(await page.getAttribute('.outcomes td[data-score="1-0"]', 'class'), /\bloss\b/);
    assert.match(await page.getAttribute('.outcomes td[data-score="0-1"]', 'class'), /\bgain\b/);
    // A bettor opens the match: its relay shows on the desk with the socket.
    const bettor = await browser.context.newPage();
    await bettor.goto(`${server.base}/#/match/de1`);
    await page.waitForFunction(() => Number(document.querySelector('[data-panel="relays"] tbody tr td')?.textContent) >= 1, null, { timeout: 15_000 });
    assert.match(await page.textContent('[data-panel="relays"] tbody tr th'), /^de1\/[a-z]+\/\d+$/);
    await page.screenshot({ path: join(ARTIFACTS, 'desk-overview.png'), fullPage: true });
    await bettor.close();
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('an alert appears within a second of a source going silent while the other speaks', async () => {
    const feed = await liveMatch('ds1');
    const { page } = await openDesk('/desk/ds1');
    await deskReady(page, 'ds1');
    // When the alert's element appears, by the page's clock (the same machine's as the server's).
    await page.evaluate(() => {
      new MutationObserver((_, obs) => {
        const el = document.querySelector('.alert[data-kind="source_silent"][data-subject="backup"]');
        if (el) {
          window.silentSeenAt = Date.now();
          obs.disconnect();
        }
      }).observe(document.body, { childList: true, subtree: true });
    });
    await feed.send('backup', 'heartbeat');
    const lastBackup = Date.now();
    const deadline = lastBackup + SILENT_MS + 4000;
    while (Date.now() < deadline && !(await page.evaluate(() => window.silentSeenAt))) {
      await feed.send('primary', 'heartbeat');
      await sleep(200);
    }
    const seenAt = await page.evaluate(() => window.silentSeenAt);
    assert.ok(seenAt, 'source_silent alert on the desk');
    const since = Date.parse(await page.getAttribute('.alert[data-kind="source_silent"] time', 'datetime'));
    assert.ok(since >= lastBackup + SILENT_MS - 100, `starts when the silence passed the bound (${since - lastBackup} ms after the last message)`);
    assert.ok(seenAt - since <= 1000, `shown ${seenAt - since} ms after it started`);
    console.log(`# source_silent shown ${seenAt - since} ms after it started`);
    await page.waitForFunction(() => /New alert: Source silent \(backup\)/.test(document.querySelector('#announce-alert')?.textContent ?? ''));
    // The backup speaks again: the alert clears, and that is said too.
    await feed.send('backup', 'heartbeat');
    await page.locator('.alert[data-kind="source_silent"]').waitFor({ state: 'detached', timeout: 3000 });
    await page.waitForFunction(() => /Cleared: Source silent \(backup\)/.test(document.querySelector('#announce-polite')?.textContent ?? ''));
    await page.close();
  });

  it('reconnects when the desk socket drops, and carries on with the match', async () => {
    const feed = await liveMatch('dr1');
    const { page } = await openDesk('/desk/dr1');
    await deskReady(page, 'dr1');
    await page.waitForFunction(() => document.querySelector('#conn')?.dataset.status === 'live');
    await server.stop();
    await page.waitForFunction(() => document.querySelector('#conn')?.dataset.status === 'reconnecting', null, { timeout: 10_000 });
    // The desk asks the API why it cannot connect, and says so.
    await page.waitForFunction(() => /cannot connect/.test(document.querySelector('.desk-notice')?.textContent ?? ''), null, { timeout: 10_000 });
    await server.start();
    await page.waitForFunction(() => document.querySelector('#conn')?.dataset.status === 'live', null, { timeout: 30_000 });
    assert.equal(await page.textContent('.desk-notice'), '');
    // The match went on meanwhile: the desk shows it.
    await feed.both('goal', { team: 'home' });
    await page.waitForFunction(() => document.querySelector('.desk-score')?.textContent === '1–0', null, { timeout: 5000 });
    await page.close();
  });

  it('follows a tennis match: its scoreboard, the book by result in sets, its own actions, and disagreeing points resolved', async () => {
    const opening = {
      event_id: 'dt1',
      sport: 'tennis',
      fixture: { home: 'Sinner', away: 'Alcaraz', kickoff_ms: Date.now() },
      params: { serve_a: 0.64, serve_b: 0.62, best_of: 3 },
      trading: { bet_delay_ms: 0 },
      config: { cool_off_ms: COOL_OFF_MS, confirm_window_ms: 400, stale_after_ms: 600_000 },
    };
    const created = await api.request('POST', '/v1/events', { body: opening, headers: api.admin() });
    assert.equal(created.status, 201, created.text);
    const feed = new TennisFeed(api, 'dt1', { taken: true });
    for (const source of ['primary', 'backup']) await feed.send(source, 'match_start', { server: 'a' });
    // Sinner takes the first set 6-4 (holds, then the break at 5-4); 2-1 in the second, 30-15 on
    // Alcaraz's serve.
    await feed.play('SSSS'.repeat(9) + 'RRRR');
    await feed.play('SSSS'.repeat(3) + 'RRS');
    const e = (await api.request('GET', '/v1/events/dt1')).json;
    assert.deepEqual([e.snapshot.image.games, e.snapshot.image.points, e.snapshot.image.server], [[2, 1], [2, 1], 'b']);
    // A bet on Sinner to win the match.
    const odds = e.prices.markets.find((m) => m.key === 'match_winner').selections.find((x) => x.key === 'a').odds;
    const bet = { market: 'match_winner', selection: 'a', stake: 5_000, price: odds, seen_version: e.version, policy: 'any' };
    const placed = await api.request('POST', '/v1/events/dt1/bets', { body: bet, headers: { authorization: `Bearer ${api.token('tia')}`, 'idempotency-key': 'dt-1' } });
    assert.equal(placed.json?.status, 'accepted', placed.text);

    // The match list links it like any match, and says where it is.
    const { page, errors } = await openDesk('/desk');
    const row = page.locator('.matches-table tr[data-event="dt1"]');
    await row.waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => /Tennis · in play/.test(document.querySelector('.matches-table tr[data-event="dt1"]')?.textContent ?? ''));
    assert.match(await row.textContent(), /Sinner v Alcaraz.*6-4 2-1/);
    await row.locator('a').click();
    await deskReady(page, 'dt1');

    // The header's score line, the scoreboard with the server, the sources' scores.
    assert.equal(await page.textContent('.desk-head h1'), 'Sinner v Alcaraz');
    assert.equal(await page.textContent('.desk-score'), '6–4 2–1 30–15');
    assert.match(await page.textContent('.desk-time'), /^In play \d{2}:\d{2}$/);
    const board = page.locator('.desk-match .scoreboard.tennis');
    assert.equal(await board.isVisible(), true);
    assert.equal(await board.locator('tr.player.b').getAttribute('data-serving'), 'true');
    assert.match(await board.locator('tr.player.b').textContent(), /Alcaraz \(serving\)4115/);
    assert.equal(await board.locator('.game-text').textContent(), '15-30');
    assert.equal(await page.textContent('[data-panel="sources"] tr[data-source="backup"] .believes'), '6–4 2–1 30–15');
    // The book by result in sets: Sinner's wins lose the book money, Alcaraz's keep the stake.
    assert.equal(await page.textContent('#desk-outcomes-title'), 'The book by result in sets');
    await page.waitForSelector('.sets-outcomes tr[data-sets="2-0"]');
    assert.match(await page.getAttribute('.sets-outcomes tr[data-sets="2-0"] td', 'class'), /\bloss\b/);
    assert.equal(await page.textContent('.sets-outcomes tr[data-sets="1-2"] td'), '+£50.00');
    assert.equal(await page.textContent('.sets-outcomes tr[data-sets="1-2"] th'), 'Alcaraz 2–1');
    assert.match(await page.textContent('.worst'), /^Worst case -£\d+\.\d{2} if Sinner wins 2–[01]/);
    // Its own actions: serve points won, no goals, no full time, no resettlement.
    for (const hidden of ['button[data-team="home"]', 'button:has-text("End the match")', 'button:has-text("Resettle")', 'input[name="home_xg"]']) {
      assert.equal(await page.locator(hidden).isVisible(), false, hidden);
    }
    assert.equal(await page.getAttribute('input[name="serve_a"]', 'placeholder'), '64.0');
    assert.equal(await page.locator('label', { hasText: 'Serve points won (%)' }).first().textContent(), 'Serve points won (%), Sinner');

    // Set Sinner's serve: checked as typed, confirmed in words, applied through the engine, logged.
    await page.fill('input[name="serve_a"]', '0');
    await page.click('button:has-text("Set serve points won")');
    assert.equal(await page.textContent('input[name="serve_a"] + .field-error'), 'Serve points won must be from 1 to 99 %');
    await page.fill('input[name="serve_a"]', '70');
    await page.click('button:has-text("Set serve points won")');
    const dialog = page.locator('dialog.confirm');
    await dialog.waitFor({ state: 'visible' });
    assert.match(await dialog.textContent(), /Sinner 64\.0 % → 70\.0 %; Alcaraz unchanged \(62\.0 %\)/);
    await dialog.locator('button.primary').click();
    await page.waitForFunction(() => document.querySelector('.action-result')?.textContent === 'Done: serve points won set.');
    await page.waitForFunction(() => document.querySelector('input[name="serve_a"]')?.getAttribute('placeholder') === '70.0');
    await page.locator('.audit-table tr[data-source="trader"]', { hasText: 'Trader set serve points won: Sinner 70.0 %, Alcaraz 62.0 %' }).waitFor({ timeout: 5000 });

    // The sources give the next point to different players: an alert, each source's score on its
    // button; believing the primary moves the score on.
    const server = await feed.server();
    feed.points += 1;
    await feed.send('primary', 'point', { point: feed.points, winner: 'a', server });
    await feed.send('backup', 'point', { point: feed.points, winner: 'b', server });
    const alert = page.locator('.alert[data-kind="source_discrepancy"]');
    await alert.waitFor({ timeout: 5000 });
    await page.waitForFunction(() => /New alert: Sources disagree/.test(document.querySelector('#announce-alert')?.textContent ?? ''));
    assert.equal(await alert.locator('button[data-source="primary"]').textContent(), 'Confirm primary (6–4 2–1 40–15 (+1 point))');
    assert.equal(await alert.locator('button[data-source="backup"]').textContent(), 'Confirm backup (6–4 2–1 30–30 (+1 point))');
    const waiting = await page.locator('.awaiting li').allTextContents();
    assert.deepEqual(waiting, [`Point ${feed.points} to Sinner, says primary`, `Point ${feed.points} to Alcaraz, says backup`]);
    await page.waitForFunction(() => /Checking the score/.test(document.querySelector('[data-panel="suspensions"]')?.textContent ?? ''));
    assert.equal(await page.textContent('[data-panel="sources"] tr[data-source="primary"] .believes'), '6–4 2–1 40–15+1 point');
    // The page's own header is sticky: from the top, a full-page picture shows it where it belongs.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, 'desk-tennis.png'), fullPage: true });
    await alert.locator('button[data-source="primary"]').click();
    assert.match(await dialog.textContent(), /Primary says 6–4 2–1 40–15 \(\+1 point\); backup says 6–4 2–1 30–30 \(\+1 point\)/);
    await dialog.locator('button.primary').click();
    await alert.waitFor({ state: 'detached', timeout: 5000 });
    await page.waitForFunction(() => document.querySelector('.desk-score')?.textContent === '6–4 2–1 40–15');
    assert.equal(await page.locator('.awaiting').count(), 0);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('checks what the trader types, shows the API\'s refusals, and applies the rest through the engine', async () => {
    await liveMatch('da1');
    const { page, errors } = await openDesk('/desk/da1');
    await deskReady(page, 'da1');
    // Typing mistakes are caught beside the field; nothing is sent.
    await page.fill('input[name="margin"]', 'lots');
    await page.click('button:has-text("Change terms")');
    assert.equal(await page.textContent('input[name="margin"] + .field-error'), 'The margin is a percentage like 5 or 7.5');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'margin');
    assert.equal(await page.locator('dialog.confirm[open]').count(), 0);
    await page.fill('input[name="bet_id"]', 'other.0123456789abcdef');
    await page.click('button:has-text("Void bet")');
    assert.equal(await page.textContent('input[name="bet_id"] + .field-error'), 'That bet belongs to match other, not da1');

    // A market the engine does not know: the API refuses, the dialog says why and stays open.
    await page.fill('input[name="market"]', 'corners');
    await page.click('button:has-text("Suspend")');
    const dialog = page.locator('dialog.confirm');
    await dialog.locator('button.primary').click();
    await page.waitForFunction(() => /^Refused \(invalid_body\): .*unknown market/.test(document.querySelector('dialog.confirm .error')?.textContent ?? ''));
    await dialog.locator('button.cancel').click();
    await dialog.waitFor({ state: 'hidden' });

    // Suspend one market, then change the margin: each shows on the desk from the engine's state.
    await page.fill('input[name="market"]', 'total:2.5');
    await page.click('button:has-text("Suspend")');
    await dialog.locator('button.primary').click();
    await page.waitForFunction(() => document.querySelector('.action-result')?.textContent === 'Done: suspended.');
    await page.waitForSelector('.overrides li[data-market="total:2.5"]');
    await page.fill('input[name="margin"]', '8');
    await page.click('button:has-text("Change terms")');
    assert.match(await dialog.textContent(), /Margin 5\.0 % → 8\.0 %/);
    await dialog.locator('button.primary').click();
    await page.waitForFunction(() => /margin 8\.0 %/.test(document.querySelector('.desk-meta')?.textContent ?? ''));
    // An action the engine has nothing to do for comes back "not applied", said as such.
    await page.click('button[data-team="away"]');
    assert.match(await dialog.textContent(), /has no goal that stands/);
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'cancel', 'a hard-to-undo action starts on Cancel');
    await dialog.locator('button.primary').click();
    await page.waitForFunction(() => /^Nothing changed/.test(document.querySelector('.action-result')?.textContent ?? ''));
    const trader = page.locator('.audit-table tr[data-source="trader"]');
    await page.waitForFunction(() => document.querySelectorAll('.audit-table tr[data-source="trader"]').length === 2);
    assert.match(await trader.nth(0).textContent(), /Trader set the terms: margin 8\.0 %/);
    assert.match(await trader.nth(1).textContent(), /Trader suspended market total:2\.5/);
    assert.deepEqual(errors.filter((e) => !/status of 400/.test(e)), []);
    await page.close();
  });
});

/** The 1x2 home price offered now. */
async function priceNow(id) {
  const e = (await api.request('GET', `/v1/events/${id}`)).json;
  return e.prices.markets.find((m) => m.key === '1x2').selections.find((s) => s.key === 'home').odds;
}
