// The MCP behaviour both transports must show, driven with the official TypeScript SDK client.
// mcp_stdio.test.mjs and mcp_http.test.mjs call registerMcpSuite with a way to connect.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { sleep, withTimeout } from './harness.mjs';
export { recordIncoming } from './harness.mjs';

const { McpError } = await import('@modelcontextprotocol/sdk/types.js');
const { LoggingMessageNotificationSchema, LATEST_PROTOCOL_VERSION } = await import(
  '@modelcontextprotocol/sdk/types.js');

const Ajv = AjvModule.default ?? AjvModule;
const addFormats = addFormatsModule.default ?? addFormatsModule;

export const TOOL_NAMES = [
  'search_players', 'get_player', 'player_season_stats', 'player_game_log', 'compare_players',
  'league_leaders', 'team_season_stats', 'standings', 'team_roster', 'schedule', 'head_to_head',
  'get_game', 'box_score', 'play_by_play', 'describe_schema', 'run_sql',
  'get_cache_stats', 'invalidate_cache', 'warm_cache',
  'get_top_queries', 'get_slow_queries', 'analyze_query', 'recommend_indexes',
];

// Seconds of work for SQLite: far longer than any test waits (the 10 s call limit stops it).
export const LONG_SQL = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c ' +
  'WHERE x < 300000000) SELECT count(*) FROM c';

// Rejects unless `promise` rejects with an McpError carrying `code`; returns the error.
export async function expectMcpError(promise, code, what) {
  let error;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  assert.ok(error, `${what}: expected a JSON-RPC error ${code}, the call succeeded`);
  assert.ok(error instanceof McpError, `${what}: expected an McpError, got ${error}`);
  assert.equal(error.code, code, `${what}: expected code ${code}, got ${error.code} (${error.message})`);
  return error;
}

function textOf(result) {
  assert.ok(Array.isArray(result.content) && result.content.length > 0, 'content is a non-empty array');
  const text = result.content.filter(c => c.type === 'text').map(c => c.text).join('\n');
  assert.ok(text.length > 0, 'content has text');
  return text;
}

// options.connect(env) -> { client, transport, seen, close() }: a connected SDK client to a server
// started with `env` added to its environment (each call may start a new server).
export function registerMcpSuite(label, options) {
  describe(`${label}: MCP over the SDK client`, () => {
    let conn;
    let client;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const listed = new Map();  // tool name -> tool from tools/list
    const called = new Set();
    const data = {};           // ids picked from the data as the tests go

    before(async () => {
      // One worker: a call that is not interrupted would hold it, so the cancellation test can
      // tell an interrupted query from one that keeps running.
      conn = await options.connect({ FASTBREAK_MCP_WORKERS: '1' });
      client = conn.client;
    });
    after(async () => {
      await conn?.close();
    });

    // A successful tool call: the SDK validated structuredContent (listTools ran first); we
    // check it is present and validate it again with our own ajv.
    async function call(name, args) {
      const result = await withTimeout(client.callTool({ name, arguments: args }), 20_000,
        `tools/call ${name}`);
      called.add(name);
      const text = textOf(result);
      assert.notEqual(result.isError, true, `${name}(${JSON.stringify(args)}) failed: ${text}`);
      assert.ok(result.structuredContent && typeof result.structuredContent === 'object',
        `${name} returns structuredContent`);
      const tool = listed.get(name);
      assert.ok(tool, `${name} was listed`);
      const validate = ajv.compile(tool.outputSchema);
      assert.ok(validate(result.structuredContent),
        `${name} structuredContent matches its outputSchema: ${ajv.errorsText(validate.errors)}`);
      return result.structuredContent;
    }

    test('initialize: negotiated version, serverInfo, capabilities, instructions', () => {
      const init = conn.seen.find(m => m.result?.serverInfo);
      assert.ok(init, 'the initialize result was received');
      assert.equal(init.result.protocolVersion, LATEST_PROTOCOL_VERSION);
      assert.equal(LATEST_PROTOCOL_VERSION, '2025-11-25');
      const info = client.getServerVersion();
      assert.equal(info.name, 'fastbreak');
      assert.match(info.version, /^\d+\.\d+\.\d+/);
      const caps = client.getServerCapabilities();
      for (const cap of ['tools', 'resources', 'prompts', 'logging', 'completions']) {
        assert.ok(caps[cap], `capability ${cap} is declared`);
      }
      assert.match(client.getInstructions() ?? '', /search_players/);
    });

    test('ping', async () => {
      assert.deepEqual(await withTimeout(client.ping(), 5000, 'ping'), {});
    });

    test('tools/list: the 19 tools with schemas; all read-only but the cache writers', async () => {
      const { tools, nextCursor } = await client.listTools();
      assert.equal(nextCursor, undefined);
      assert.deepEqual(tools.map(t => t.name).sort(), [...TOOL_NAMES].sort());
      for (const tool of tools) {
        listed.set(tool.name, tool);
        assert.ok(tool.description?.length > 20, `${tool.name} has a description`);
        assert.equal(tool.inputSchema.type, 'object', `${tool.name} inputSchema`);
        assert.equal(tool.outputSchema?.type, 'object', `${tool.name} outputSchema`);
        assert.doesNotThrow(() => ajv.compile(tool.inputSchema), `${tool.name} inputSchema compiles`);
        assert.doesNotThrow(() => ajv.compile(tool.outputSchema), `${tool.name} outputSchema compiles`);
        const writesCache = ['invalidate_cache', 'warm_cache'].includes(tool.name);
        assert.equal(tool.annotations?.readOnlyHint, !writesCache, `${tool.name} readOnlyHint`);
        assert.equal(tool.annotations?.destructiveHint, false, `${tool.name} destructiveHint`);
        assert.equal(tool.annotations?.openWorldHint, false, `${tool.name} openWorldHint`);
        // The SDK compiled a validator for the output schema: callTool validates with it.
        assert.equal(typeof client.getToolOutputValidator(tool.name), 'function',
          `the SDK validates ${tool.name} output`);
      }
    });

    test('the SDK output validation is live: it rejects a result that breaks the schema', async () => {
      const sc = await call('run_sql', { sql: 'SELECT count(*) AS n FROM teams' });
      const validator = client.getToolOutputValidator('run_sql');
      assert.equal(validator(sc).valid, true);
      assert.equal(validator({ ...sc, row_count: 'thirty' }).valid, false);
      assert.equal(ajv.validate(listed.get('run_sql').outputSchema, { ...sc, row_count: 'x' }), false);
    });

    describe('every tool, with arguments taken from the data', () => {
      test('league_leaders', async () => {
        const sc = await call('league_leaders', { stat: 'points', limit: 5, season: 2024 });
        assert.ok(sc.leaders.length >= 2, 'at least two leaders');
        data.players = sc.leaders.slice(0, 2).map(l => ({ id: l.player_id, name: l.name }));
        assert.ok(data.players.every(p => Number.isInteger(p.id) && p.name));
      });
      test('search_players', async () => {
        const [player] = data.players;
        const last = player.name.split(' ').at(-1);
        const sc = await call('search_players', { query: last, limit: 50 });
        assert.ok(sc.players.some(p => p.player_id === player.id),
          `searching "${last}" finds ${player.name} (${player.id})`);
      });
      test('get_player', async () => {
        const sc = await call('get_player', { player: data.players[0].id });
        assert.ok(JSON.stringify(sc).includes(data.players[0].name));
      });
      test('player_season_stats', async () => {
        const sc = await call('player_season_stats', { player: data.players[0].id, season: '2024-25' });
        assert.equal(sc.player.player_id, data.players[0].id);
      });
      test('player_game_log', async () => {
        const sc = await call('player_game_log', { player: data.players[0].name, last_n: 5 });
        assert.ok(sc.games.length > 0 && sc.games.length <= 5, `${sc.games.length} games`);
      });
      test('compare_players', async () => {
        const sc = await call('compare_players', { players: data.players.map(p => p.id) });
        const text = JSON.stringify(sc);
        for (const p of data.players) assert.ok(text.includes(p.name), `compares ${p.name}`);
      });
      test('standings', async () => {
        const sc = await call('standings', { group: 'league' });
        const teams = sc.groups.flatMap(g => g.teams);
        assert.equal(teams.length, 30);
        data.team = teams[0].abbreviation;
      });
      test('team_season_stats', async () => {
        const sc = await call('team_season_stats', { team: data.team });
        assert.ok(sc.games > 0);
      });
      test('team_roster', async () => {
        const sc = await call('team_roster', { team: data.team, season: 2024 });
        assert.ok(sc.players.length >= 8, `${sc.players.length} players on ${data.team}`);
      });
      test('schedule', async () => {
        const sc = await call('schedule', { status: 'final', limit: 5, team: data.team });
        assert.ok(sc.games.length > 0);
        data.game = sc.games[0];
        assert.match(data.game.game_id, /^\d{10}$/);
      });
      test('head_to_head', async () => {
        const sc = await call('head_to_head', { team1: data.game.home, team2: data.game.away });
        assert.ok(sc.games >= 1, 'the two teams met at least once');
      });
      test('get_game', async () => {
        const sc = await call('get_game', { game_id: data.game.game_id });
        assert.ok(JSON.stringify(sc).includes(data.game.game_id));
      });
      test('box_score', async () => {
        const sc = await call('box_score', { game_id: data.game.game_id });
        assert.ok(JSON.stringify(sc).includes(data.game.home));
      });
      test('play_by_play', async () => {
        const sc = await call('play_by_play', { game_id: data.game.game_id, limit: 20 });
        assert.ok(sc.events.length > 0 && sc.events.length <= 20);
      });
      test('describe_schema', async () => {
        const sc = await call('describe_schema', { table: 'teams' });
        assert.ok(sc.tables.some(t => t.name === 'teams'));
      });
      test('run_sql', async () => {
        const sc = await call('run_sql', { sql: 'SELECT count(*) AS n FROM teams' });
        assert.deepEqual(sc.rows, [[30]]);
      });
      test('warm_cache, get_cache_stats, invalidate_cache', async () => {
        const warmed = await call('warm_cache', {
          calls: [{ tool: 'standings', arguments: { season: 2024 } },
            { tool: 'league_leaders', arguments: { stat: 'points', season: 2024, limit: 3 } },
            { tool: 'get_player', arguments: { player: 'Nobody Atall Xyzzy' } }],
        });
        assert.equal(warmed.requested, 3);
        assert.equal(warmed.warmed + warmed.already_cached, 2, JSON.stringify(warmed));
        assert.equal(warmed.failed.length, 1);
        assert.equal(warmed.failed[0].tool, 'get_player');
        await call('standings', { season: 2024 });
        const stats = await call('get_cache_stats', {});
        const standings = stats.tools.find(t => t.tool === 'standings');
        assert.ok(standings.hits.l1 >= 1, `a standings L1 hit: ${JSON.stringify(standings)}`);
        assert.ok(stats.l1.entries >= 2, `entries: ${JSON.stringify(stats.l1)}`);
        assert.ok(Array.isArray(stats.recommendations));
        const dropped = await call('invalidate_cache', { tools: ['standings'] });
        assert.ok(dropped.removed_l1 >= 1, JSON.stringify(dropped));
        const bad = await client.callTool({ name: 'invalidate_cache', arguments: {} });
        assert.equal(bad.isError, true);
        assert.match(textOf(bad), /say what to invalidate/);
      });
      test('get_top_queries, get_slow_queries, analyze_query, recommend_indexes', async () => {
        const top = await call('get_top_queries', { limit: 3 });
        assert.ok(top.queries.length > 0 && top.queries.length <= 3, JSON.stringify(top));
        assert.ok(top.queries[0].calls >= 1 && top.queries[0].total_ms >= 0);
        const slow = await call('get_slow_queries', { limit: 5, explain: false });
        assert.equal(typeof slow.threshold_ms, 'number');
        assert.ok(Array.isArray(slow.queries));
        const analyzed = await call('analyze_query',
          { sql: 'SELECT * FROM games ORDER BY attendance', advise: false });
        const rules = analyzed.findings.map(f => f.rule);
        assert.ok(rules.includes('select_star'), rules.join(','));
        assert.ok(rules.includes('temp_btree'), rules.join(','));
        const advice = await call('recommend_indexes',
          { source: 'queries', queries: ['SELECT game_id FROM games WHERE attendance = 18000'] });
        assert.ok(Array.isArray(advice.recommendations) && advice.queries === 1,
          JSON.stringify(advice));
        const bad = await client.callTool({ name: 'analyze_query', arguments: {} });
        assert.equal(bad.isError, true);
        assert.match(textOf(bad), /sql/);
      });
      test('every listed tool was called', () => {
        assert.deepEqual([...called].sort(), [...TOOL_NAMES].sort());
      });
    });

    describe('resources', () => {
      test('list and read nba://schema and nba://teams', async () => {
        const { resources } = await client.listResources();
        const uris = resources.map(r => r.uri);
        assert.ok(uris.includes('nba://schema') && uris.includes('nba://teams'), uris.join(', '));
        for (const resource of resources) {
          const { contents } = await client.readResource({ uri: resource.uri });
          assert.equal(contents.length, 1);
          assert.equal(contents[0].uri, resource.uri);
          assert.ok(contents[0].text.length > 20, `${resource.uri} has text`);
          assert.equal(contents[0].mimeType, resource.mimeType);
        }
        const { contents } = await client.readResource({ uri: 'nba://teams' });
        assert.match(contents[0].text, /Boston Celtics|BOS/);
      });
      test('templates: players/{id} and games/{id}', async () => {
        const { resourceTemplates } = await client.listResourceTemplates();
        assert.deepEqual(resourceTemplates.map(t => t.uriTemplate).sort(),
          ['nba://games/{id}', 'nba://players/{id}']);
        const player = await client.readResource({ uri: `nba://players/${data.players[0].id}` });
        assert.ok(player.contents[0].text.includes(data.players[0].name));
        const game = await client.readResource({ uri: `nba://games/${data.game.game_id}` });
        assert.ok(game.contents[0].text.includes(data.game.game_id));
      });
      test('unknown resources: -32002', async () => {
        await expectMcpError(client.readResource({ uri: 'nba://players/999999999' }), -32002,
          'an unknown player id');
        await expectMcpError(client.readResource({ uri: 'nba://games/0099999999' }), -32002,
          'an unknown game id');
        await expectMcpError(client.readResource({ uri: 'nba://nothing-here' }), -32002,
          'an unknown URI');
      });
    });

    describe('prompts', () => {
      test('list', async () => {
        const { prompts } = await client.listPrompts();
        assert.deepEqual(prompts.map(p => p.name).sort(),
          ['compare_players', 'game_recap', 'scouting_report', 'team_report']);
        for (const prompt of prompts) assert.ok(prompt.arguments.some(a => a.required));
      });
      test('get each prompt', async () => {
        const [p1, p2] = data.players;
        const scouting = await client.getPrompt({ name: 'scouting_report',
          arguments: { player: p1.name } });
        assert.ok(scouting.messages.length > 0);
        assert.ok(JSON.stringify(scouting.messages).includes(p1.name));
        const recap = await client.getPrompt({ name: 'game_recap',
          arguments: { game_id: data.game.game_id } });
        assert.ok(recap.messages.length > 0);
        const compare = await client.getPrompt({ name: 'compare_players',
          arguments: { player1: p1.name, player2: p2.name, season: '2024-25' } });
        assert.ok(JSON.stringify(compare.messages).includes(p2.name));
      });
      test('a missing required argument or an unknown prompt: -32602', async () => {
        const error = await expectMcpError(client.getPrompt({ name: 'scouting_report', arguments: {} }),
          -32602, 'scouting_report without player');
        assert.match(error.message, /player/);
        await expectMcpError(client.getPrompt({ name: 'game_recap' }), -32602, 'game_recap without arguments');
        await expectMcpError(client.getPrompt({ name: 'no_such_prompt', arguments: {} }), -32602,
          'an unknown prompt');
      });
    });

    describe('completions', () => {
      test('a player name prefix returns matching names', async () => {
        const prefix = data.players[0].name.slice(0, 3);
        const { completion } = await client.complete({
          ref: { type: 'ref/prompt', name: 'scouting_report' },
          argument: { name: 'player', value: prefix },
        });
        assert.ok(completion.values.length > 0, `completions for "${prefix}"`);
        assert.ok(completion.values.length <= 100);
        assert.ok(completion.values.includes(data.players[0].name) || completion.hasMore,
          `"${data.players[0].name}" is among ${JSON.stringify(completion.values)}`);
        for (const value of completion.values) {
          assert.ok(value.toLowerCase().includes(prefix.toLowerCase()), `${value} matches ${prefix}`);
        }
      });
      test('season and game id arguments', async () => {
        const season = await client.complete({
          ref: { type: 'ref/prompt', name: 'scouting_report' },
          argument: { name: 'season', value: '2024' },
        });
        assert.ok(season.completion.values.some(v => v.startsWith('2024')), JSON.stringify(season));
        const prefix = data.game.game_id.slice(0, 6);
        const game = await client.complete({
          ref: { type: 'ref/prompt', name: 'game_recap' },
          argument: { name: 'game_id', value: prefix },
        });
        assert.ok(game.completion.values.length > 0);
        for (const value of game.completion.values) assert.ok(value.startsWith(prefix), value);
      });
    });

    describe('logging', () => {
      test('setLevel debug: a success logs debug, a failure logs warning', async () => {
        const messages = [];
        client.setNotificationHandler(LoggingMessageNotificationSchema, n => messages.push(n.params));
        try {
          await client.setLoggingLevel('debug');
          await call('run_sql', { sql: 'SELECT 1' });
          // Notifications of a call come before its response, on the same stream.
          assert.ok(messages.some(m => m.level === 'debug' && m.data?.tool === 'run_sql'),
            `a debug message for run_sql: ${JSON.stringify(messages)}`);
          const failed = await client.callTool({ name: 'get_player', arguments: { player: 'Zzyzx Qwertyuiop' } });
          assert.equal(failed.isError, true);
          assert.ok(messages.some(m => m.level === 'warning' && m.data?.tool === 'get_player'),
            `a warning for the failed get_player: ${JSON.stringify(messages)}`);
          // Above the level, nothing: at error, a failing call sends no warning.
          await client.setLoggingLevel('error');
          const before = messages.length;
          await client.callTool({ name: 'get_player', arguments: { player: 'Zzyzx Qwertyuiop' } });
          await client.ping();
          assert.equal(messages.length, before, `nothing below error: ${JSON.stringify(messages.slice(before))}`);
        } finally {
          await client.setLoggingLevel('warning');
          client.removeNotificationHandler('notifications/message');
        }
      });
      test('an unknown level: -32602', async () => {
        await expectMcpError(client.request({ method: 'logging/setLevel', params: { level: 'loud' } },
          (await import('@modelcontextprotocol/sdk/types.js')).EmptyResultSchema), -32602, 'level loud');
      });
    });

    describe('long calls', () => {
      test('progress notifications during a long run_sql', async () => {
        const progress = [];
        const started = Date.now();
        const result = await client.callTool(
          { name: 'run_sql', arguments: { sql: LONG_SQL, timeout_ms: 1200 } }, undefined,
          { onprogress: p => progress.push(p), timeout: 20_000 });
        const elapsed = Date.now() - started;
        // run_sql's own 1200 ms limit stops it: a tool error, after ~11 ticks of 100 ms.
        assert.equal(result.isError, true, textOf(result));
        assert.match(textOf(result), /1200 ms/);
        assert.ok(elapsed >= 1100 && elapsed < 8000, `took ${elapsed} ms`);
        assert.ok(progress.length >= 3, `${progress.length} progress notifications`);
        for (let i = 1; i < progress.length; ++i) {
          assert.ok(progress[i].progress > progress[i - 1].progress, 'progress increases');
        }
      });

      test('cancellation interrupts the query: the next call is answered at once', async () => {
        const controller = new AbortController();
        let firstProgress;
        const ticked = new Promise(resolve => { firstProgress = resolve; });
        const started = Date.now();
        const long = client.callTool(
          { name: 'run_sql', arguments: { sql: LONG_SQL, timeout_ms: 10_000 } }, undefined,
          { signal: controller.signal, onprogress: () => firstProgress(), timeout: 20_000 });
        const outcome = long.then(() => 'answered', error => error);
        await withTimeout(ticked, 5000, 'the long query to report progress');
        controller.abort('e2e cancels');
        const error = await withTimeout(outcome, 5000, 'the aborted call to reject');
        assert.ok(error instanceof Error, `the aborted call rejects (got ${error})`);
        // One worker: had the query kept running it would hold it until its 10 s limit.
        const next = Date.now();
        const sc = await withTimeout(call('run_sql', { sql: 'SELECT count(*) AS n FROM teams' }),
          9000, 'the call after a cancellation');
        const waited = Date.now() - next;
        assert.deepEqual(sc.rows, [[30]]);
        assert.ok(waited < 3000, `the next call took ${waited} ms (the cancelled query still ran?)`);
        assert.ok(Date.now() - started < 8000);
      });
    });

    describe('errors', () => {
      test('a tool error is a result with isError and a useful message', async () => {
        const result = await client.callTool({ name: 'get_player', arguments: { player: 'Zzyzx Qwertyuiop' } });
        assert.equal(result.isError, true);
        const text = textOf(result);
        assert.match(text, /Zzyzx Qwertyuiop/, 'the message names what was not found');
        assert.match(text, /not found|no player|search_players/i);
      });
      test('invalid arguments are a tool error too', async () => {
        const result = await client.callTool({ name: 'league_leaders', arguments: { stat: 'dunks' } });
        assert.equal(result.isError, true);
        assert.match(textOf(result), /stat/);
      });
      test('an unknown tool: JSON-RPC -32602', async () => {
        const error = await expectMcpError(client.callTool({ name: 'no_such_tool', arguments: {} }),
          -32602, 'tools/call no_such_tool');
        assert.match(error.message, /no_such_tool/);
      });
      test('run_sql refuses writes, ATTACH and several statements; teams keeps 30 rows', async () => {
        const refused = [
          "INSERT INTO teams (team_id, abbreviation) VALUES (1, 'XXX')",
          "ATTACH DATABASE ':memory:' AS other",
          'SELECT 1; DELETE FROM teams',
          'DELETE FROM teams',
          'DROP TABLE teams',
          "UPDATE teams SET abbreviation = 'ZZZ'",
          'PRAGMA writable_schema = 1',
        ];
        for (const sql of refused) {
          const result = await client.callTool({ name: 'run_sql', arguments: { sql } });
          assert.equal(result.isError, true, `refused: ${sql} (got ${textOf(result)})`);
          assert.ok(textOf(result).length > 10, 'with a reason');
        }
        const sc = await call('run_sql', { sql: 'SELECT count(*) AS n, count(DISTINCT abbreviation) AS a FROM teams' });
        assert.deepEqual(sc.rows, [[30, 30]]);
      });
    });
  });

  describe(`${label}: the call time limit`, () => {
    test('a call over mcp.call_timeout_ms is stopped with a tool error', async () => {
      const conn = await options.connect({ FASTBREAK_MCP_CALL_TIMEOUT_MS: '1500' });
      try {
        await conn.client.listTools();
        const started = Date.now();
        const result = await withTimeout(conn.client.callTool(
          { name: 'run_sql', arguments: { sql: LONG_SQL, timeout_ms: 10_000 } }), 9000,
        'a call over the limit');
        const elapsed = Date.now() - started;
        assert.equal(result.isError, true);
        assert.match(textOf(result), /1500 ms/);
        assert.ok(elapsed >= 1400 && elapsed < 6000, `stopped after ${elapsed} ms`);
        // The server still works.
        const ok = await conn.client.callTool({ name: 'run_sql', arguments: { sql: 'SELECT 1' } });
        assert.notEqual(ok.isError, true);
      } finally {
        await conn.close();
      }
      await sleep(0);
    });
  });
}
