// Shared plumbing of the end-to-end tests: the binary, a temp database, servers started and
// always stopped, SDK clients, and raw stdio / HTTP helpers for the protocol error paths.
//
// The binary comes from E2E_FASTBREAK_BIN (ctest passes $<TARGET_FILE:fastbreak> to
// run_node_test.sh, which sets it). Not FASTBREAK_*: the server reads those as configuration. Everything is bounded in time: no helper here waits without a deadline.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, accessSync, constants as fsConstants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

// node_modules is installed by `make test-deps` (npm ci in tests/e2e). Checked before the SDK is
// imported so that a missing install reads as an instruction, not as a module resolution error.
const SDK_DIR = join(E2E_DIR, 'node_modules', '@modelcontextprotocol', 'sdk');
if (!existsSync(SDK_DIR)) {
  throw new Error(
    `tests/e2e/node_modules is missing (${SDK_DIR} not found): run \`make test-deps\` ` +
      '(or `npm ci` in tests/e2e) first');
}
const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
const { StreamableHTTPClientTransport } = await import(
  '@modelcontextprotocol/sdk/client/streamableHttp.js');
export { Client, StdioClientTransport, StreamableHTTPClientTransport };

export function fastbreakBin() {
  const bin = process.env.E2E_FASTBREAK_BIN;
  if (!bin) {
    throw new Error('E2E_FASTBREAK_BIN is not set: run through ctest (make test) or set it to ' +
      'the binary, e.g. E2E_FASTBREAK_BIN=$PWD/build/release/fastbreak node --test tests/e2e/');
  }
  accessSync(bin, fsConstants.X_OK);
  return bin;
}

// A temp dir removed when the process exits.
export function makeTempDir(prefix = 'fastbreak-e2e-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// A one-season league (2024-25 with play-by-play) in a fresh temp dir; returns its path.
export function generateDb() {
  const dir = makeTempDir();
  const db = join(dir, 'league.db');
  execFileSync(fastbreakBin(), ['generate', '--db', db, '--seasons', '1', '--start-season', '2024',
    '-q'], { timeout: 60_000, stdio: ['ignore', 'ignore', 'pipe'], env: serverEnv() });
  return db;
}

// The environment of a server we start: ours without FASTBREAK_* settings (the server reads
// those as configuration; tests set the ones they mean), plus `extra`.
export function serverEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('FASTBREAK_')) env[key] = value;
  }
  return { ...env, ...extra };
}

export function sleep(ms) {
  return new Promise(resolve => setTimeout(resolve, ms));
}

// Rejects with `what` when `promise` takes longer than `ms`.
export async function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// Children still running when the test process exits are killed.
const children = new Set();
process.on('exit', () => {
  for (const child of children) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});
export function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

// Waits for the child to exit; SIGTERM, then SIGKILL, when it takes longer than `ms`.
export function waitExit(child, ms = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise(resolve => {
    const term = setTimeout(() => child.kill('SIGTERM'), ms);
    const kill = setTimeout(() => child.kill('SIGKILL'), ms + 3000);
    child.once('exit', (code, signal) => {
      clearTimeout(term);
      clearTimeout(kill);
      resolve({ code, signal });
    });
  });
}

// `fastbreak serve --port 0` on 127.0.0.1; resolves once it logs the port it listens on.
export async function startServe({ db, env = {}, args = [] } = {}) {
  const child = track(spawn(fastbreakBin(),
    ['serve', '--db', db, '--host', '127.0.0.1', '--port', '0', '--log-level', 'info', ...args],
    { env: serverEnv(env), stdio: ['ignore', 'ignore', 'pipe'] }));
  let stderr = '';
  const port = await withTimeout(new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', chunk => {
      stderr += chunk;
      const match = /fastbreak serving http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', code => reject(new Error(`serve exited (${code}) before listening:\n${stderr}`)));
    child.on('error', reject);
  }), 15_000, 'fastbreak serve to log its port');
  const base = `http://127.0.0.1:${port}`;
  return {
    child,
    port,
    base,
    url: `${base}/mcp`,
    stderr: () => stderr,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode };
      child.kill('SIGTERM');
      return waitExit(child, 5000);
    },
  };
}

// Wraps transport.onmessage (set by Client.connect) so every incoming message is recorded.
export function recordIncoming(transport) {
  const seen = [];
  let handler;
  Object.defineProperty(transport, 'onmessage', {
    configurable: true,
    get() {
      return handler && ((message, extra) => {
        seen.push(message);
        handler(message, extra);
      });
    },
    set(value) { handler = value; },
  });
  return seen;
}

const CLIENT_INFO = { name: 'fastbreak-e2e', version: '1.0.0' };

// An SDK client over stdio to `fastbreak stdio --db db`. stderr is collected (logs).
export async function connectStdio({ db, env = {} }) {
  const transport = new StdioClientTransport({
    command: fastbreakBin(),
    args: ['stdio', '--db', db],
    env,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', chunk => { stderr += chunk; });
  const seen = recordIncoming(transport);
  const client = new Client(CLIENT_INFO, { capabilities: {} });
  await withTimeout(client.connect(transport), 15_000, 'stdio initialize');
  return {
    client,
    transport,
    seen,
    stderr: () => stderr,
    async close() { await withTimeout(client.close(), 10_000, 'closing the stdio client'); },
  };
}

// An SDK client over Streamable HTTP.
export async function connectHttp(url) {
  const transport = new StreamableHTTPClientTransport(new URL(url));
  const seen = recordIncoming(transport);
  const client = new Client(CLIENT_INFO, { capabilities: {} });
  await withTimeout(client.connect(transport), 15_000, 'HTTP initialize');
  return {
    client,
    transport,
    seen,
    async close() { await withTimeout(client.close(), 10_000, 'closing the HTTP client'); },
  };
}

// ---- raw stdio ----------------------------------------------------------------------------

// `fastbreak stdio` driven line by line: write() sends raw text, next() waits for a message.
export class RawStdio {
  constructor(db, env = {}) {
    this.child = track(spawn(fastbreakBin(), ['stdio', '--db', db],
      { env: serverEnv(env), stdio: ['pipe', 'pipe', 'pipe'] }));
    this.messages = [];
    this.badLines = [];
    this.waiters = [];
    this.stderr = '';
    this.nextId = 1000;
    let buffer = '';
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', chunk => {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          this.messages.push(JSON.parse(line));
        } catch {
          this.badLines.push(line);  // stdout must carry nothing but JSON-RPC
        }
        this.#wake();
      }
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', chunk => { this.stderr += chunk; });
    this.child.stdin.on('error', () => { /* the server went away; the test will see it */ });
    this.exited = new Promise(resolve => this.child.on('exit', (code, signal) => {
      resolve({ code, signal });
      this.#wake();
    }));
  }

  #wake() {
    for (const waiter of [...this.waiters]) waiter();
  }

  write(text) {
    return new Promise((resolve, reject) =>
      this.child.stdin.write(text, error => (error ? reject(error) : resolve())));
  }
  send(message) {
    return this.write(JSON.stringify(message) + '\n');
  }

  // The first message (received or to come) matching `predicate`; it is taken off the queue.
  next(predicate, ms = 10_000, what = 'a message') {
    return withTimeout(new Promise((resolve, reject) => {
      const check = () => {
        const index = this.messages.findIndex(predicate);
        if (index >= 0) {
          const [message] = this.messages.splice(index, 1);
          this.waiters = this.waiters.filter(w => w !== check);
          resolve(message);
        } else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          this.waiters = this.waiters.filter(w => w !== check);
          reject(new Error(`stdio server exited while waiting for ${what}; stderr:\n${this.stderr}`));
        }
      };
      this.waiters.push(check);
      check();
    }), ms, `stdio: ${what}`);
  }

  // Sends a request and waits for the response with its id.
  async request(method, params, ms = 10_000) {
    const id = this.nextId++;
    const message = { jsonrpc: '2.0', id, method };
    if (params !== undefined) message.params = params;
    await this.send(message);
    return this.next(m => m.id === id && !('method' in m), ms, `the response to ${method}`);
  }

  async initialize(protocolVersion = '2025-11-25') {
    const response = await this.request('initialize',
      { protocolVersion, capabilities: {}, clientInfo: CLIENT_INFO });
    await this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return response;
  }

  // Closes stdin (EOF) and waits for the exit.
  async end(ms = 10_000) {
    this.child.stdin.end();
    return withTimeout(this.exited, ms, 'stdio server to exit on EOF');
  }
  kill() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

// ---- raw HTTP -----------------------------------------------------------------------------

export const LATEST_VERSION = '2025-11-25';

// A POST to /mcp. Returns { status, headers, text, json, messages } where messages are the
// JSON-RPC messages of a JSON or SSE body.
export async function rawPost(url, body, headers = {}, ms = 10_000) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(ms),
  });
  return readResponse(response);
}

export async function rawRequest(url, method, headers = {}, ms = 10_000) {
  const response = await fetch(url, { method, headers, signal: AbortSignal.timeout(ms) });
  return readResponse(response);
}

async function readResponse(response) {
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  let json;
  let messages = [];
  if (type.includes('text/event-stream')) {
    messages = parseSse(text);
  } else if (text.length > 0) {
    try {
      json = JSON.parse(text);
      messages = Array.isArray(json) ? json : [json];
    } catch { /* left undefined: the test says what it expected */ }
  }
  return { status: response.status, headers: response.headers, text, json, messages };
}

export function parseSse(text) {
  const messages = [];
  for (const event of text.split(/\r?\n\r?\n/)) {
    const data = event.split(/\r?\n/).filter(l => l.startsWith('data:'))
      .map(l => l.slice(5).replace(/^ /, '')).join('\n');
    if (data) messages.push(JSON.parse(data));
  }
  return messages;
}

// initialize + notifications/initialized over raw HTTP; returns the session id.
export async function rawHttpSession(url, protocolVersion = LATEST_VERSION) {
  const init = await rawPost(url, {
    jsonrpc: '2.0', id: 1, method: 'initialize',
    params: { protocolVersion, capabilities: {}, clientInfo: CLIENT_INFO },
  });
  if (init.status !== 200) throw new Error(`initialize: HTTP ${init.status} ${init.text}`);
  const session = init.headers.get('mcp-session-id');
  if (!session) throw new Error('initialize: no Mcp-Session-Id header');
  const headers = { 'Mcp-Session-Id': session, 'MCP-Protocol-Version': protocolVersion };
  const ready = await rawPost(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
  if (ready.status !== 202) throw new Error(`notifications/initialized: HTTP ${ready.status}`);
  return { session, headers, init: init.messages[0] };
}

// ---- Redis --------------------------------------------------------------------------------

// A port that was free a moment ago (the kernel picks it; closed again at once).
export async function freePort() {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// The redis-server binary, or null when Redis is not installed.
export function redisServerBin() {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/usr/sbin'])) {
    if (dir && existsSync(join(dir, 'redis-server'))) return join(dir, 'redis-server');
  }
  return null;
}

// A real redis-server on 127.0.0.1 with a free port and no persistence, in its own temp dir.
// stop() ends it (SIGTERM), kill() SIGKILLs it, start() runs it again on the same port.
export async function startRedis() {
  const bin = redisServerBin();
  if (!bin) throw new Error('redis-server is not installed: run `make test-deps`');
  const dir = makeTempDir('fastbreak-redis-');
  const port = await freePort();
  let child = null;
  const redis = {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    async start() {
      child = track(spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '',
        '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning'],
        { stdio: ['ignore', 'ignore', 'pipe'] }));
      const deadline = Date.now() + 10_000;
      for (;;) {
        if (await redisPing(port)) return;
        if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode})`);
        if (Date.now() > deadline) throw new Error('redis-server did not answer PING in 10 s');
        await sleep(20);
      }
    },
    async kill() {
      if (child) {
        child.kill('SIGKILL');
        await waitExit(child, 2000);
      }
    },
    async stop() {
      if (child) {
        child.kill('SIGTERM');
        await waitExit(child, 3000);
      }
    },
  };
  await redis.start();
  return redis;
}

// True when a Redis on 127.0.0.1:port answers PING within 500 ms.
export async function redisPing(port) {
  const { connect } = await import('node:net');
  return new Promise(resolve => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = ok => { socket.destroy(); resolve(ok); };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', data => done(data.toString().startsWith('+PONG')));
  });
}
