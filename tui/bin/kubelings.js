#!/usr/bin/env node
// The `kubelings` command: registers tsx so that the TypeScript sources run without a build step,
// then hands over to the CLI (tui/cli.ts). Plain JavaScript because it runs before tsx is loaded.
// For verbs that grade, the grader's test runner starts first, so it loads while the CLI does.
import { register } from 'tsx/esm/api';

const verb = process.argv[2];
if (verb === 'check' || verb === 'watch') {
  const { prestartGraderChild } = await import('../grader/spawn.js');
  prestartGraderChild();
}
register();
const { run } = await import('../cli.ts');
await run();
