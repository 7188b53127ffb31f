/**
 * `npx tsx test/mutation/recheck.ts <component> <file.ts[:line,line...]|all> [suite...]`: re-checks
 * the mutants that survived the last `npm run mutate <component>` (reports/mutation/<component>.json)
 * without a full Stryker run. Each survivor is applied by hand to a copy of the reference
 * (.stryker-tmp/recheck/<id>/, git-ignored, removed after), and the given suites (all of
 * test/grading/<component>/ when none is named) run against it through KUBELINGS_SOLUTIONS_PATH.
 * Prints KILLED or SURVIVED per mutant, and MOVED when the mutated line is no longer in the
 * current reference (edit by hand then). A mutant killed here is killed by the suites as they are
 * now; the score only a full run measures. KUBELINGS_RECHECK_REPORT=FILE reads a saved copy of the
 * report instead (e.g. while the next file's run rewrites reports/). A mutant whose suites run
 * longer than KUBELINGS_RECHECK_TIMEOUT_MS (default 5 minutes; a mutant that loops for ever) is
 * stopped with its whole process group and counted TIMEOUT, detected as Stryker counts it.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ROOT } from '#engine/paths.ts';

const TIMEOUT_MS = Number(process.env.KUBELINGS_RECHECK_TIMEOUT_MS) || 5 * 60_000;

/** The process group of the suites running now, ended with this program too (Ctrl-C, a closed pipe). */
let running: number | undefined;
const killGroup = (pid: number) => {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
};
process.on('exit', () => running !== undefined && killGroup(running));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGPIPE'] as const) process.on(signal, () => process.exit(130));

/** Runs the suites in a process group of their own; the exit code, or 'timeout' once the group was killed. */
function runSuites(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number | 'timeout'> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: 'ignore', detached: true });
    running = child.pid;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid!);
    }, TIMEOUT_MS);
    child.on('error', () => resolve(1));
    child.on('exit', (code) => {
      clearTimeout(timer);
      killGroup(child.pid!); // workers the suites left behind
      running = undefined;
      resolve(timedOut ? 'timeout' : (code ?? 1));
    });
  });
}

interface Mutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
}

const [component, filter = 'all', ...suites] = process.argv.slice(2);
if (!component || !/^[a-z]+$/.test(component)) {
  console.error('usage: npx tsx test/mutation/recheck.ts <component> <file.ts[:line,line...]|all> [suite...]');
  process.exit(2);
}
// KUBELINGS_RECHECK_REPORT: a saved copy of a report (another run may be overwriting reports/ meanwhile).
const report = JSON.parse(readFileSync(process.env.KUBELINGS_RECHECK_REPORT ?? join(ROOT, 'reports', 'mutation', `${component}.json`), 'utf8')) as {
  files: Record<string, { source: string; mutants: Mutant[] }>;
};
const [wantedFile, wantedLines] = filter.split(':');
const lines = wantedLines ? new Set(wantedLines.split(',').map(Number)) : undefined;
const vitest = join(ROOT, 'node_modules', '.bin', 'vitest');
let killed = 0;
let survived = 0;

for (const [file, { source, mutants }] of Object.entries(report.files)) {
  if (wantedFile !== 'all' && basename(file) !== wantedFile) continue;
  const current = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const reported = source.split('\n');
  for (const m of mutants) {
    const { start, end } = m.location;
    if ((m.status !== 'Survived' && m.status !== 'NoCoverage') || (lines && !lines.has(start.line))) continue;
    const where = `${file}:${start.line}:${start.column} ${m.mutatorName} (id ${m.id}) → ${(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80)}`;
    // The mutated line as the report has it, found again in the current file (it may have moved).
    const text = reported[start.line - 1];
    const matches = current.flatMap((l, i) => (l === text ? [i] : []));
    const at = matches.length === 1 ? matches[0]! : matches.includes(start.line - 1) ? start.line - 1 : -1;
    if (at < 0) {
      console.log(`MOVED    ${where}`);
      continue;
    }
    const offset = (line: number, column: number) => current.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + column - 1;
    const whole = current.join('\n');
    // A binary operator mutant replaces one operand group of a longer expression (`a && b` in `a && b && c`):
    // parenthesised, it keeps the grouping Stryker mutated in the syntax tree, whatever the precedence.
    const grouped = ['LogicalOperator', 'EqualityOperator', 'ArithmeticOperator'].includes(m.mutatorName);
    const replacement = grouped ? `(${m.replacement ?? ''})` : (m.replacement ?? '');
    const mutated = whole.slice(0, offset(at, start.column)) + replacement + whole.slice(offset(at + end.line - start.line, end.column));
    const copy = join(ROOT, '.stryker-tmp', 'recheck', m.id);
    rmSync(copy, { recursive: true, force: true });
    mkdirSync(copy, { recursive: true });
    try {
      cpSync(join(ROOT, 'solutions', component), join(copy, component), { recursive: true });
      writeFileSync(join(copy, component, basename(file)), mutated);
      const status = await runSuites(vitest, ['run', ...(suites.length > 0 ? suites : [`test/grading/${component}/`])], { ...process.env, KUBELINGS_SOLUTIONS_PATH: copy });
      if (status === 0) survived++;
      else killed++;
      console.log(`${status === 0 ? 'SURVIVED' : status === 'timeout' ? 'TIMEOUT ' : 'KILLED  '} ${where}`);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }
}
console.log(`\n${killed} killed, ${survived} survived`);
