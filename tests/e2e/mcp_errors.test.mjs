// Protocol and transport error paths with raw messages: lines on the stdin of `fastbreak stdio`
// and fetch() requests to /mcp of `fastbreak serve`. After each group the server must still answer
// (it never crashes or hangs), and stdio must exit 0 on EOF.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  generateDb, RawStdio, startServe, rawPost, rawRequest, rawHttpSession, withTimeout, sleep,
} from './lib/harness.mjs';
import { TOOL_NAMES } from './lib/mcp_suite.mjs';

const db = generateDb();

function assertError(message, code, what) {
  assert.ok(message, `${what}: a response`);
  assert.equal(message.jsonrpc, '2.0', `${what}: jsonrpc 2.0`);
  assert.ok(message.error, `${what}: an error, got ${JSON.stringify(message)}`);
  assert.equal(message.error.code, code, `${what}: code ${code}, got ${JSON.stringify(message.error)}`);
  assert.equal(typeof message.error.message, 'string');
  assert.ok(!('result' in message), `${what}: no result next to the error`);
}

describe('stdio: raw lines', () => {
  let raw;
  before(() => { raw = new RawStdio(db); });
  after(() => raw?.kill());

  const nextId = id => raw.next(m => m.id === id && !('method' in m), 10_000, `response ${id}`);
  const nullIdError = what => raw.next(m => m.id === null && m.error, 10_000, what);

  test('a request before initialize is refused; ping is allowed', async () => {
    const early = await raw.request('tools/list', {});
    assertError(early, -32600, 'tools/list before initialize');
    const ping = await raw.request('ping');
    assert.deepEqual(ping.result, {});
  });

  test('malformed JSON: -32700 with id null', async () => {
    await raw.write('{"jsonrpc":"2.0","id":1,"method":\n');
    assertError(await nullIdError('a parse error'), -32700, 'truncated JSON');
    await raw.write('not json at all\n');
    assertError(await nullIdError('a parse error'), -32700, 'not JSON');
  });

  test('initialize (2025-06-18) negotiates that version; a second initialize is refused', async () => {
    const init = await raw.initialize('2025-06-18');
    assert.equal(init.result.protocolVersion, '2025-06-18');
    assert.equal(init.result.serverInfo.name, 'fastbreak');
    const again = await raw.request('initialize',
      { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } });
    assertError(again, -32600, 'a second initialize');
  });

  test('wrong types: params not an object, id null, bad jsonrpc, method not a string: -32600', async () => {
    await raw.send({ jsonrpc: '2.0', id: 11, method: 'tools/list', params: [1, 2] });
    assertError(await nextId(11), -32600, 'params an array');
    await raw.send({ jsonrpc: '2.0', id: 12, method: 'tools/list', params: 'x' });
    assertError(await nextId(12), -32600, 'params a string');
    await raw.send({ jsonrpc: '2.0', id: null, method: 'ping' });
    assertError(await nullIdError('id null'), -32600, 'id null');
    await raw.send({ jsonrpc: '2.0', id: 13.5, method: 'ping' });
    assertError(await nullIdError('id 13.5'), -32600, 'a fractional id');
    await raw.send({ jsonrpc: '1.0', id: 14, method: 'ping' });
    assertError(await nextId(14), -32600, 'jsonrpc 1.0');
    await raw.send({ jsonrpc: '2.0', id: 15, method: 42 });
    assertError(await nextId(15), -32600, 'method a number');
    await raw.write('42\n');
    assertError(await nullIdError('a bare number'), -32600, 'a message that is not an object');
  });

  test('unknown method: -32601; invalid params: -32602', async () => {
    const unknown = await raw.request('tools/destroy', {});
    assertError(unknown, -32601, 'an unknown method');
    assert.match(unknown.error.message, /tools\/destroy/);
    assertError(await raw.request('tools/call', { name: 'no_such_tool', arguments: {} }), -32602,
      'an unknown tool');
    assertError(await raw.request('tools/call', { arguments: {} }), -32602, 'tools/call without name');
    assertError(await raw.request('resources/read', { uri: 'nba://players/999999999' }), -32002,
      'an unknown resource');
  });

  test('a batch under 2025-06-18: -32600', async () => {
    await raw.write(JSON.stringify([
      { jsonrpc: '2.0', id: 21, method: 'ping' },
      { jsonrpc: '2.0', id: 22, method: 'ping' },
    ]) + '\n');
    const error = await nullIdError('the batch refusal');
    assertError(error, -32600, 'a batch');
    assert.match(error.error.message, /batch/i);
  });

  test('a line over 4 MiB: parse error, skipped; a 3 MiB message is still read', async () => {
    const pad = 'x'.repeat(5 * 1024 * 1024);
    await raw.send({ jsonrpc: '2.0', id: 31, method: 'ping', params: { pad } });
    const error = await nullIdError('the over-long line error');
    assertError(error, -32700, 'a 5 MiB line');
    assert.match(error.error.message, /longer than/);
    // The rest of that line was skipped, not read as messages: the next request is answered.
    assert.deepEqual((await raw.request('ping')).result, {});
    const big = 'y'.repeat(3 * 1024 * 1024);
    await raw.send({ jsonrpc: '2.0', id: 32, method: 'ping', params: { pad: big } });
    assert.deepEqual((await nextId(32)).result, {});
    assert.equal(raw.messages.filter(m => m.id === 31).length, 0, 'no answer for the skipped line');
  });

  test('notifications get no response; CRLF and blank lines are tolerated', async () => {
    await raw.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\r\n\n\n');
    await raw.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 999 } });
    const ping = await raw.request('ping');
    assert.deepEqual(ping.result, {});
    assert.equal(raw.messages.length, 0, `nothing else was sent: ${JSON.stringify(raw.messages)}`);
  });

  test('still answering after all of that; EOF exits 0; stdout held only JSON', async () => {
    const listed = await raw.request('tools/list', {});
    assert.equal(listed.result.tools.length, TOOL_NAMES.length);
    const { code, signal } = await raw.end();
    assert.equal(signal, null, 'not killed by a signal');
    assert.equal(code, 0, `exit status 0; stderr:\n${raw.stderr}`);
    assert.deepEqual(raw.badLines, []);
  });
});

describe('stdio: EOF with a call in flight', () => {
  test('the running call is answered, then the process exits 0', async () => {
    const raw = new RawStdio(db);
    try {
      await raw.initialize();
      const sql = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c ' +
        'WHERE x < 300000000) SELECT count(*) FROM c';
      await raw.send({ jsonrpc: '2.0', id: 'long', method: 'tools/call',
        params: { name: 'run_sql', arguments: { sql, timeout_ms: 800 } } });
      const started = Date.now();
      const { code, signal } = await raw.end(10_000);
      assert.equal(signal, null);
      assert.equal(code, 0, `exit status; stderr:\n${raw.stderr}`);
      const answer = raw.messages.find(m => m.id === 'long');
      assert.ok(answer, 'the call in flight at EOF was answered before the exit');
      assert.equal(answer.result.isError, true, 'stopped by its 800 ms limit');
      assert.ok(Date.now() - started < 8000);
    } finally {
      raw.kill();
    }
  });
});

describe('stdio: batches under 2025-03-26', () => {
  test('a batch is answered with an array; notifications in it get no entry', async () => {
    const raw = new RawStdio(db);
    try {
      const init = await raw.initialize('2025-03-26');
      assert.equal(init.result.protocolVersion, '2025-03-26');
      await raw.write(JSON.stringify([
        { jsonrpc: '2.0', id: 'a', method: 'ping' },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', id: 'b', method: 'tools/call',
          params: { name: 'run_sql', arguments: { sql: 'SELECT count(*) FROM teams' } } },
        { jsonrpc: '2.0', id: 'c', method: 'no/such/method' },
      ]) + '\n');
      const batch = await raw.next(Array.isArray, 10_000, 'the batch response');
      assert.deepEqual(batch.map(m => m.id).sort(), ['a', 'b', 'c']);
      const byId = Object.fromEntries(batch.map(m => [m.id, m]));
      assert.deepEqual(byId.a.result, {});
      assert.deepEqual(byId.b.result.structuredContent.rows, [[30]]);
      assertError(byId.c, -32601, 'an unknown method in a batch');
      await raw.write('[]\n');
      assertError(await raw.next(m => m.id === null && m.error, 10_000, 'empty batch'), -32600,
        'an empty batch');
      const { code } = await raw.end();
      assert.equal(code, 0);
    } finally {
      raw.kill();
    }
  });
});

describe('HTTP: raw requests to /mcp', () => {
  let server;
  let url;
  let session;  // { session, headers }

  before(async () => {
    server = await startServe({ db });
    url = server.url;
  });
  after(async () => {
    await server?.stop();
  });

  test('a request without a session: 400; with an unknown session: 404', async () => {
    const missing = await rawPost(url, { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { 'MCP-Protocol-Version': '2025-11-25' });
    assert.equal(missing.status, 400, missing.text);
    const unknown = await rawPost(url, { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { 'Mcp-Session-Id': 'ffffffffffffffffffffffffffffffff', 'MCP-Protocol-Version': '2025-11-25' });
    assert.equal(unknown.status, 404, unknown.text);
  });

  test('initialize issues a session; notifications get 202', async () => {
    session = await rawHttpSession(url, '2025-06-18');
    assert.match(session.session, /^[\x21-\x7e]+$/, 'the session id is visible ASCII');
    assert.equal(session.init.result.protocolVersion, '2025-06-18');
  });

  test('a refused initialize issues no session', async () => {
    const refused = await rawPost(url, { jsonrpc: '2.0', id: 1, method: 'initialize', params: {} });
    assertError(refused.messages[0], -32602, 'initialize without protocolVersion');
    // The session id belongs on "the HTTP response containing the InitializeResult" (spec,
    // Streamable HTTP, session management); an error carries none.
    const id = refused.headers.get('mcp-session-id');
    if (id) {
      const use = await rawPost(url, { jsonrpc: '2.0', id: 2, method: 'ping' },
        { 'Mcp-Session-Id': id, 'MCP-Protocol-Version': '2025-11-25' });
      assert.equal(use.status, 404, 'the id of a refused initialize names no session');
    }
    assert.equal(id, null, 'no Mcp-Session-Id header on a refused initialize');
  });

  test('invalid JSON: 400 with a -32700 body', async () => {
    const response = await rawPost(url, '{"jsonrpc": "2.0", "id": 1, "method": ', session.headers);
    assert.equal(response.status, 400);
    assert.ok(response.json, `a JSON body: ${response.text}`);
    assertError(response.json, -32700, 'invalid JSON');
    assert.equal(response.json.id, null);
  });

  test('wrong types: params not an object, id null: -32600', async () => {
    const params = await rawPost(url, { jsonrpc: '2.0', id: 2, method: 'tools/list', params: [] },
      session.headers);
    assertError(params.messages[0], -32600, 'params an array');
    assert.equal(params.messages[0].id, 2);
    const nullId = await rawPost(url, { jsonrpc: '2.0', id: null, method: 'ping' }, session.headers);
    assertError(nullId.messages[0], -32600, 'id null');
  });

  test('unknown method: -32601', async () => {
    const response = await rawPost(url, { jsonrpc: '2.0', id: 3, method: 'nope/nothing' },
      session.headers);
    assert.equal(response.status, 200);
    assertError(response.messages[0], -32601, 'an unknown method');
    assert.equal(response.messages[0].id, 3);
  });

  test('a batch under 2025-06-18: -32600; under 2025-03-26 it is answered', async () => {
    const batch = [
      { jsonrpc: '2.0', id: 4, method: 'ping' },
      { jsonrpc: '2.0', id: 5, method: 'tools/list' },
    ];
    const refused = await rawPost(url, batch, session.headers);
    assert.equal(refused.messages.length, 1, refused.text);
    assertError(refused.messages[0], -32600, 'a batch under 2025-06-18');

    const old = await rawHttpSession(url, '2025-03-26');
    assert.equal(old.init.result.protocolVersion, '2025-03-26');
    const answered = await rawPost(url, batch, old.headers);
    assert.equal(answered.status, 200, answered.text);
    assert.ok(Array.isArray(answered.messages) && answered.messages.length === 2, answered.text);
    const byId = Object.fromEntries(answered.messages.map(m => [m.id, m]));
    assert.deepEqual(byId[4].result, {});
    assert.equal(byId[5].result.tools.length, TOOL_NAMES.length);
    const notifications = await rawPost(url, [{ jsonrpc: '2.0', method: 'notifications/initialized' }],
      old.headers);
    assert.equal(notifications.status, 202, 'a batch of notifications only: 202');
  });

  test('a body over the 1 MiB limit: 413', async () => {
    const pad = 'x'.repeat(2 * 1024 * 1024);
    let response;
    try {
      response = await rawPost(url, { jsonrpc: '2.0', id: 6, method: 'ping', params: { pad } },
        session.headers);
    } catch (error) {
      assert.fail(`the client could not read a response to a 2 MiB body (${error.cause ?? error})`);
    }
    assert.equal(response.status, 413, response.text.slice(0, 200));
    // Just under the limit is fine.
    const fits = await rawPost(url, { jsonrpc: '2.0', id: 7, method: 'ping',
      params: { pad: 'y'.repeat(900 * 1024) } }, session.headers);
    assert.equal(fits.status, 200);
    assert.deepEqual(fits.messages[0].result, {});
  });

  test('an unsupported MCP-Protocol-Version: 400', async () => {
    const response = await rawPost(url, { jsonrpc: '2.0', id: 8, method: 'ping' },
      { ...session.headers, 'MCP-Protocol-Version': '1999-01-01' });
    assert.equal(response.status, 400, response.text);
  });

  test('a foreign Origin: 403; a localhost Origin is allowed', async () => {
    const evil = await rawPost(url, { jsonrpc: '2.0', id: 9, method: 'ping' },
      { ...session.headers, Origin: 'http://evil.example' });
    assert.equal(evil.status, 403, evil.text);
    const evilInit = await rawPost(url, { jsonrpc: '2.0', id: 1, method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } },
    { Origin: 'http://evil.example' });
    assert.equal(evilInit.status, 403, 'no session for a foreign origin');
    assert.equal(evilInit.headers.get('mcp-session-id'), null);
    const local = await rawPost(url, { jsonrpc: '2.0', id: 10, method: 'ping' },
      { ...session.headers, Origin: `http://localhost:${server.port}` });
    assert.equal(local.status, 200, local.text);
  });

  test('a POST that is not JSON: 415', async () => {
    const response = await rawPost(url, 'ping', { ...session.headers, 'Content-Type': 'text/plain' });
    assert.equal(response.status, 415, response.text);
  });

  test('GET /mcp opens an SSE stream for a valid session', async () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 10_000);
    try {
      const response = await fetch(url, {
        method: 'GET',
        headers: { Accept: 'text/event-stream', ...session.headers },
        signal: controller.signal,
      });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
      controller.abort();  // the stream stays open until we leave
    } finally {
      clearTimeout(timer);
    }
    const missing = await rawRequest(url, 'GET', { Accept: 'text/event-stream' });
    assert.equal(missing.status, 400, 'GET without a session');
  });

  test('DELETE ends the session: then 404', async () => {
    const deleted = await rawRequest(url, 'DELETE', session.headers);
    assert.ok(deleted.status >= 200 && deleted.status < 300, `DELETE: ${deleted.status}`);
    const after = await rawPost(url, { jsonrpc: '2.0', id: 11, method: 'ping' }, session.headers);
    assert.equal(after.status, 404, after.text);
    const again = await rawRequest(url, 'DELETE', session.headers);
    assert.equal(again.status, 404);
    const stream = await rawRequest(url, 'GET', { Accept: 'text/event-stream', ...session.headers });
    assert.equal(stream.status, 404);
  });

  test('after all of that the server still answers ping, and stops cleanly', async () => {
    const fresh = await rawHttpSession(url);
    const ping = await rawPost(url, { jsonrpc: '2.0', id: 12, method: 'ping' }, fresh.headers);
    assert.equal(ping.status, 200);
    assert.deepEqual(ping.messages[0].result, {});
    const health = await withTimeout(fetch(`${server.base}/healthz`), 5000, '/healthz');
    assert.equal(health.status, 200);
    assert.ok(server.alive(), 'the server is running');
    const { code, signal } = await server.stop();
    assert.equal(signal, null, `stopped by SIGTERM without crashing; stderr:\n${server.stderr()}`);
    assert.equal(code, 0);
  });
});

describe('HTTP: the body limit is configurable', () => {
  test('FASTBREAK_SERVER_BODY_LIMIT_BYTES=4096: 5000 bytes get 413, 3000 bytes pass', async () => {
    const server = await startServe({ db, env: { FASTBREAK_SERVER_BODY_LIMIT_BYTES: '4096' } });
    try {
      const { headers } = await rawHttpSession(server.url);
      const body = pad => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad } });
      const over = await rawPost(server.url, body('x'.repeat(5000)), headers);
      assert.equal(over.status, 413);
      const under = await rawPost(server.url, body('x'.repeat(3000)), headers);
      assert.equal(under.status, 200);
      assert.deepEqual(under.messages[0].result, {});
    } finally {
      const { code } = await server.stop();
      assert.equal(code, 0);
    }
  });
});

describe('HTTP: idle sessions expire', () => {
  test('FASTBREAK_MCP_SESSION_IDLE_TIMEOUT_MS=300: an idle session is gone (404) a second later', async () => {
    const server = await startServe({ db, env: { FASTBREAK_MCP_SESSION_IDLE_TIMEOUT_MS: '300' } });
    try {
      const { headers } = await rawHttpSession(server.url);
      const ping = { jsonrpc: '2.0', id: 1, method: 'ping' };
      assert.equal((await rawPost(server.url, ping, headers)).status, 200);
      await sleep(1200);
      const expired = await rawPost(server.url, ping, headers);
      assert.equal(expired.status, 404, expired.text);
      // A new session works.
      const fresh = await rawHttpSession(server.url);
      assert.equal((await rawPost(server.url, ping, fresh.headers)).status, 200);
    } finally {
      await server.stop();
    }
  });
});
