// A tennis match on the bettor's page in real Chromium, against the real worker on local workerd: the
// page starts with the football engine, is refused the tennis snapshot, loads the tennis entry and
// shows sets, games, points and who serves; it prices locally (bit for bit what the package prices
// from the same score), takes a bet on the game in play, shows a challenge, settles the game bet when
// the game ends, and plays the match to its end. Screenshots go to artifacts/www/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { priceTennis } from '@inplay/engine';

import { launch } from './browser.mjs';
import { Api, PageServer, ROOT, TennisFeed, testVars, until } from './server.mjs';

const ARTIFACTS = join(ROOT, 'artifacts', 'www');
mkdirSync(ARTIFACTS, { recursive: true });

const BET_DELAY_MS = 2500;
const COOL_OFF_MS = 1500;
const PARAMS = { serve_a: 0.66, serve_b: 0.63, best_of: 3 };
const MARGIN = 0.05;

let server;
let api;
let browser;

async function snapshot(eventId) {
  const r = await api.request('GET', `/v1/events/${eventId}`);
  assert.equal(r.status, 200, r.text);
  return r.json.snapshot;
}

/** The score the engine prices from, as `priceTennis` takes it. */
function stateOf(image) {
  const won = [0, 0];
  const earlier = { games: [0, 0], tiebreaks: 0 };
  for (const s of image.sets) {
    won[s.games[0] > s.games[1] ? 0 : 1] += 1;
    earlier.games[0] += s.games[0];
    earlier.games[1] += s.games[1];
    earlier.tiebreaks += s.tiebreak ? 1 : 0;
  }
  return { sets: won, games: image.games, points: image.points, server: image.server, earlier };
}

async function boardOdds(page, market, selection) {
  return page.textContent(`.market[data-market="${market}"] .price[data-selection="${selection}"] .odds`);
}

before(async () => {
  server = await new PageServer({ vars: testVars() }).start();
  api = new Api(server);
  browser = await launch();
  console.log(`# wrangler dev ready in ${server.startupMs} ms on ${server.base}`);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  server?.cleanup();
});

describe('a tennis match on the page', () => {
  it('shows the players, sets, games, points and server, prices locally, bets, and plays to the end', async () => {
    const opening = {
      event_id: 'ten1',
      sport: 'tennis',
      fixture: { home: 'Sinner', away: 'Alcaraz', kickoff_ms: Date.now() },
      params: PARAMS,
      trading: { bet_delay_ms: BET_DELAY_MS, margin: MARGIN },
      config: { cool_off_ms: COOL_OFF_MS, confirm_window_ms: 400, stale_after_ms: 600_000 },
    };
    const created = await api.request('POST', '/v1/events', { body: opening, headers: api.admin() });
    assert.equal(created.status, 201, created.text);
    const feed = new TennisFeed(api, 'ten1', { taken: true });
    await feed.both('match_start', { server: 'a' });

    const page = await browser.context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

    // The match list: a tennis row with the match winner's two prices.
    await page.goto(`${server.base}/?token=${api.token('tina')}#/`);
    const row = page.locator('.match-row[data-event="ten1"]');
    await row.waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => document.querySelectorAll('.match-row[data-event="ten1"] .hp').length === 2, null, { timeout: 15_000 });
    for (const t of await row.locator('.hp').allTextContents()) assert.match(t, /^[12]\d+\.\d{2}$/, `headline ${t}`);
    assert.match(await row.textContent(), /Sinner.*Alcaraz/);

    // The match: the football engine refuses the snapshot, the tennis one shows it.
    await row.locator('a').click();
    const scoreboard = page.locator('.scoreboard.tennis');
    await scoreboard.waitFor({ state: 'visible', timeout: 20_000 });
    await page.waitForFunction(() => /^\d+\.\d{2}$/.test(document.querySelector('.market[data-market="match_winner"] .price .odds')?.textContent ?? ''), null, { timeout: 15_000 });
    assert.equal(await page.isHidden('.scoreboard:not(.tennis)'), true, 'no football scoreboard');
    assert.equal(await page.getAttribute('.match', 'data-sport'), 'tennis');
    const groups = await page.$$eval('.group', (gs) => gs.map((g) => g.dataset.group));
    assert.deepEqual(groups, ['match', 'sets', 'games']);
    const names = await scoreboard.locator('tbody th.name').allTextContents();
    assert.match(names[0], /Sinner/);
    assert.match(names[1], /Alcaraz/);
    assert.equal(await scoreboard.locator('tr.player.a').getAttribute('data-serving'), 'true');
    assert.equal(await scoreboard.locator('tr.player.b').getAttribute('data-serving'), 'false');

    /** The page's price for A equals the package's from the same score, bit for bit. */
    const pricedLikeThePackage = async () => {
      const { image } = await snapshot('ten1');
      const book = priceTennis(PARAMS, stateOf(image), { margin: MARGIN });
      const want = book.markets.find((m) => m.key === 'match_winner').selections[0].odds.toFixed(2);
      await until(async () => (await boardOdds(page, 'match_winner', 'a')) === want, { timeoutMs: 5000, what: `match winner A at ${want}` });
      return want;
    };
    const before = await pricedLikeThePackage();

    // A bet on the game in play: Alcaraz to break. It waits out the delay, then stands.
    await page.click('.market[data-market="game_winner"] .price[data-selection="b"]');
    const item = page.locator('.slip-item[data-market="game_winner"][data-selection="b"]').last();
    await item.waitFor();
    await item.locator('.stake').fill('2');
    await page.check('input[name="odds-policy"][value="any"]');
    await item.locator('.stake').press('Enter');
    await until(async () => (await item.getAttribute('data-phase')) === 'accepted', { timeoutMs: BET_DELAY_MS + 5000, what: 'the game bet accepted' });
    assert.match(await item.locator('.state').textContent(), /^✓ Bet accepted: £2\.00 on Alcaraz at \d+\.\d{2}$/);

    // Two points to Sinner on serve: 30-0.
    await feed.play('SS');
    await until(async () => (await scoreboard.locator('tr.player.a td.points').textContent()) === '30', { timeoutMs: 5000, what: 'points 30' });
    assert.equal(await scoreboard.locator('tr.player.b td.points').textContent(), '0');
    assert.equal(await page.textContent('.scoreboard.tennis .game-text'), '30-0');
    const after = await pricedLikeThePackage();
    assert.ok(Number(after) < Number(before), `Sinner shortens: ${before} -> ${after}`);

    // A challenge suspends with the player's name, and the markets reopen after the cool-off.
    await feed.send('primary', 'challenge_start', { player: 'b' });
    const overlay = page.locator('.market[data-market="match_winner"] .overlay');
    await overlay.waitFor({ state: 'visible', timeout: 2000 });
    assert.equal((await overlay.textContent()).trim(), 'Challenge — Alcaraz');
    assert.match(await page.textContent('.banner'), /Betting suspended — Challenge — Alcaraz/);
    await page.screenshot({ path: join(ARTIFACTS, 'tennis-challenge.png') });
    await feed.both('challenge_end');
    await overlay.waitFor({ state: 'hidden', timeout: COOL_OFF_MS + 5000 });

    // Sinner holds: the game bet loses, and the serve passes to Alcaraz.
    await feed.play('SS');
    await until(async () => (await scoreboard.locator('tr.player.a td.games').textContent()) === '1', { timeoutMs: 5000, what: 'games 1-0' });
    assert.equal(await scoreboard.locator('tr.player.b').getAttribute('data-serving'), 'true');
    const bet = page.locator('.my-bets .bet').first();
    await until(async () => (await bet.locator('.bet-status').textContent()) === 'Lost', { timeoutMs: 10_000, what: 'the game bet settled at the end of the game' });
    await pricedLikeThePackage();
    await page.screenshot({ path: join(ARTIFACTS, 'tennis-match.png'), fullPage: true });

    // Deuce and advantage as a scoreboard says them.
    await feed.play('SSSRRRS');
    await until(async () => (await page.textContent('.scoreboard.tennis .game-text')) === 'Advantage Alcaraz', { timeoutMs: 5000, what: 'advantage' });
    assert.deepEqual(await scoreboard.locator('td.points').allTextContents(), ['40', 'AD']);
    await feed.play('S');

    // Sinner takes the first set 6-2 and the match 2-0: every game from here on serve, then breaks.
    while (true) {
      const { image } = await snapshot('ten1');
      if (image.sets.length === 2 || typeof image.phase !== 'string') break;
      await feed.point(image.games[0] >= 4 || image.server === 'a' ? 'a' : 'b');
    }
    await until(async () => /Sinner wins 2-0/.test(await page.textContent('.banner')), { timeoutMs: 10_000, what: 'the result' });
    assert.match(await page.textContent('.banner'), /^\s*Betting closed — Sinner wins 2-0/);
    const setCells = await scoreboard.locator('tr.player.a td.set').allTextContents();
    assert.equal(setCells.length, 2, `two sets: ${setCells}`);
    assert.ok(setCells.every((g) => Number(g) >= 6), `won sets ${setCells}`);
    assert.equal(await page.locator('.market[data-market="match_winner"]').count(), 0, 'nothing is priced after the match');
    await page.screenshot({ path: join(ARTIFACTS, 'tennis-final.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
