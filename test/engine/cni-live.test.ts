/**
 * Lesson 06's "see it live" script (engine/cni/try-plugin.ts) with the reference component: it
 * wires three pods (kernel mode as root, loopback mode otherwise), shows them, tears them down and
 * leaves no kubelings-live-* namespace; then shows a policy's decisions and its nftables table.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ROOT } from '#engine/paths.ts';

test('the live step runs the plugin on three pods, removes everything, and prints the compiled policy', () => {
  const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'engine', 'cni', 'try-plugin.ts'), '--impl', 'solutions'], { encoding: 'utf8', timeout: 120_000 });
  expect(run.status, `exit status; stderr: ${run.stderr}`).toBe(0);
  const kernel = process.getuid?.() === 0;
  expect(run.stdout).toContain(kernel ? 'kernel mode: node namespace kubelings-live-node' : 'loopback mode');
  expect(run.stdout).toMatch(kernel ? /inet 10\.199\.0\.3\/24 scope global eth0/ : /"address": "127\.72\.0\.3\/24"/);
  expect(run.stdout.match(/CNI_COMMAND=DEL .* \(exit 0\)/g), 'three DELs that succeed').toHaveLength(3);
  expect(run.stdout).toContain('web → client: denied (egress not-isolated, ingress denied)');
  expect(run.stdout).toContain('    ip saddr 10.199.0.3/32 tcp dport 8080 return\n');
  if (kernel) expect(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout, 'namespaces left').not.toContain('kubelings-live');
}, 180_000);
