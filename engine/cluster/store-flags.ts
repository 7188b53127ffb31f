/**
 * The store flags of `cluster up`, named as kube-apiserver's:
 *   --etcd-servers URL[,URL...]        keep the cluster's data in a real etcd (3.4 or later) instead
 *                                      of the built-in store (engine/etcd/remote.ts does the talking)
 *   --etcd-compaction-interval D       how often the apiserver compacts the store (5m; 0 turns it off)
 * This file reads them from the command line and says in one sentence what is wrong with them.
 *
 * Invariants: every etcd URL is http:// with a host and a port and nothing after it (the engine
 * speaks plain HTTP to etcd's JSON gateway: no client certificates yet); the list is never empty;
 * an interval is a whole number of milliseconds, at least 0.
 */
import { KubelingsError } from '../errors.ts';

export const ETCD_SERVERS_FLAG = 'etcd-servers';
export const COMPACTION_INTERVAL_FLAG = 'etcd-compaction-interval';

/** The value of `--name` in `argv` (as `--name V` or `--name=V`; bare: true), if given. */
export function flagArg(argv: string[], name: string): string | true | undefined {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word.startsWith(`--${name}=`)) return word.slice(name.length + 3);
    if (word === `--${name}`) {
      const next = argv[i + 1];
      return next === undefined || next.startsWith('--') ? true : next;
    }
  }
  return undefined;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration as kube-apiserver takes it (`5m`, `1m30s`, `500ms`, `0`), in milliseconds. */
export function parseCompactionInterval(value: string | true): number {
  const wrong = () => new KubelingsError(`--${COMPACTION_INTERVAL_FLAG} takes a duration such as 5m, 30s, 1m30s or 500ms (0 turns compaction off), not "${value === true ? '' : value}".`);
  if (value === true) throw wrong();
  const text = value.trim();
  if (text === '0') return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw wrong();
  return Math.round(parts.reduce((ms, p) => ms + Number(p[1]) * UNIT_MS[p[2]!]!, 0));
}

/** The etcd client URLs of a --etcd-servers value; a KubelingsError saying what is wrong. */
export function parseEtcdServers(value: string | true): string[] {
  const example = '--etcd-servers http://127.0.0.1:2379 (several members: separate their URLs with commas)';
  if (value === true || value.trim() === '') throw new KubelingsError(`--${ETCD_SERVERS_FLAG} takes etcd's client URLs, e.g. ${example}.`);
  const urls = value.split(',').map((part) => part.trim());
  for (const text of urls) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new KubelingsError(`--${ETCD_SERVERS_FLAG}: "${text}" is not a URL; write it as ${example}.`);
    }
    if (url.protocol === 'https:') {
      throw new KubelingsError(
        `--${ETCD_SERVERS_FLAG}: ${text} is https, and the engine talks to etcd over plain http only (no client certificates yet): start etcd with --listen-client-urls http://127.0.0.1:2379.`,
      );
    }
    if (url.protocol !== 'http:' || !url.hostname || !url.port || (url.pathname !== '/' && url.pathname !== '') || url.search || url.username) {
      throw new KubelingsError(`--${ETCD_SERVERS_FLAG}: "${text}" is not an etcd client URL (http://HOST:PORT, nothing after the port); e.g. ${example}.`);
    }
  }
  return urls.map((text) => new URL(text).origin);
}

/** What `cluster up` and `cluster status` say about where the data is. */
export function describeStore(state: { etcdServers?: string[]; dataDir: string }, shown: (path: string) => string): string {
  return state.etcdServers?.length ? `etcd at ${state.etcdServers.join(', ')}` : `the built-in store in ${shown(state.dataDir)}`;
}
