// The official MCP conformance suite (@modelcontextprotocol/conformance, run offline from
// node_modules with npx --no-install) against `fastbreak serve`, one scenario at a time.
// A scenario fails on any FAILURE check, a non-zero exit, or no successful check at all.
// Run by run_node_test.sh: node --test conformance.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_DIR, generateDb, makeTempDir, startServe, track, waitExit } from './lib/harness.mjs';

const SCENARIOS = [
  'server-initialize',
  'ping',
  'logging-set-level',
  'completion-complete',
  'tools-list',
  'resources-list',
  'prompts-list',
  'server-sse-multiple-streams',
];

let server;
const outDir = makeTempDir('fastbreak-conformance-');
const totals = { scenarios: 0, passed: 0, failed: 0, warnings: 0, failures: [] };

before(async () => {
  server = await startServe({ db: generateDb() });
});
after(async () => {
  await server?.stop();
  const bad = totals.failures.length;
  console.log(`conformance: ${totals.scenarios - bad}/${totals.scenarios} scenarios passed, ` +
    `${totals.passed} checks passed, ${totals.failed} failed, ${totals.warnings} warnings` +
    (bad ? ` (failing: ${totals.failures.join(', ')})` : ''));
});

// Runs one scenario; resolves with the exit status, the output, and the checks it saved.
async function runScenario(scenario) {
  const dir = join(outDir, scenario);
  const child = track(spawn('npx', ['--no-install', '@modelcontextprotocol/conformance', 'server',
    '--url', server.url, '--scenario', scenario, '--output-dir', dir], {
    cwd: E2E_DIR,
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_offline: 'true',
      NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  let output = '';
  child.stdout.on('data', chunk => { output += chunk; });
  child.stderr.on('data', chunk => { output += chunk; });
  const { code, signal } = await waitExit(child, 60_000);
  let checks = [];
  try {
    const [run] = readdirSync(dir);
    checks = JSON.parse(readFileSync(join(dir, run, 'checks.json'), 'utf8'));
  } catch { /* no results saved: reported below */ }
  return { code, signal, output, checks };
}

for (const scenario of SCENARIOS) {
  test(scenario, async () => {
    const { code, signal, output, checks } = await runScenario(scenario);
    totals.scenarios += 1;
    const count = status => checks.filter(c => c.status === status).length;
    const failed = checks.filter(c => c.status === 'FAILURE');
    totals.passed += count('SUCCESS');
    totals.failed += failed.length;
    totals.warnings += count('WARNING');
    const ok = signal === null && code === 0 && failed.length === 0 && count('SUCCESS') > 0;
    if (!ok) totals.failures.push(scenario);
    for (const check of checks.filter(c => c.status === 'WARNING')) {
      console.log(`  warning ${scenario}/${check.id}: ${check.errorMessage ?? check.description}`);
    }
    assert.ok(checks.length > 0, `${scenario}: no checks.json was written; output:\n${output}`);
    assert.deepEqual(failed.map(c => `${c.id}: ${c.errorMessage ?? c.description}`), [],
      `${scenario}: FAILED checks; output:\n${output}`);
    assert.ok(count('SUCCESS') > 0, `${scenario}: no check succeeded; output:\n${output}`);
    assert.equal(signal, null, `${scenario}: the conformance run was killed (timeout?)`);
    assert.equal(code, 0, `${scenario}: exit status ${code}; output:\n${output}`);
  });
}

test('the server survived the conformance runs', () => {
  assert.ok(server.alive(), `serve is still running; stderr:\n${server.stderr()}`);
});
