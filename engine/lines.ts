/**
 * Newline-delimited streams (a Kubernetes watch, etcd's gateway watch): one JSON document a line,
 * arriving in chunks that may end mid-line.
 */
import type { Readable } from 'node:stream';

/**
 * Calls `onLine` with every non-empty line of `stream` (trimmed), in order, as it arrives. When
 * `onLine` returns false, no later line is passed to it.
 */
export function readLines(stream: Readable, onLine: (line: string) => boolean | void): void {
  let buffer = '';
  let stopped = false;
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while (!stopped && (newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line && onLine(line) === false) stopped = true;
    }
  });
}
