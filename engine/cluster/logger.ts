/**
 * A small structured logger for engine components, in the spirit of klog's text format:
 * `I1123 15:34:48.123456 apiserver] "message" key=value`. Lines go to a writable (the cluster's
 * log file, stderr) or nowhere. `child(name)` names the component each line comes from.
 */
import type { Writable } from 'node:stream';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines name `component`. */
  child(component: string): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const LETTER: Record<LogLevel, string> = { debug: 'D', info: 'I', warn: 'W', error: 'E' };

function stamp(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getMonth() + 1)}${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function showField(value: unknown): string {
  if (typeof value === 'string') return /^[\w./:@-]+$/.test(value) ? value : JSON.stringify(value);
  if (value instanceof Error) return JSON.stringify(value.message);
  return JSON.stringify(value) ?? 'undefined';
}

/** A logger writing lines at `level` and above to `out` (nothing when `out` is undefined). */
export function createLogger(out: Writable | undefined, component = 'kubelings', level: LogLevel = 'info', now: () => number = Date.now): Logger {
  const write = (lvl: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (!out || RANK[lvl] < RANK[level]) return;
    const extra = fields
      ? Object.entries(fields)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => ` ${k}=${showField(v)}`)
          .join('')
      : '';
    out.write(`${LETTER[lvl]}${stamp(now())} ${component}] ${JSON.stringify(message)}${extra}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (name) => createLogger(out, name, level, now),
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = createLogger(undefined);
