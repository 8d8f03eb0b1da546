// Summarizes scripts/bench-cache.sh results (JSON lines) as a Markdown table: per target the
// median req/s and p99 over rounds, and fastbreak / nginx ratios per round and of the medians.
import { readFileSync } from 'node:fs';

const rows = readFileSync(process.argv[2], 'utf8').trim().split('\n').map(l => JSON.parse(l));
const ms = text => {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text ?? '');
  if (!m) return NaN;
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]];
};
const median = values => {
  const v = [...values].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const by = target => rows.filter(r => r.target === target);
const nginx = by('nginx');
const fastbreak = by('fastbreak');
const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

console.log('| | req/s (median) | p50 (median) | p99 (median) | failures |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, list] of [['nginx, static file', nginx], ['fastbreak, cached tools/call', fastbreak]]) {
  console.log(`| ${name} | ${fmt(median(list.map(r => r.rps)))} | ${fmt(median(list.map(r => ms(r.p50))), 3)} ms | ` +
    `${fmt(median(list.map(r => ms(r.p99))), 3)} ms | ${list.reduce((s, r) => s + r.failures, 0)} |`);
}
console.log();
console.log('| round | nginx req/s | fastbreak req/s | rate ratio | nginx p99 | fastbreak p99 | p99 ratio |');
console.log('|---:|---:|---:|---:|---:|---:|---:|');
for (const n of nginx) {
  const f = fastbreak.find(r => r.round === n.round);
  if (!f) continue;
  console.log(`| ${n.round} | ${fmt(n.rps)} | ${fmt(f.rps)} | ${fmt(f.rps / n.rps, 2)} | ${n.p99} | ${f.p99} | ` +
    `${fmt(ms(f.p99) / ms(n.p99), 2)} |`);
}
const rate = median(fastbreak.map(r => r.rps)) / median(nginx.map(r => r.rps));
const p99 = median(fastbreak.map(r => ms(r.p99))) / median(nginx.map(r => ms(r.p99)));
console.log();
console.log(`fastbreak / nginx: ${fmt(rate, 2)}x the request rate (goal >= 0.5), ` +
  `${fmt(p99, 2)}x the p99 (goal <= 2).`);
