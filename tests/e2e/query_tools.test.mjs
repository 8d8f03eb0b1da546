// Query intelligence end to end: `fastbreak serve` with every statement in the slow-query log,
// the MCP SDK client calling the query tools after some NBA tools, the REST mirrors under
// /api/mcp/performance, the per-fingerprint series on /metrics and the JSON-lines slow log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectHttp, generateDb, makeTempDir, startServe } from './lib/harness.mjs';

const db = generateDb();

async function call(client, name, args) {
  const result = await client.callTool({ name, arguments: args });
  return result;
}

test('query tools: top and slow queries name the tool calls; analyze and advise explain', async () => {
  const dir = makeTempDir();
  const slowLog = join(dir, 'slow.jsonl');
  const server = await startServe({ db, env: {
    FASTBREAK_QUERY_SLOW_THRESHOLD_MS: '0',
    FASTBREAK_QUERY_SLOW_LOG_FILE: slowLog,
    FASTBREAK_CACHE_ENABLED: 'false',
  } });
  const { client, close } = await connectHttp(server.url);
  try {
    for (const season of [2024, 2024, 2024]) {
      const standings = await call(client, 'standings', { season });
      assert.ok(!standings.isError, JSON.stringify(standings));
    }
    const leaders = await call(client, 'league_leaders', { season: 2024, stat: 'points', limit: 5 });
    assert.ok(!leaders.isError, JSON.stringify(leaders));

    // Top queries: the standings statements ran 3 times each, issued by the standings tool.
    const top = await call(client, 'get_top_queries', { order_by: 'calls', tool: 'standings' });
    assert.ok(!top.isError, JSON.stringify(top));
    const queries = top.structuredContent.queries;
    assert.ok(queries.length > 0, 'standings issued statements');
    for (const q of queries) {
      assert.ok(q.tools.includes('standings'), JSON.stringify(q.tools));
      assert.match(q.fingerprint, /^[0-9a-f]{16}$/);
      assert.ok(q.calls >= 3, `${q.normalized}: ${q.calls} calls`);
      assert.ok(q.p95_ms >= 0 && q.max_ms >= q.p50_ms, JSON.stringify(q));
      assert.ok(q.sample.length > 0);
    }
    assert.ok(top.structuredContent.totals.statements > 0);

    // Slow queries: the threshold is 0, so every statement is there, with its tool call.
    const slow = await call(client, 'get_slow_queries', { limit: 50, tool: 'league_leaders' });
    assert.ok(!slow.isError, JSON.stringify(slow));
    const entries = slow.structuredContent.queries;
    assert.ok(entries.length > 0);
    assert.equal(entries[0].tool, 'league_leaders');
    assert.equal(JSON.parse(entries[0].arguments).stat, 'points');
    assert.ok(entries.some(e => e.plan_summary && e.plan_summary.length > 0),
      'plan summaries were added');

    // analyze_query: lint and plan findings with evidence, and index advice.
    const analyzed = await call(client, 'analyze_query',
      { sql: 'SELECT * FROM play_by_play WHERE description LIKE \'%dunk%\'' });
    assert.ok(!analyzed.isError, JSON.stringify(analyzed));
    const rules = analyzed.structuredContent.findings.map(f => f.rule);
    assert.ok(rules.includes('select_star'), rules.join(','));
    assert.ok(rules.includes('leading_wildcard_like'), rules.join(','));
    assert.ok(rules.includes('full_scan'), rules.join(','));
    for (const f of analyzed.structuredContent.findings) assert.ok(f.evidence.length > 0, f.rule);

    const refused = await call(client, 'analyze_query', { sql: 'DELETE FROM teams' });
    assert.equal(refused.isError, true);

    const advice = await call(client, 'recommend_indexes', { source: 'queries', queries: [
      'SELECT game_id, event_num FROM play_by_play WHERE description = \'Jump Ball\'' ] });
    assert.ok(!advice.isError, JSON.stringify(advice));
    assert.equal(advice.structuredContent.method, 'sqlite-what-if');
    assert.ok(Array.isArray(advice.structuredContent.recommendations));

    // REST mirrors.
    const rest = await fetch(`${server.base}/api/mcp/performance/slow-queries?limit=2`);
    assert.equal(rest.status, 200);
    const restBody = await rest.json();
    assert.ok(restBody.queries.length <= 2 && restBody.queries.length > 0);
    const post = await fetch(`${server.base}/api/mcp/performance/analyze`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sql: 'SELECT full_name FROM teams ORDER BY full_name' }) });
    assert.equal(post.status, 200);
    assert.ok((await post.json()).plan.summary.length > 0);
    const bad = await fetch(`${server.base}/api/mcp/performance/analyze`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"sql":' });
    assert.equal(bad.status, 400);
    const missing = await fetch(`${server.base}/api/mcp/performance/analyze`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(missing.status, 400);
    assert.match((await missing.json()).error.message, /sql/);

    // Per-fingerprint series on /metrics.
    const metrics = await (await fetch(`${server.base}/metrics`)).text();
    assert.match(metrics, /fastbreak_query_calls_total\{fingerprint="[0-9a-f]{16}",query="[^"]+"\} \d+/);
    assert.match(metrics, /fastbreak_query_statements_total \d+/);

    // The JSON-lines slow log: one object per statement, with its tool.
    const lines = readFileSync(slowLog, 'utf8').trim().split('\n').map(l => JSON.parse(l));
    assert.ok(lines.some(l => l.tool === 'standings' && l.duration_ms >= 0 && l.sql.length > 0));
  } finally {
    await close();
    await server.stop();
  }
});
