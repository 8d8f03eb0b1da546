// Turns the JSON lines written by scripts/bench-mcp.sh into Markdown tables.
//   node bench/summarize.mjs STDIO_JSONL HTTP_JSONL
// STDIO_JSONL: mcp_stdio_bench --json lines, labels "driver alone (echo)", "fastbreak",
// "mcp-sqlite"; a label at one in-flight count appears once per round, rounds in order.
// HTTP_JSONL: {"target", "connections", "threads", "rps", "p50", "p99", "failures"} per wrk run,
// p50/p99 as wrk prints them ("512.00us", "1.20ms").
import { readFileSync } from "node:fs";

const [stdioPath, httpPath] = process.argv.slice(2);
const lines = (path) =>
  path ? readFileSync(path, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l)) : [];

const median = (values) => {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};
const int = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "-");
const us = (x) => {
  if (!Number.isFinite(x)) return "-";
  if (x < 10) return `${x.toFixed(1)} µs`;
  if (x < 1000) return `${x.toFixed(0)} µs`;
  return `${(x / 1000).toFixed(2)} ms`;
};
const wrkUs = (text) => {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text ?? "");
  if (!m) return NaN;
  return Number(m[1]) * { us: 1, ms: 1000, s: 1e6 }[m[2]];
};

const stdio = lines(stdioPath);
const group = (label, k) => stdio.filter((r) => r.label === label && r.in_flight === k);
const ks = [...new Set(stdio.map((r) => r.in_flight))].sort((a, b) => a - b);
const failures = (runs) => runs.reduce((sum, r) => sum + r.failures, 0);

const echo = "driver alone (echo)";
if (stdio.some((r) => r.label === echo)) {
  console.log(`### stdio driver alone (mcp_stdio_bench against its own --echo server)\n`);
  console.log("| in flight | runs | req/s | p50 | p99 |");
  console.log("|---:|---:|---:|---:|---:|");
  for (const k of ks) {
    const runs = group(echo, k);
    if (runs.length === 0) continue;
    console.log(`| ${k} | ${runs.length} | ${int(median(runs.map((r) => r.rps)))} | ` +
      `${us(median(runs.map((r) => r.p50_us)))} | ${us(median(runs.map((r) => r.p99_us)))} |`);
  }
  console.log("");
}

if (stdio.some((r) => r.label === "fastbreak")) {
  console.log("### stdio: fastbreak vs mcp-sqlite, same SQL on the same file (median of interleaved rounds)\n");
  console.log("| in flight | rounds | fastbreak req/s | mcp-sqlite req/s | ratio | fastbreak p50 / p99 | mcp-sqlite p50 / p99 | failures (fb / node) |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const k of ks) {
    const a = group("fastbreak", k);
    const b = group("mcp-sqlite", k);
    if (a.length === 0) continue;
    const pairs = Math.min(a.length, b.length);
    const ratios = [];
    for (let i = 0; i < pairs; i++) ratios.push(a[i].rps / b[i].rps);
    const ratio = ratios.length ? `${median(ratios).toFixed(1)}x` : "-";
    console.log(`| ${k} | ${a.length} | ${int(median(a.map((r) => r.rps)))} | ` +
      `${int(median(b.map((r) => r.rps)))} | ${ratio} | ` +
      `${us(median(a.map((r) => r.p50_us)))} / ${us(median(a.map((r) => r.p99_us)))} | ` +
      `${us(median(b.map((r) => r.p50_us)))} / ${us(median(b.map((r) => r.p99_us)))} | ` +
      `${failures(a)} / ${failures(b)} |`);
  }
  console.log("\n(ratio: median over rounds of fastbreak req/s ÷ mcp-sqlite req/s in the same round)\n");
}

const http = lines(httpPath);
if (http.length) {
  console.log("### HTTP: POST /mcp tools/call (wrk, one initialized session)\n");
  console.log("| target | connections | wrk threads | req/s | p50 | p99 | failures |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const r of http) {
    console.log(`| ${r.target} | ${r.connections} | ${r.threads} | ${int(r.rps)} | ` +
      `${us(wrkUs(r.p50))} | ${us(wrkUs(r.p99))} | ${r.failures} |`);
  }
  console.log("");
}
