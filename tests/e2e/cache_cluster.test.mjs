// The cache across instances: two `fastbreak serve` processes sharing a real redis-server as
// their L2 and invalidation bus. Invalidations reach the other instance within 100 ms, an
// import with --redis drops what it changed everywhere, Redis failing never fails a call, the
// L1 is cleared when the bus drops, and Idempotency-Key replays work across instances.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  E2E_DIR, fastbreakBin, generateDb, serverEnv, sleep, startRedis, startServe,
} from './lib/harness.mjs';

const db = generateDb();
const STANDINGS = '/api/tools/standings?season=2024';

async function get(server, path) {
  const response = await fetch(server.base + path, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, cache: response.headers.get('x-cache'), body: await response.text() };
}

async function post(server, path, body, headers = {}) {
  const response = await fetch(server.base + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: text ? JSON.parse(text) : undefined };
}

async function stats(server) {
  const response = await fetch(`${server.base}/api/mcp/performance/cache-stats`);
  assert.equal(response.status, 200);
  return response.json();
}

// Polls `predicate` every 5 ms until it holds or `ms` pass; returns the elapsed ms or -1.
async function within(ms, predicate) {
  const start = performance.now();
  while (performance.now() - start < ms) {
    if (await predicate()) return performance.now() - start;
    await sleep(5);
  }
  return -1;
}

describe('cache across instances (real Redis)', () => {
  let redis;
  let a;
  let b;

  before(async () => {
    redis = await startRedis();
    a = await startServe({ db, args: ['--redis', redis.url] });
    b = await startServe({ db, args: ['--redis', redis.url] });
  });

  after(async () => {
    await a?.stop();
    await b?.stop();
    await redis?.stop();
  });

  test('a result computed on one instance is an L2 hit on the other, then an L1 hit', async () => {
    const first = await get(a, STANDINGS);
    assert.equal(first.status, 200, first.body);
    assert.equal(first.cache, 'computed');
    assert.equal((await get(a, STANDINGS)).cache, 'l1');
    const other = await get(b, STANDINGS);
    assert.equal(other.cache, 'l2');
    assert.equal(other.body, first.body, 'the same bytes on both instances');
    assert.equal((await get(b, STANDINGS)).cache, 'l1');
  });

  test('invalidate_cache on one instance makes the other miss within 100 ms', async () => {
    await get(a, STANDINGS);
    await get(b, STANDINGS);
    assert.equal((await get(b, STANDINGS)).cache, 'l1');
    const before_b = (await stats(b)).invalidations;
    const dropped = await post(a, '/api/tools/invalidate_cache', { tags: ['season:2024'] });
    assert.equal(dropped.status, 200, dropped.text);
    assert.equal(dropped.json.broadcast, true);
    assert.equal(dropped.json.l2, true);
    const elapsed = await within(100, async () => (await stats(b)).invalidations > before_b);
    assert.ok(elapsed >= 0, 'b applied the invalidation within 100 ms');
    assert.equal((await get(b, STANDINGS)).cache, 'computed', 'b misses in L1 and L2');
  });

  test('import --redis makes every instance drop what read the imported tables within 100 ms', (t) => {
    const csv = join(E2E_DIR, '..', '..', '..', 'shared', 'data', 'fivethirtyeight', 'nba_elo_2022-23.csv');
    if (!existsSync(csv)) {
      t.skip(`${csv} is absent (the shared data folder sits beside the checkout)`);
      return;
    }
    return (async () => {
      await get(a, STANDINGS);
      await get(b, STANDINGS);
      assert.equal((await get(a, STANDINGS)).cache, 'l1');
      assert.equal((await get(b, STANDINGS)).cache, 'l1');
      const before = [(await stats(a)).invalidations, (await stats(b)).invalidations];
      const out = execFileSync(fastbreakBin(), ['import', '538', csv, '--db', db, '--redis', redis.url, '-q'],
        { timeout: 60_000, env: serverEnv(), encoding: 'utf8' });
      assert.match(out, /invalidated cached results that read: .*games/);
      for (const [i, server] of [a, b].entries()) {
        // Measured from the import's exit: it publishes before it exits.
        const elapsed = await within(100, async () => (await stats(server)).invalidations > before[i]);
        assert.ok(elapsed >= 0, `instance ${i} applied the import's invalidation within 100 ms`);
      }
      // The old entries are gone from L1 and L2: a recomputes, b gets a's new result from L2.
      assert.equal((await get(a, STANDINGS)).cache, 'computed');
      assert.equal((await get(b, STANDINGS)).cache, 'l2');
    })();
  });

  test('Idempotency-Key: the first response is replayed, on the other instance too', async () => {
    const body = { stat: 'points', season: 2024, limit: 3 };
    const key = { 'Idempotency-Key': `leaders-${Date.now()}` };
    const first = await post(a, '/api/tools/league_leaders', body, key);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.headers.get('idempotent-replayed'), null);
    const again = await post(b, '/api/tools/league_leaders', body, key);
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.text, first.text);
    const other = await post(a, '/api/tools/league_leaders', { ...body, limit: 4 }, key);
    assert.equal(other.status, 422, 'the same key with another request is refused');
    assert.match(other.json.error.message, /different request/);
    const bad = await post(a, '/api/tools/league_leaders', body, { 'Idempotency-Key': 'x'.repeat(300) });
    assert.equal(bad.status, 400);
  });

  test('Redis killed during a stream of calls: no call fails; L2 is used again after a restart', async () => {
    let failures = 0;
    let calls = 0;
    let stop = false;
    const stream = (async () => {
      for (let i = 0; !stop; ++i) {
        // New keys keep missing, so every miss goes to the (dead) L2 first.
        const r = await get(a, `/api/tools/league_leaders?stat=points&season=2024&limit=${1 + (i % 50)}`);
        ++calls;
        if (r.status !== 200) ++failures;
        if (i % 25 === 0) await post(a, '/api/tools/invalidate_cache', { tools: ['league_leaders'] });
      }
    })();
    await sleep(300);
    await redis.kill();
    await sleep(1500);
    await redis.start();
    await sleep(300);
    stop = true;
    await stream;
    assert.ok(calls > 20, `a stream of calls ran (${calls})`);
    assert.equal(failures, 0, `${failures} of ${calls} calls failed`);
    const back = await within(5000, async () => {
      const s = await stats(a);
      return s.l2.available && s.bus.connected;
    });
    assert.ok(back >= 0, 'L2 and bus back within 5 s of the restart');
    // A result computed on a now lands in Redis again: b reads it from L2.
    const path = '/api/tools/team_roster?team=BOS&season=2024';
    assert.equal((await get(a, path)).cache, 'computed');
    assert.equal((await get(b, path)).cache, 'l2');
  });

  test('the bus dropping clears the L1 (no stale reads while invalidations may be missed)', async () => {
    const up = await within(5000, async () => (await stats(b)).bus.connected);
    assert.ok(up >= 0, 'b is subscribed again after the previous restart');
    await get(b, STANDINGS);
    assert.equal((await get(b, STANDINGS)).cache, 'l1');
    await redis.kill();
    try {
      // The bus notices within its ping timeout (~0.5 s) and the L1 copy goes with it.
      const cleared = await within(3000, async () => (await get(b, STANDINGS)).cache !== 'l1');
      assert.ok(cleared >= 0, 'b dropped its L1 copy within 3 s of Redis going away');
      const s = await stats(b);
      assert.equal(s.bus.connected, false);
      assert.ok(s.bus.disconnects >= 2, `two outages counted: ${s.bus.disconnects}`);
    } finally {
      await redis.start();
    }
  });
});
