/**
 * The `kubelings` command. With no command it opens the course (the TUI); otherwise it runs one of
 * the learner's or instructor's verbs. Errors meant for a person (KubelingsError) are printed as one
 * sentence; anything else is a kubelings bug and says so (the stack only with KUBELINGS_DEBUG=1).
 */
import { parseArgs } from 'node:util';
import { KubelingsError } from '#engine/errors.ts';

const USAGE = `kubelings: learn how Kubernetes works by building one

Usage: npx kubelings [command] [options]

  (no command)              open the course in the terminal (same as npm start)
  list                      every exercise and its state
  check <exercise|lesson>   grade an exercise (e.g. 00-objects/01-selectors) or a whole lesson
  check --all               grade everything
  watch [exercise]          re-grade on every save; moves on when it passes
  hint <exercise>           show the next hint
  reset <exercise>          put the original stub back (asks first; --yes to skip)
  pack check [DIR]          validate a lesson pack and prove its suites (default: the core pack)
  pack new DIR              scaffold a lesson pack
  pack seal [DIR]           record the pack's pristine stubs (--component C for one folder;
                            --check compares instead)
  cluster up|down|status    run the engine (see: npx kubelings cluster --help)

Options:
  --impl SPEC    whose code runs: solutions, exercises, mine, or e.g. exercises:etcd,scheduler
  --seed N       replay randomised tests
  --json         machine-readable output
  --pack DIR     load an extra lesson pack (also KUBELINGS_PACKS)
  --yes          do not ask before resetting
  -h, --help     this text
`;

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

  if (values.help && command !== 'cluster') {
    process.stdout.write(USAGE);
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
      if (!rest[0] && !values.all) throw new KubelingsError('Which exercise? For example: npx kubelings check 00-objects/01-selectors (or --all).');
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
    case 'cluster':
    case 'explain': {
      const { engineCommand } = await import('#engine/cli.ts');
      return engineCommand(command, rest, argv);
    }
    case 'help':
      process.stdout.write(USAGE);
      return 0;
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

/** Runs the CLI and exits with its code; used by tui/bin/kubelings.js. */
export async function run(): Promise<void> {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    if (error instanceof KubelingsError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
    } else {
      const e = error as Error;
      process.stderr.write(`kubelings hit a bug of its own: ${e?.message ?? String(error)}\n`);
      if (process.env.KUBELINGS_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
      else process.stderr.write('Run again with KUBELINGS_DEBUG=1 to see where, and please report it.\n');
      process.exitCode = 70;
    }
  }
}
