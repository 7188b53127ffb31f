/**
 * A damaged store as a learner meets it through the CLI: `cluster up` refuses to start it and
 * says where and how to recover, `cluster repair` says what it kept and what was lost, and the
 * next `cluster up` works; a torn tail cut after a crash is named on the terminal of `cluster up`,
 * not only in cluster.log. Each run uses a temporary KUBELINGS_HOME and a free port.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT } from '#engine/paths.ts';

const BIN = join(ROOT, 'tui', 'bin', 'kubelings.js');
let home: string;

function kubelings(...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, KUBELINGS_HOME: home, KUBELINGS_IMPL: '' }, timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0, output: stdout + stderr });
    });
  });
}

const walDir = () => join(home, 'data', 'wal');
const segment = () =>
  readdirSync(walDir())
    .filter((n) => n.endsWith('.wal'))
    .sort()
    .at(-1)!;

describe('cluster up, a damaged store, and cluster repair', () => {
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'kubelings-cluster-repair-'));
  });
  afterAll(async () => {
    if (existsSync(join(home, 'cluster.pid'))) await kubelings('cluster', 'down');
    rmSync(home, { recursive: true, force: true });
  });

  test('a flipped length bit in the log: up refuses and says where and what to run; repair says what it kept and lost; up works again', { timeout: 120_000 }, async () => {
    const first = await kubelings('cluster', 'up', '--port', '0');
    expect(first.code, first.output).toBe(0);
    expect((await kubelings('cluster', 'down')).code, 'cluster down').toBe(0);

    // The bootstrap wrote a few records (namespaces, the default service ...): damage the length of the second.
    const file = join(walDir(), segment());
    const bytes = readFileSync(file);
    const second = 12 + bytes.readUInt32LE(0);
    bytes[second + 3]! ^= 0x40;
    writeFileSync(file, bytes);

    const refused = await kubelings('cluster', 'up', '--port', '0');
    expect(refused.code, `cluster up on the damaged store:\n${refused.output}`).not.toBe(0);
    expect(refused.output, 'what cluster up printed').toContain('was not started: its data is damaged');
    expect(refused.output, 'where').toContain(`where: wal/${segment()}, byte ${second} (record 2 of the file)`);
    expect(refused.output, 'what to run').toContain('npx kubelings cluster repair');
    expect(readFileSync(file).equals(bytes), 'the log after the refused start').toBe(true);

    const repair = await kubelings('cluster', 'repair');
    expect(repair.code, repair.output).toBe(0);
    expect(repair.output, 'what repair printed').toMatch(new RegExp(`kept aside: wal/${segment()}\\.broken-\\d{8}T\\d{6}Z \\(\\d+ bytes: the file from byte ${second} on\\)`));
    expect(repair.output, 'what was lost').toMatch(/lost: entries 2 to \d+ \(\d+ writes; the store was stopped cleanly at entry \d+\)/);
    expect(repair.output, 'what next').toContain('The store now holds every write up to entry 1 (revision 2). Start it with: npx kubelings cluster up');

    const again = await kubelings('cluster', 'up', '--port', '0');
    expect(again.code, again.output).toBe(0);
    expect(again.output, 'cluster up after repair').toContain('The control plane is up');
    expect((await kubelings('cluster', 'down')).code, 'cluster down').toBe(0);
  });

  test('after a crash, a torn tail is cut, kept, and named on the terminal of cluster up; repair refuses while it runs', { timeout: 120_000 }, async () => {
    // As a `kill -9` leaves it: no clean-shutdown record, and a record cut short at the end.
    rmSync(join(home, 'data', 'clean-shutdown'), { force: true });
    writeFileSync(join(walDir(), segment()), Buffer.from([7, 0, 0, 0, 1, 2, 3, 4, 5]), { flag: 'a' });
    const up = await kubelings('cluster', 'up', '--port', '0');
    expect(up.code, up.output).toBe(0);
    expect(up.output, 'what cluster up printed').toMatch(
      new RegExp(
        `Warnings while starting \\(also in .*cluster\\.log\\):\\n  etcd: recovery cut the torn record at the end of wal/${segment()}: 9 bytes from byte \\d+ on, kept in wal/${segment()}\\.broken-\\d{8}T\\d{6}Z`,
      ),
    );
    // And repair refuses while the control plane runs.
    const repair = await kubelings('cluster', 'repair');
    expect(repair.code, 'exit code of cluster repair while it runs').not.toBe(0);
    expect(repair.output, 'what it printed').toContain('stop it first (npx kubelings cluster down), then repair');
    expect((await kubelings('cluster', 'down')).code, 'cluster down').toBe(0);
  });
});
