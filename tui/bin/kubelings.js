#!/usr/bin/env node
// The `kubelings` command: registers tsx so that the TypeScript sources run without a build step,
// then hands over to the CLI (tui/cli.ts). Plain JavaScript because it runs before tsx is loaded.
// For verbs that grade, the grader's test runner starts first, so it loads while the CLI does.

// A check typed at a terminal goes to the warm grader an earlier check left running (warm.js);
// when there is none that can serve it, the check runs here as below.
const warm = await import('../grader/warm.js');
const warmExit = warm.warmGraderWanted(process.argv.slice(2)) ? await warm.checkThroughWarmGrader(process.argv.slice(2)) : undefined;
if (warmExit !== undefined) process.exitCode = warmExit;
else await runHere();

async function runHere() {
  const verb = process.argv[2];
  const asksForHelp = process.argv.includes('--help') || process.argv.includes('-h');
  if ((verb === 'check' || verb === 'watch') && !asksForHelp) {
    const { prestartGraderChild } = await import('../grader/spawn.js');
    prestartGraderChild();
  }
  // The TUI (no verb) and the quick verbs start from a bundle built once and kept fresh
  // (bundle.js): much faster than loading the sources through tsx.
  const { bundledInvocation, bundledCli } = await import('./bundle.js');
  const bundle = bundledInvocation(process.argv.slice(2)) ? await bundledCli() : undefined;
  const cli = bundle ? await import(bundle).catch(() => undefined) : undefined;
  if (!cli) (await import('tsx/esm/api')).register();
  const { run } = cli ?? (await import('../cli.ts'));
  await run();
}
