/**
 * `npx kubelings` as the README gives it must run tui/bin/kubelings.js straight from
 * node_modules/.bin. npx looks for the command in the project's own package.json "bin" first, and
 * when it finds it there it loads the whole dependency tree and installs the project into its cache
 * (~/.npm/_npx) before running it: about 0.45 s of CPU on every command (npm run bench check). So
 * the root package.json has no "bin"; the command is a linked local package (tui/bin/package.json,
 * a `file:tui/bin` dependency) whose bin npm links into node_modules/.bin on install.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from '#engine/paths.ts';
import { tempDir } from './cli-harness.ts';

const readJson = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as Record<string, unknown>;
const linked = join(ROOT, 'node_modules', '.bin', 'kubelings');
const hasNpx = spawnSync('npx', ['--version'], { encoding: 'utf8' }).status === 0;

describe('the kubelings command for npx', () => {
  test('the project declares no bin of its own; tui/bin is a linked package whose bin is kubelings.js', () => {
    expect(readJson('package.json').bin, 'package.json "bin" (npx would install the project into its cache)').toBeUndefined();
    expect((readJson('package.json').dependencies as Record<string, string>)['kubelings-command'], 'the dependency on tui/bin').toBe('file:tui/bin');
    const command = readJson('tui/bin/package.json');
    expect(command.bin, 'tui/bin/package.json "bin"').toEqual({ kubelings: 'kubelings.js' });
    // The files in tui/bin are ES modules whatever package.json is nearest.
    expect(command.type, 'tui/bin/package.json "type"').toBe('module');
  });

  test.skipIf(!existsSync(linked))(`${existsSync(linked) ? '' : '(skipped: node_modules/.bin/kubelings is not linked; run npm install) '}node_modules/.bin/kubelings is tui/bin/kubelings.js`, () => {
    expect(realpathSync(linked)).toBe(join(ROOT, 'tui', 'bin', 'kubelings.js'));
  });

  test.skipIf(!hasNpx || !existsSync(linked))(`${hasNpx ? '' : '(skipped: npx is not installed) '}npx kubelings runs the linked command without installing anything in npx's cache`, () => {
    const dir = tempDir('npx-');
    const cache = join(dir, 'npm-cache');
    const result = spawnSync('npx', ['kubelings', 'list', '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, KUBELINGS_HOME: join(dir, 'home'), npm_config_cache: cache, npm_config_yes: 'false', NO_COLOR: '1' },
      timeout: 120_000,
    });
    expect(result.status, `npx kubelings list --json printed:\n${result.stdout}${result.stderr}`).toBe(0);
    expect((JSON.parse(result.stdout) as { id: string }[])[0]?.id, 'the first exercise listed').toBe('00-objects/01-selectors');
    expect(existsSync(join(cache, '_npx')), "npx's install cache (it installed the project before running it)").toBe(false);
  });
});
