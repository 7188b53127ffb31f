/**
 * Reads a text file for display; a file that cannot be read becomes a sentence saying so (shown in
 * place of the text), never a crash.
 */
import { readFileSync } from 'node:fs';
import { showPath } from '../grader/explain.ts';

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    return `*${showPath(path)} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.*`;
  }
}
