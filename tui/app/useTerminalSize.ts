/**
 * The terminal's size, read at each render and re-rendered on resize. Falls back to 80×24 where
 * the stream does not say (pipes, test doubles without rows).
 */
import { useStdout } from 'ink';
import { useEffect, useReducer } from 'react';

export interface TerminalSize {
  columns: number;
  rows: number;
}

export function readSize(stdout: NodeJS.WriteStream): TerminalSize {
  return { columns: stdout.columns || 80, rows: stdout.rows || 24 };
}

export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const [, resized] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    stdout.on('resize', resized);
    return () => void stdout.off('resize', resized);
  }, [stdout]);
  return readSize(stdout);
}
