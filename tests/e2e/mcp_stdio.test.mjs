// The MCP SDK client against `fastbreak stdio --db FILE` (StdioClientTransport spawns it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectStdio, generateDb, RawStdio } from './lib/harness.mjs';
import { registerMcpSuite, TOOL_NAMES } from './lib/mcp_suite.mjs';

const db = generateDb();

registerMcpSuite('stdio', {
  connect: env => connectStdio({ db, env }),
});

test('stdio: stdout carries only JSON-RPC, and EOF ends the process with status 0', async () => {
  const raw = new RawStdio(db);
  try {
    const init = await raw.initialize();
    assert.equal(init.result.protocolVersion, '2025-11-25');
    const listed = await raw.request('tools/list', {});
    assert.equal(listed.result.tools.length, TOOL_NAMES.length);
    const { code, signal } = await raw.end();
    assert.equal(signal, null);
    assert.equal(code, 0, `exit status; stderr:\n${raw.stderr}`);
    assert.deepEqual(raw.badLines, [], 'no non-JSON line on stdout');
  } finally {
    raw.kill();
  }
});
