/**
 * `npm run mutate [component...]`: mutation testing of the hidden suites (not part of `npm test`).
 * For each component named (all of them when none is), runs Stryker with stryker.config.mjs, one
 * component at a time, then prints the mutation score of each and the mutants that survived (file,
 * line, what was changed). Reports: reports/mutation/<component>.html and .json (git-ignored).
 *
 * Options: `--concurrency N` (default 2: the machine is shared), `--incremental` (reuse the results
 * of the last run for code and tests that did not change), `--report` (print the summary of the last
 * run's reports without running anything), `--mutate FILE` (mutate only that file of the component,
 * e.g. `npm run mutate cni -- --mutate solutions/cni/ipam.ts`: a slow component one exercise at a
 * time; passed to Stryker's own `--mutate`, so a glob or a line range `FILE:10-40` works too;
 * repeat it for more files).
 *
 * The surviving mutants judged equivalent or implausible are listed, with a reason each, in
 * test/grading/<component>/MUTANTS.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '#engine/paths.ts';

const COMPONENTS = ['objects', 'etcd', 'scheduler', 'apiserver', 'controllers', 'kubelet', 'cni', 'services'];

const args = process.argv.slice(2);
let concurrency = '2';
let incremental = false;
let reportOnly = false;
const onlyFiles: string[] = [];
const wanted: string[] = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  if (arg === '--concurrency') concurrency = args[++i] ?? '';
  else if (arg === '--incremental') incremental = true;
  else if (arg === '--report') reportOnly = true;
  else if (arg === '--mutate') onlyFiles.push(args[++i] ?? '');
  else if (arg === '--help' || arg === '-h') {
    console.log(`usage: npm run mutate [${COMPONENTS.join('|')}...] [-- --concurrency N] [-- --incremental] [-- --report] [-- --mutate solutions/<component>/FILE.ts]`);
    process.exit(0);
  } else wanted.push(arg);
}
const unknown = wanted.filter((c) => !COMPONENTS.includes(c));
if (unknown.length > 0 || !/^[1-9][0-9]*$/.test(concurrency)) {
  console.error(unknown.length > 0 ? `Unknown component ${unknown.join(', ')}: use ${COMPONENTS.join(', ')}.` : '--concurrency needs a whole number of at least 1.');
  process.exit(2);
}
// A file to mutate must belong to the one component named: otherwise Stryker would mutate code that
// the chosen suites never load, and every mutant would "survive".
const strayFile = onlyFiles.find((f) => wanted.length !== 1 || !f.replace(/^\.\//, '').startsWith(`solutions/${wanted[0]}/`));
if (strayFile !== undefined) {
  console.error(`--mutate ${JSON.stringify(strayFile)}: name one component and a file under its solutions/<component>/ folder (e.g. npm run mutate cni -- --mutate solutions/cni/ipam.ts).`);
  process.exit(2);
}

interface MutantReport {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
}
interface JsonReport {
  files: Record<string, { source: string; mutants: MutantReport[] }>;
}

/** Stryker's mutation score: detected (killed, timed out) over detected and undetected (survived, not covered). */
function summarise(report: JsonReport) {
  const count = (status: string) => Object.values(report.files).reduce((n, f) => n + f.mutants.filter((m) => m.status === status).length, 0);
  const detected = count('Killed') + count('Timeout');
  const undetected = count('Survived') + count('NoCoverage');
  const survivors = Object.entries(report.files).flatMap(([file, f]) => {
    const lines = f.source.split('\n');
    return f.mutants
      .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
      .map((m) => {
        const { start, end } = m.location;
        const line = lines[start.line - 1] ?? '';
        // The line as the mutant has it (for a mutant that spans lines, its first line only).
        const mutated = start.line === end.line ? line.slice(0, start.column - 1) + (m.replacement ?? '') + line.slice(end.column - 1) : `${line.slice(0, start.column - 1)}${m.replacement ?? ''}`;
        const clip = (text: string) => text.trim().replace(/\s+/g, ' ').slice(0, 140);
        return `${file}:${start.line}:${start.column} ${m.mutatorName}${m.status === 'NoCoverage' ? ' (no test reaches it)' : ''}\n      - ${clip(line)}\n      + ${clip(mutated)}`;
      });
  });
  return { detected, undetected, score: detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected), survivors };
}

const results: string[] = [];
let failed = false;
for (const component of wanted.length > 0 ? wanted : COMPONENTS) {
  const started = Date.now();
  if (!reportOnly) console.log(`\n## Mutating solutions/${component}/ against test/grading/${component}/\n`);
  const run = reportOnly
    ? { status: 0, signal: null }
    : spawnSync(
        process.execPath,
        [join(ROOT, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js'), 'run', 'stryker.config.mjs', ...(onlyFiles.length > 0 ? ['--mutate', onlyFiles.join(',')] : [])],
        {
          cwd: ROOT,
          stdio: 'inherit',
          env: { ...process.env, KUBELINGS_MUTATE: component, KUBELINGS_MUTATE_CONCURRENCY: concurrency, KUBELINGS_MUTATE_INCREMENTAL: incremental ? '1' : '0' },
        },
      );
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  const reportFile = join(ROOT, 'reports', 'mutation', `${component}.json`);
  if (run.status !== 0 || !existsSync(reportFile)) {
    failed = true;
    results.push(`${component}: Stryker failed (exit ${run.status ?? run.signal}) after ${minutes} min`);
    continue;
  }
  const { detected, undetected, score, survivors } = summarise(JSON.parse(readFileSync(reportFile, 'utf8')) as JsonReport);
  results.push(
    `${component}: mutation score ${score.toFixed(2)}% (${detected} detected, ${undetected} undetected) in ${minutes} min` +
      (survivors.length > 0 ? `\n  surviving:\n    ${survivors.join('\n    ')}` : ''),
  );
}
console.log(`\n## Mutation scores\n\n${results.join('\n\n')}\n\nEquivalent and implausible survivors, with reasons: test/grading/<component>/MUTANTS.md`);
process.exit(failed ? 1 : 0);
