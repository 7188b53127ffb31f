#!/usr/bin/env node
// The `kubelings` command: registers tsx so that the TypeScript sources run without a build step,
// then hands over to the CLI (tui/cli.ts). Plain JavaScript because it runs before tsx is loaded.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../cli.ts');
await run();
