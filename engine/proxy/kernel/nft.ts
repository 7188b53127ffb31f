/**
 * Runs nftables inside a network namespace, as kernel mode's kube-proxy and NetworkPolicy
 * enforcement load their tables: `ip netns exec NS nft -f -` with the ruleset on stdin. One call is
 * one nft transaction: the kernel applies all of it or none of it.
 *
 * Invariants: a namespace is a plain name (as `ip netns add` takes it), checked before anything
 * runs, so no text reaches a shell or names a path; every call is bounded in time
 * (NFT_COMMAND_TIMEOUT_MS) and output; a failure throws an Error quoting what nft printed. Calls are
 * synchronous on purpose: a proxier's apply() is synchronous and must know whether its rules are in.
 */
import { spawnSync } from 'node:child_process';
import { NFT_COMMAND_TIMEOUT_MS } from '../../params.ts';

const NETNS_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const TABLE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function checkNetnsName(netns: string): string {
  if (!NETNS_NAME.test(netns) || netns === '.' || netns === '..') throw new Error(`"${netns}" is not a network namespace name (letters, digits, . _ -, as ip netns add takes it)`);
  return netns;
}

export function checkTableName(table: string): string {
  if (!TABLE_NAME.test(table)) throw new Error(`"${table}" is not an nftables table name this engine uses (letters, digits, _ -)`);
  return table;
}

function run(netns: string, args: string[], input?: string): string {
  const out = spawnSync('ip', ['netns', 'exec', checkNetnsName(netns), 'nft', ...args], {
    input,
    encoding: 'utf8',
    timeout: NFT_COMMAND_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (out.error) throw new Error(`nft ${args.join(' ')} in netns ${netns} failed: ${out.error.message}`);
  if (out.status !== 0) throw new Error(`nft ${args.join(' ')} in netns ${netns} failed (exit ${out.status}): ${out.stderr.trim().split('\n').slice(0, 12).join('\n')}`);
  return out.stdout;
}

/** Loads `ruleset` in one transaction (`nft -f -`). */
export function nftApply(netns: string, ruleset: string): void {
  run(netns, ['-f', '-'], ruleset);
}

/** `nft list table FAMILY TABLE`, or undefined when there is no such table. */
export function nftListTable(netns: string, family: 'ip' | 'inet', table: string): string | undefined {
  const tables = run(netns, ['list', 'tables']);
  if (!tables.split('\n').includes(`table ${family} ${checkTableName(table)}`)) return undefined;
  return run(netns, ['list', 'table', family, table]);
}

/** Deletes the table if it is there; true when there was one. */
export function nftDeleteTable(netns: string, family: 'ip' | 'inet', table: string): boolean {
  checkTableName(table);
  const tables = run(netns, ['list', 'tables']);
  if (!tables.split('\n').includes(`table ${family} ${table}`)) return false;
  nftApply(netns, `delete table ${family} ${table}\n`);
  return true;
}

/** True when this process can program nftables: root, with `ip` and `nft` installed. */
export function canProgramNftables(): { ok: true } | { ok: false; why: string } {
  if (process.platform !== 'linux') return { ok: false, why: 'kernel mode needs Linux' };
  if (process.getuid?.() !== 0) return { ok: false, why: 'kernel mode needs root' };
  for (const [cmd, arg] of [
    ['ip', '-V'],
    ['nft', '--version'],
  ] as const) {
    if (spawnSync(cmd, [arg], { stdio: 'ignore' }).status !== 0) return { ok: false, why: `kernel mode needs ${cmd} (apt-get install ${cmd === 'ip' ? 'iproute2' : 'nftables'})` };
  }
  return { ok: true };
}
