// The MCP SDK client against Streamable HTTP at /mcp of `fastbreak serve`
// (StreamableHTTPClientTransport), then session end by the client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectHttp, generateDb, rawHttpSession, rawPost, sleep, startServe, withTimeout } from './lib/harness.mjs';
import { LONG_SQL, registerMcpSuite } from './lib/mcp_suite.mjs';

const db = generateDb();

// Each connection gets its own server (started with `env`), stopped with the client.
async function connect(env) {
  const server = await startServe({ db, env });
  try {
    const conn = await connectHttp(server.url);
    return {
      ...conn,
      server,
      async close() {
        try {
          await conn.close();
        } finally {
          const { code, signal } = await server.stop();
          assert.equal(signal, null, `serve was not killed; stderr:\n${server.stderr()}`);
          assert.equal(code, 0, `serve exited 0 on SIGTERM; stderr:\n${server.stderr()}`);
        }
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

registerMcpSuite('HTTP', { connect });

test('HTTP: the transport holds the negotiated version; terminateSession ends the session (then 404)', async () => {
  const conn = await connect({});
  try {
    const { client, transport, server } = conn;
    assert.equal(transport.protocolVersion, '2025-11-25');
    const id = transport.sessionId;
    assert.ok(id, 'the client got an Mcp-Session-Id');
    assert.deepEqual(await client.ping(), {});
    const alive = await rawPost(server.url, { jsonrpc: '2.0', id: 1, method: 'ping' },
      { 'Mcp-Session-Id': id, 'MCP-Protocol-Version': '2025-11-25' });
    assert.equal(alive.status, 200, 'the session works for a raw request too');
    await transport.terminateSession();
    assert.equal(transport.sessionId, undefined);
    const ended = await rawPost(server.url, { jsonrpc: '2.0', id: 2, method: 'ping' },
      { 'Mcp-Session-Id': id, 'MCP-Protocol-Version': '2025-11-25' });
    assert.equal(ended.status, 404, `a request on the ended session: ${ended.text}`);
  } finally {
    await conn.close();
  }
});

test('HTTP: ending the session or dropping the connection interrupts its running call', async () => {
  // One worker: a call left running would hold it, and the quick call below would wait.
  const server = await startServe({ db, env: { FASTBREAK_MCP_WORKERS: '1' } });
  const long = { jsonrpc: '2.0', id: 'long', method: 'tools/call',
    params: { name: 'run_sql', arguments: { sql: LONG_SQL, timeout_ms: 10_000 } } };
  const quick = { jsonrpc: '2.0', id: 'quick', method: 'tools/call',
    params: { name: 'run_sql', arguments: { sql: 'SELECT count(*) FROM teams' } } };
  async function quickCall() {
    const { headers } = await rawHttpSession(server.url);
    const started = Date.now();
    const response = await rawPost(server.url, quick, headers, 9000);
    const elapsed = Date.now() - started;
    assert.equal(response.status, 200);
    assert.deepEqual(response.messages.at(-1).result.structuredContent.rows, [[30]]);
    return elapsed;
  }
  try {
    // 1. DELETE the session while its call runs.
    const a = await rawHttpSession(server.url);
    const running = fetch(server.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream',
        ...a.headers },
      body: JSON.stringify(long),
      signal: AbortSignal.timeout(15_000),
    }).then(r => r.text()).catch(e => e);
    await sleep(400);
    const deleted = await fetch(server.url, { method: 'DELETE', headers: a.headers,
      signal: AbortSignal.timeout(5000) });
    assert.equal(deleted.status, 204);
    const afterDelete = await quickCall();
    assert.ok(afterDelete < 3000, `after DELETE the next call took ${afterDelete} ms`);
    await withTimeout(running, 10_000, 'the POST of the ended session to settle');

    // 2. Drop the connection of a running call.
    const b = await rawHttpSession(server.url);
    const controller = new AbortController();
    const dropped = fetch(server.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream',
        ...b.headers },
      body: JSON.stringify(long),
      signal: controller.signal,
    }).then(r => r.text()).catch(e => e);
    await sleep(400);
    controller.abort();
    await dropped;
    await sleep(100);
    const afterDrop = await quickCall();
    assert.ok(afterDrop < 3000, `after the client went away the next call took ${afterDrop} ms`);
  } finally {
    const { code } = await server.stop();
    assert.equal(code, 0);
  }
});
