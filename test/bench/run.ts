/**
 * `npm run bench [name...]`: runs the benchmarks in test/bench/*.bench.ts (all, or those named) and
 * prints each figure with its baseline, ratio and target. See harness.ts.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stateDir } from '#engine/paths.ts';
import { met, ratio, type Benchmark, type Figure } from './harness.ts';

const dir = import.meta.dirname;
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

const fmt = (n: number) => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3));

console.log(`kubelings benchmarks on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}), Node ${process.version}\n`);
const results: { bench: string; figures: Figure[]; error?: string }[] = [];
let failures = 0;
for (const file of files) {
  const bench = (await import(pathToFileURL(join(dir, file)).href)).default as Benchmark;
  console.log(`## ${bench.name}: ${bench.description}`);
  try {
    const figures = await bench.run();
    for (const f of figures) {
      const r = ratio(f);
      const ok = met(f);
      if (ok === false) failures++;
      const base = f.baseline ? `  vs ${f.baseline.name} ${fmt(f.baseline.value)} ${f.unit}  = ${r!.toFixed(2)}×` : '';
      const t = f.target;
      const target = t
        ? `  target ${[t.minRatio && `≥ ${t.minRatio}×`, t.maxRatio && `≤ ${t.maxRatio}×`, t.min !== undefined && `≥ ${fmt(t.min)}`, t.max !== undefined && `≤ ${fmt(t.max)}`].filter(Boolean).join(' ')} ${ok ? '✓' : '✗'}`
        : '';
      console.log(`  ${f.name}: ${fmt(f.value)} ${f.unit}${base}${target}${f.note ? `\n    (${f.note})` : ''}`);
    }
    results.push({ bench: bench.name, figures });
  } catch (error) {
    failures++;
    console.log(`  failed: ${(error as Error).stack ?? error}`);
    results.push({ bench: bench.name, figures: [], error: String(error) });
  }
  console.log('');
}
const out = join(stateDir(), 'bench');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'latest.json'), `${JSON.stringify({ at: new Date().toISOString(), results }, null, 2)}\n`);
console.log(failures === 0 ? 'Every target met.' : `${failures} figure(s) missed their target or failed.`);
