/**
 * Opens a file in the learner's editor, as git does: $VISUAL, else $EDITOR (either may hold
 * arguments, such as `code --wait`), else the first of `editor`, `nano` and `vi` found on the PATH;
 * when there is none, one sentence says how to set one. Used by `kubelings edit`, watch's `e` and
 * the TUI's `e`.
 *
 * The editor runs synchronously with the terminal handed over (stdio inherited): nothing else in
 * this process runs until it exits, so a caller that draws on the terminal (the TUI) must let go of
 * it before and take it back after.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { showPath } from './grader/explain.ts';

/** Editors tried, in order, when neither VISUAL nor EDITOR is set. */
export const FALLBACK_EDITORS = ['editor', 'nano', 'vi'];

export type EditOutcome = { kind: 'edited'; editor: string } | { kind: 'no-editor'; message: string } | { kind: 'failed'; editor: string; message: string };

/** The editor command to use, or undefined when there is none. */
export function chooseEditor(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const name of ['VISUAL', 'EDITOR']) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return FALLBACK_EDITORS.find((name) => onPath(name, env.PATH ?? ''));
}

function onPath(name: string, path: string): boolean {
  return path.split(delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Opens `file` in the editor and waits for it to exit. */
export function editFile(file: string, env: NodeJS.ProcessEnv = process.env): EditOutcome {
  const shown = showPath(file);
  const editor = chooseEditor(env);
  if (!editor) {
    return {
      kind: 'no-editor',
      message: `No editor to open ${shown} with: set one, for example export EDITOR=nano (or EDITOR="code --wait"), or open the file in your own editor.`,
    };
  }
  // Through the shell, as git does, so that EDITOR may carry arguments; the file is "$1", never
  // pasted into the command line.
  const result = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'kubelings-edit', file], { stdio: 'inherit', env });
  if (result.error) return { kind: 'failed', editor, message: `Could not start the editor "${editor}": ${result.error.message}.` };
  if (result.status !== 0) {
    const how = result.signal ? `was stopped by ${result.signal}` : `exited with code ${result.status}`;
    const missing = result.status === 127 ? ' (is it installed? Set VISUAL or EDITOR to one that is)' : '';
    return { kind: 'failed', editor, message: `The editor "${editor}" ${how}${missing}; ${shown} is as you left it.` };
  }
  return { kind: 'edited', editor };
}
