/**
 * The `kubelings` command. With no command it opens the course (the TUI); otherwise it runs one of
 * the learner's or instructor's verbs. Errors meant for a person (KubelingsError) are printed as one
 * sentence; anything else is a kubelings bug and says so (the stack only with KUBELINGS_DEBUG=1).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KubelingsError } from '#engine/errors.ts';
import { GRADE_DEADLINE_MS } from '#engine/params.ts';
import { adoptPrestartedChild } from './grader/spawn.js';

const USAGE = `kubelings: learn how Kubernetes works by building one

Usage: npx kubelings [command] [options]

  (no command)              open the course in the terminal (same as npm start)
  list                      every exercise and its state
  check [exercise|lesson]   grade an exercise (e.g. 00-objects/01-selectors) or a whole lesson;
                            with neither, the current exercise (the first not passed)
  check --all               grade everything
  watch [exercise]          re-grade on every save; moves on when it passes
  hint [exercise]           show the next hint (of the current exercise when none is named)
  edit [exercise]           open the exercise's file in $VISUAL / $EDITOR
  reset <exercise>          put the original stub back (asks first; --yes to skip)
  pack check [DIR]          validate a lesson pack and prove its suites (default: the core pack)
  pack new DIR              scaffold a lesson pack
  pack seal [DIR]           record the pack's pristine stubs (--component C for one folder;
                            --check compares instead)
  grade --submission DIR    grade a learner's copy of the project (instructors, classroom CI):
                            writes junit.xml and grade.json to --out DIR (kubelings-grade)
  cluster up|down|status    run the engine (see: npx kubelings cluster --help)
  explain pod NAME          why the scheduler puts a pod where it does (-n NAMESPACE)
  explain netpol [POD]      what NetworkPolicies select and allow (-n NAMESPACE | -A)
  node stop|start NAME      stop or restart a hollow node's heartbeats (as a crashed kubelet)

Options:
  --impl SPEC    whose code runs: solutions, exercises, mine, or e.g. exercises:etcd,scheduler
  --seed N       replay randomised tests
  --json         machine-readable output
  --pack DIR     load an extra lesson pack (also KUBELINGS_PACKS)
  --yes          do not ask before resetting
  -h, --help     this text; npx kubelings <command> --help for one command
`;

/** Each verb's own help: `npx kubelings <verb> --help` (or `help <verb>`). */
export const VERB_HELP: Record<string, string> = {
  start: `Usage: npx kubelings [start] [--pack DIR]

Opens the course full screen: lessons, quizzes and exercises, graded every time you save.
? shows the keys of each screen. Same as npm start.
`,
  list: `Usage: npx kubelings list [--json] [--pack DIR]

Every lesson and exercise with its state: ✓ passed, ● tried, ○ not started.
`,
  check: `Usage: npx kubelings check [exercise | lesson | --all] [--impl SPEC] [--seed N] [--json]

Grades an exercise (e.g. 03-scheduler/04-queue), a whole lesson (03-scheduler) or, with --all,
everything; with none of them, the current exercise (the first not passed). Prints ✓ or ✗ per
test, with what was done, what was expected and what came back, then Score: N/M. The earlier
exercises it builds on are re-run with it. Exit code 0 when everything graded passes.

  --impl SPEC   whose code the other components use (mine, exercises:etcd, ...); the exercise
                itself is always your file, unless you ask for the reference (--impl solutions)
  --seed N      replay the random inputs of an earlier run
  --json        the report as JSON
`,
  watch: `Usage: npx kubelings watch [exercise] [--impl SPEC]

Grades the exercise (the current one when none is named) every time you save its file, and moves
on to the next when it passes. Keys: h next hint, e open the file in your editor, n next exercise,
q quit.
`,
  hint: `Usage: npx kubelings hint [exercise] [--json]

Reveals the next hint of the exercise (the current one when none is named) and repeats those
already seen. Hints are a chain of questions; the last points at the page to reread.
`,
  edit: `Usage: npx kubelings edit [exercise]

Opens the exercise's file (the current exercise's when none is named) in $VISUAL or $EDITOR, or
else the first of editor, nano and vi that is installed.
`,
  reset: `Usage: npx kubelings reset <exercise> [--yes]

Puts the original stub back in place of your work (asks first; --yes does not ask), and forgets
that the exercise, and those that build on it, passed.
`,
  pack: `Usage: npx kubelings pack check [DIR] [--seed N] [--json]
       npx kubelings pack new DIR
       npx kubelings pack seal [DIR] [--component C] [--check]

  check   validate a lesson pack (default: the core pack) and prove its suites: each passes on
          the reference, and every test fails on the untouched stub
  new     scaffold a pack with one lesson, one page, a quiz question and one working exercise
  seal    record the pack's pristine stubs after you change one (--check compares instead)
`,
  grade: `Usage: npx kubelings grade --submission DIR [--pack DIR] [--out DIR] [--seed N] [--deadline S]

For instructors and classroom CI: grades a learner's copy of the project (DIR) from this
checkout. Only the exercise files the pack names are taken from DIR, into a pristine copy of the
pack's stubs; suites and engine are this checkout's. Grades the core pack, or the packs given with
--pack. Writes <out>/junit.xml and <out>/grade.json (--out, default kubelings-grade) and records
no progress. --deadline S gives each exercise's suite S seconds before it is stopped (default
${GRADE_DEADLINE_MS / 1000}): raise it on a slow or busy CI runner. Exit code 0 when every exercise passes, 1
otherwise.
`,
  explain: `Usage: npx kubelings explain pod NAME [-n NAMESPACE] [--json] [--impl SPEC]

Why the scheduler puts a pod where it does, node by node: each filter plugin's verdict and each
score plugin's weighted score, against the running cluster (npx kubelings cluster up).

       npx kubelings explain netpol [POD] [-n NAMESPACE | -A]

The NetworkPolicies, the pods each selects, each pod's isolation and, for POD, who may connect to
it and whom it may reach, port by port, as your evaluatePolicies decides; and whether the cluster's
network mode enforces them (kernel mode does, loopback mode does not).
`,
};

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: {
      impl: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
      pack: { type: 'string', multiple: true },
      yes: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      component: { type: 'string' },
      submission: { type: 'string' },
      out: { type: 'string' },
      deadline: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', default: false },
    },
  });
  const [command, ...rest] = positionals;
  const common = { packs: (values.pack as string[] | undefined) ?? [], json: Boolean(values.json) };
  const impl = values.impl as string | undefined;
  if (impl) process.env.KUBELINGS_IMPL = impl;
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw new KubelingsError(`--seed takes a whole number, not "${values.seed}".`);

  if (values.version && command === undefined) {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`kubelings ${manifest.version}\n`);
    return 0;
  }
  if (command === 'help' || (values.help && command !== 'cluster' && command !== 'node')) {
    const verb = command === 'help' ? rest[0] : command;
    if (verb === 'cluster') return (await import('#engine/cli.ts')).engineCommand('cluster', ['--help'], ['--help']);
    process.stdout.write(verb && VERB_HELP[verb] ? VERB_HELP[verb] : USAGE);
    return 0;
  }
  switch (command) {
    case undefined:
    case 'start': {
      const { startTui } = await loadTuiForTerminal();
      return startTui({ packs: common.packs });
    }
    case 'check': {
      const { checkCommand } = await import('./commands/check.ts');
      return checkCommand(rest[0], { ...common, all: Boolean(values.all), impl, seed });
    }
    case 'watch': {
      const { watchCommand } = await import('./commands/watch.ts');
      return watchCommand(rest[0], { ...common, impl });
    }
    case 'hint': {
      const { hintCommand } = await import('./commands/hint.ts');
      return hintCommand(rest[0], common);
    }
    case 'edit': {
      const { editCommand } = await import('./commands/edit.ts');
      return editCommand(rest[0], common);
    }
    case 'reset': {
      const { resetCommand } = await import('./commands/reset.ts');
      return resetCommand(rest[0], { ...common, yes: Boolean(values.yes) });
    }
    case 'list': {
      const { listCommand } = await import('./commands/list.ts');
      return listCommand(common);
    }
    case 'pack': {
      const pack = await import('./commands/pack.ts');
      const [verb, dir] = rest;
      if (verb === 'check') return pack.packCheckCommand(dir, { seed, json: common.json });
      if (verb === 'new') return pack.packNewCommand(dir);
      if (verb === 'seal') return pack.packSealCommand(dir, { check: Boolean(values.check), component: values.component as string | undefined });
      throw new KubelingsError(`pack takes check, new or seal (got "${verb ?? ''}").`);
    }
    case 'grade': {
      const { gradeCommand } = await import('./commands/grade.ts');
      const deadline = values.deadline === undefined ? undefined : Number(values.deadline);
      if (deadline !== undefined && !(deadline > 0 && deadline <= 3600)) throw new KubelingsError(`--deadline takes seconds per exercise (more than 0, at most 3600), not "${values.deadline}".`);
      return gradeCommand({
        ...common,
        submission: values.submission as string | undefined,
        out: values.out as string | undefined,
        seed,
        deadlineMs: deadline === undefined ? undefined : deadline * 1000,
      });
    }
    case 'cluster':
    case 'node':
    case 'explain': {
      const { engineCommand } = await import('#engine/cli.ts');
      return engineCommand(command, rest, argv);
    }
    default:
      throw new KubelingsError(`Unknown command "${command}". Run npx kubelings --help to see them all.`);
  }
}

/**
 * Loads the TUI. Ink draws only its last frame, at exit, when CI or CONTINUOUS_INTEGRATION is set,
 * and reads them once, as it loads. A terminal on stdout means a person is watching (a dev
 * container or a CI shell may still set CI), so ink loads without them; they are put back at once
 * for the commands the TUI runs.
 */
async function loadTuiForTerminal(): Promise<typeof import('./app/main.tsx')> {
  const hidden = process.stdout.isTTY ? (['CI', 'CONTINUOUS_INTEGRATION'] as const) : [];
  const saved = hidden.map((name) => [name, process.env[name]] as const);
  for (const name of hidden) delete process.env[name];
  try {
    return await import('./app/main.tsx');
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}

/** Runs one command line and gives its exit code; the errors a command throws are printed here. */
export async function runArgv(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (error) {
    if (error instanceof KubelingsError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    const e = error as Error;
    process.stderr.write(`kubelings hit a bug of its own: ${e?.message ?? String(error)}\n`);
    if (process.env.KUBELINGS_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
    else process.stderr.write('Run again with KUBELINGS_DEBUG=1 to see where, and please report it.\n');
    return 70;
  }
}

/** The check command's module, for the warm grader (tui/grader/warm-server.js), which keeps its runner warm. */
export function loadCheckCommand(): Promise<typeof import('./commands/check.ts')> {
  return import('./commands/check.ts');
}

/** Runs the CLI and exits with its code; used by tui/bin/kubelings.js. */
export async function run(): Promise<void> {
  try {
    process.exitCode = await runArgv(process.argv.slice(2));
  } finally {
    // The bin shim starts the grader early for check and watch; a run that never graded (help,
    // an unknown exercise) must not be kept alive by it.
    const unused = adoptPrestartedChild();
    if (unused?.pid) {
      try {
        process.kill(-unused.pid, 'SIGKILL');
      } catch {
        unused.kill('SIGKILL');
      }
    }
  }
}
