/**
 * Hidden suite for 06-cni/02-cni-plugin: a CNI plugin as the spec says (containernetworking/cni
 * SPEC.md 1.0: "Parameters", "Result", "Error" and its well-known codes; "CHECK" needs prevResult;
 * "DEL" must succeed when resources are already gone), with skel's environment checks and error
 * messages (pkg/skel/skel.go), and the bridge plugin's result (plugins/main/bridge/bridge.go:
 * interfaces bridge, host veth, container veth; the default route with isDefaultGateway). The
 * plugin runs against a fake kernel here; the last test runs it, as root, with the engine's real
 * kernel helpers next to /usr/lib/cni/bridge in namespaces this suite creates (kubelings-d*
 * names, removed after). The shim that runs the plugin as a program is tested in
 * test/engine/cni-shim.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { PluginInvocation } from '#engine/cni/exercises.ts';
import { openIpamStore } from '#engine/cni/ipam-store.ts';
import { kernelNetOpsIn } from '#engine/cni/net-ops.ts';
import { hostVethName } from '#engine/cni/plugin-shim.ts';
import type { CniResult } from '#engine/cni/types.ts';
import { loadComponent } from '#engine/impl.ts';
import { hint, show } from '#grading';
import { fakeKernel, type FakeKernel, haveReference, REFERENCE_PLUGINS, scratch } from './support/harness.ts';
import { kernelDifferential, kernelLeftovers, sweepKernel } from './support/kernel.ts';

const cni = await loadComponent('cni');
const NETNS = '/var/run/netns/kubelings-pod-a';

function bridgeConf(dir: string, extra: Record<string, unknown> = {}) {
  return {
    cniVersion: '1.0.0',
    name: 'kubelings-test',
    type: 'kubelings-bridge',
    bridge: 'kubelings-br0',
    isDefaultGateway: true,
    ipam: { type: 'host-local', ranges: [[{ subnet: '10.44.0.0/24' }]], dataDir: dir },
    ...extra,
  };
}
function loopbackConf(dir: string, extra: Record<string, unknown> = {}) {
  return { cniVersion: '1.0.0', name: 'kubelings-test', type: 'kubelings-loopback', ipam: { type: 'host-local', ranges: [[{ subnet: '127.70.0.0/24' }]], dataDir: dir }, ...extra };
}
const env = (command: string, id = 'pod-a', extra: Record<string, string> = {}) => ({
  CNI_COMMAND: command,
  CNI_CONTAINERID: id,
  CNI_NETNS: NETNS,
  CNI_IFNAME: 'eth0',
  CNI_PATH: '/opt/cni/bin',
  ...extra,
});
let vethCount = 0;
async function run(kernel: FakeKernel, e: Record<string, string | undefined>, conf: unknown, openStore: PluginInvocation['openStore'] = openIpamStore) {
  const inv: PluginInvocation = { env: e, stdin: typeof conf === 'string' ? conf : JSON.stringify(conf), openStore, net: kernel.ops, hostVethName: () => `vethtest${++vethCount}` };
  const out = await cni.cniMain(inv);
  let json: Record<string, unknown> | undefined;
  try {
    json = out.stdout ? (JSON.parse(out.stdout) as Record<string, unknown>) : undefined;
  } catch {
    json = { unparsable: out.stdout };
  }
  return { exitCode: out.exitCode, json };
}
const codeOf = (r: { exitCode: number; json?: Record<string, unknown> }) => `exit ${r.exitCode === 0 ? 0 : 'non-zero'}, code ${String(r.json?.code)}`;
const held = (dir: string) => [...openIpamStore(dir, 'kubelings-test').reservations().keys()];

describe('the CNI protocol', () => {
  test('VERSION prints the versions the plugin speaks', hint('VERSION needs no config and no container: answer before any other check'), async () => {
    const r = await run(fakeKernel(), { CNI_COMMAND: 'VERSION' }, '');
    expect(r, 'CNI_COMMAND=VERSION').toEqual({ exitCode: 0, json: { cniVersion: '1.0.0', supportedVersions: ['1.0.0'] } });
  });

  test(
    'a missing or unknown CNI_COMMAND, and missing CNI_CONTAINERID, CNI_IFNAME, CNI_PATH are code 4 (invalid environment), each named',
    hint('The spec\'s table: 4 is "invalid necessary environment variables", 7 is "invalid network configuration". Which is a missing variable?'),
    async () => {
      const dir = scratch();
      const k = fakeKernel();
      expect((await run(k, { CNI_CONTAINERID: 'a' }, bridgeConf(dir))).json, 'no CNI_COMMAND').toMatchObject({ code: 4, msg: 'required env variables [CNI_COMMAND] missing' });
      expect((await run(k, env('ATTACH'), bridgeConf(dir))).json, 'CNI_COMMAND=ATTACH').toMatchObject({ code: 4, msg: 'unknown CNI_COMMAND: ATTACH' });
      expect((await run(k, { CNI_COMMAND: 'ADD', CNI_NETNS: NETNS, CNI_PATH: '/opt/cni/bin' }, bridgeConf(dir))).json, 'ADD without CNI_CONTAINERID and CNI_IFNAME').toMatchObject({
        code: 4,
        msg: 'required env variables [CNI_CONTAINERID,CNI_IFNAME] missing',
      });
      expect((await run(k, env('ADD', 'pod-a', { CNI_NETNS: '' }), bridgeConf(dir))).json, 'a bridge ADD without CNI_NETNS').toMatchObject({
        code: 4,
        msg: 'required env variables [CNI_NETNS] missing',
      });
      expect(held(dir), 'addresses reserved by refused calls').toEqual([]);
    },
  );

  test(
    'a bad config: not JSON is code 6, an unsupported cniVersion code 1 with the supported ones, no name or no ipam code 7',
    hint('Decoding (6), version (1), config (7): each failure has its own code, and the runtime reads it'),
    async () => {
      const dir = scratch();
      const k = fakeKernel();
      const results = {
        'not JSON': codeOf(await run(k, env('ADD'), '{"cniVersion": ')),
        'cniVersion 0.4.0': codeOf(await run(k, env('ADD'), bridgeConf(dir, { cniVersion: '0.4.0' }))),
        'no name': codeOf(await run(k, env('ADD'), bridgeConf(dir, { name: undefined }))),
        'no ipam': codeOf(await run(k, env('ADD'), bridgeConf(dir, { ipam: undefined }))),
        'ipam type dhcp': codeOf(await run(k, env('ADD'), bridgeConf(dir, { ipam: { type: 'dhcp', dataDir: dir } }))),
        'type macvlan': codeOf(await run(k, env('ADD'), bridgeConf(dir, { type: 'macvlan' }))),
      };
      expect(results, 'ADD with each bad config').toEqual({
        'not JSON': 'exit non-zero, code 6',
        'cniVersion 0.4.0': 'exit non-zero, code 1',
        'no name': 'exit non-zero, code 7',
        'no ipam': 'exit non-zero, code 7',
        'ipam type dhcp': 'exit non-zero, code 7',
        'type macvlan': 'exit non-zero, code 7',
      });
      expect((await run(k, env('ADD'), bridgeConf(dir, { cniVersion: '0.4.0' }))).json, 'the error for 0.4.0').toEqual({
        cniVersion: '1.0.0',
        code: 1,
        msg: 'incompatible CNI versions',
        details: 'config is "0.4.0", plugin supports ["1.0.0"]',
      });
      expect(k.calls, 'kernel calls made by refused ADDs').toEqual([]);
    },
  );

  test(
    'more bad configs: a JSON array, null or a string is code 6; an empty or non-string name code 7; an ipam that is not an object, another ipam type, or no dataDir code 7; nothing reserved',
    hint('Decode, then check each field the stub lists, before any address is taken. Is [] a JSON object? Is "" a name?'),
    async () => {
      const dir = scratch();
      const k = fakeKernel();
      const ranges = [[{ subnet: '10.44.0.0/24' }]];
      const results = {
        '[]': codeOf(await run(k, env('ADD'), '[]')),
        null: codeOf(await run(k, env('ADD'), 'null')),
        '"bridge"': codeOf(await run(k, env('ADD'), '"bridge"')),
        'name ""': codeOf(await run(k, env('ADD'), bridgeConf(dir, { name: '' }))),
        'name 5': codeOf(await run(k, env('ADD'), bridgeConf(dir, { name: 5 }))),
        'ipam "host-local"': codeOf(await run(k, env('ADD'), bridgeConf(dir, { ipam: 'host-local' }))),
        'ipam type dhcp with ranges': codeOf(await run(k, env('ADD'), bridgeConf(dir, { ipam: { type: 'dhcp', ranges, dataDir: dir } }))),
        'no dataDir': codeOf(await run(k, env('ADD'), bridgeConf(dir, { ipam: { type: 'host-local', ranges } }))),
        'dataDir 5': codeOf(await run(k, env('ADD'), bridgeConf(dir, { ipam: { type: 'host-local', ranges, dataDir: 5 } }))),
      };
      expect(results, 'ADD with each bad config').toEqual({
        '[]': 'exit non-zero, code 6',
        null: 'exit non-zero, code 6',
        '"bridge"': 'exit non-zero, code 6',
        'name ""': 'exit non-zero, code 7',
        'name 5': 'exit non-zero, code 7',
        'ipam "host-local"': 'exit non-zero, code 7',
        'ipam type dhcp with ranges': 'exit non-zero, code 7',
        'no dataDir': 'exit non-zero, code 7',
        'dataDir 5': 'exit non-zero, code 7',
      });
      const msgs = [(await run(k, env('ADD'), '{"cniVersion": ')).json?.msg, (await run(k, env('ADD'), '[]')).json?.msg, (await run(k, env('ADD'), bridgeConf(dir, { name: '' }))).json?.msg];
      expect(
        msgs.map((m) => (typeof m === 'string' && m.startsWith('error unmarshall network config: ') ? 'error unmarshall network config: …' : m)),
        'the msg for: not JSON, [], name ""',
      ).toEqual(['error unmarshall network config: …', 'error unmarshall network config: …', 'missing network name']);
      expect(held(dir), 'addresses reserved by refused calls').toEqual([]);
      expect(k.calls, 'kernel calls made by refused ADDs').toEqual([]);
    },
  );

  test(
    'an empty ipam.dataDir is no dataDir: code 7, and no store is opened',
    hint('"" is a string, but does it name a folder? A store opened at "" lands in whatever folder the runtime happens to run in'),
    async () => {
      // Upstream's host-local reads dataDir into a Go string, where "" and a missing field are the same (unset), and falls
      // back to its default folder (containernetworking/plugins plugins/ipam/host-local/backend/disk/backend.go, New:
      // `if dataDir == "" { dataDir = defaultDataDir }`). This plugin has no default (the stub: no ipam.dataDir → code 7),
      // so "" is refused as a missing one is. A plugin that opens a store anyway gets one in a scratch folder here, never
      // in the folder the grader runs in.
      const dir = scratch();
      const k = fakeKernel();
      const opened: string[] = [];
      const openStore = (dataDir: string, network: string) => {
        opened.push(dataDir);
        return openIpamStore(dir, network);
      };
      const r = await run(k, env('ADD'), bridgeConf(dir, { ipam: { type: 'host-local', ranges: [[{ subnet: '10.44.0.0/24' }]], dataDir: '' } }), openStore);
      expect(codeOf(r), 'ADD with ipam.dataDir ""').toBe('exit non-zero, code 7');
      expect(opened, 'the dataDir of each store the plugin opened').toEqual([]);
      expect(k.calls, 'kernel calls made by the refused ADD').toEqual([]);
    },
  );

  test('an IPAM error reaches the runtime as the error JSON with its code, on stdout, with a non-zero exit', hint('cniMain must never throw: catch, and print the error object'), async () => {
    const dir = scratch();
    const full = bridgeConf(dir, { ipam: { type: 'host-local', ranges: [[{ subnet: '10.44.0.0/30' }]], dataDir: dir } });
    expect((await run(fakeKernel(), env('ADD', 'a'), full)).exitCode, 'the first ADD in a /30').toBe(0);
    expect(await run(fakeKernel(), env('ADD', 'b'), full), 'the second ADD in a /30').toEqual({
      exitCode: 1,
      json: { cniVersion: '1.0.0', code: 999, msg: 'failed to allocate for range 0: no IP addresses available in range set: 10.44.0.1-10.44.0.2' },
    });
  });
});

describe('ADD', () => {
  test(
    'the CNI_ARGS a runtime passes (IgnoreUnknown=1;K8S_POD_NAMESPACE=…;K8S_POD_NAME=…) do not stop an ADD',
    hint('containerd and CRI-O pass CNI_ARGS on every call. Split on ";" then on the first "=": is every pair here well formed?'),
    async () => {
      // containerd's CNI setup (go-cni) passes IgnoreUnknown, K8S_POD_NAMESPACE, K8S_POD_NAME, K8S_POD_INFRA_CONTAINER_ID and K8S_POD_UID.
      const dir = scratch();
      const cniArgs = 'IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;K8S_POD_INFRA_CONTAINER_ID=pod-a;K8S_POD_UID=0c2f7a9e-2f6b-4c1e-9d3a-5b8e1f4a7c21';
      const r = await run(fakeKernel(), env('ADD', 'pod-a', { CNI_ARGS: cniArgs }), bridgeConf(dir));
      expect(codeOf(r), `ADD with CNI_ARGS=${cniArgs}`).toBe('exit 0, code undefined');
    },
  );

  test('loopback mode: the address on lo, the 127/8 route, no kernel call', async () => {
    const dir = scratch();
    const k = fakeKernel();
    expect(await run(k, env('ADD', 'pod-a', { CNI_NETNS: '' }), loopbackConf(dir)), 'ADD of a loopback pod').toEqual({
      exitCode: 0,
      json: { cniVersion: '1.0.0', interfaces: [{ name: 'lo' }], ips: [{ address: '127.70.0.2/24', gateway: '127.70.0.1', interface: 0 }], routes: [{ dst: '127.0.0.0/8' }], dns: {} },
    });
    expect(k.calls, 'kernel calls').toEqual([]);
  });

  test(
    "kernel mode: bridge with the gateway, a veth into the pod's namespace, the address, the default route; the result as the bridge plugin gives it",
    hint('Three interfaces in the result: which one has the sandbox, and which index do the ips point at?'),
    async () => {
      const dir = scratch();
      const k = fakeKernel();
      const r = await run(k, env('ADD'), bridgeConf(dir));
      expect(k.calls, 'the kernel calls, in order').toEqual([
        'ensureBridge kubelings-br0 10.44.0.1/24',
        `createVeth ${NETNS} eth0 vethtest${vethCount} kubelings-br0`,
        `addAddress ${NETNS} eth0 10.44.0.2/24`,
        `addDefaultRoute ${NETNS} eth0 10.44.0.1`,
      ]);
      expect(r, 'the result of ADD').toEqual({
        exitCode: 0,
        json: {
          cniVersion: '1.0.0',
          interfaces: [
            { name: 'kubelings-br0', mac: '02:00:00:00:00:01' },
            { name: `vethtest${vethCount}`, mac: '02:00:00:00:00:02' },
            { name: 'eth0', mac: '02:00:00:00:00:03', sandbox: NETNS },
          ],
          ips: [{ address: '10.44.0.2/24', gateway: '10.44.0.1', interface: 2 }],
          routes: [{ dst: '0.0.0.0/0', gw: '10.44.0.1' }],
          dns: {},
        },
      });
    },
  );

  test('without isGateway the bridge gets no address and the pod no default route', async () => {
    const dir = scratch();
    const k = fakeKernel();
    const r = await run(k, env('ADD'), bridgeConf(dir, { isDefaultGateway: undefined }));
    expect(k.calls[0], 'the bridge call').toBe('ensureBridge kubelings-br0 -');
    expect(
      k.calls.some((c) => c.startsWith('addDefaultRoute')),
      'a default route was added',
    ).toBe(false);
    expect(r.json?.routes, "the result's routes").toEqual([]);
  });

  test(
    'isGateway alone: the bridge holds the gateway address, but the pod gets no default route; ipam routes come first in the result',
    hint('isGateway and isDefaultGateway are two flags: which does what? Where do ipam.routes go?'),
    async () => {
      const dir = scratch();
      const k = fakeKernel();
      const conf = bridgeConf(dir, {
        isDefaultGateway: undefined,
        isGateway: true,
        ipam: { type: 'host-local', ranges: [[{ subnet: '10.44.0.0/24' }]], routes: [{ dst: '10.96.0.0/12' }], dataDir: dir },
      });
      const r = await run(k, env('ADD'), conf);
      expect(k.calls[0], 'the bridge call').toBe('ensureBridge kubelings-br0 10.44.0.1/24');
      expect(
        k.calls.some((c) => c.startsWith('addDefaultRoute')),
        'a default route was added',
      ).toBe(false);
      expect(r.json?.routes, "the result's routes (ipam routes: 10.96.0.0/12)").toEqual([{ dst: '10.96.0.0/12' }]);
      const both = await run(
        fakeKernel(),
        env('ADD', 'pod-b'),
        bridgeConf(scratch(), { ipam: { type: 'host-local', ranges: [[{ subnet: '10.44.0.0/24' }]], routes: [{ dst: '10.96.0.0/12' }], dataDir: scratch() } }),
      );
      expect(both.json?.routes, "the result's routes with isDefaultGateway too").toEqual([{ dst: '10.96.0.0/12' }, { dst: '0.0.0.0/0', gw: '10.44.0.1' }]);
    },
  );

  test(
    'a failed createVeth (the interface is already there) deletes nothing it did not make: the other pod keeps its link and address',
    hint('Undo only what this call did. Had you created the link when createVeth threw?'),
    async () => {
      const dir = scratch();
      const k = fakeKernel();
      expect((await run(k, env('ADD', 'pod-a'), bridgeConf(dir))).exitCode, 'ADD of pod-a').toBe(0);
      const r = await run(k, env('ADD', 'pod-b'), bridgeConf(dir));
      expect(codeOf(r), 'ADD of pod-b into the same namespace and interface name').toBe('exit non-zero, code 999');
      expect([...(k.links.get(NETNS)?.keys() ?? [])], "links in the namespace after pod-b's failed ADD").toEqual(['eth0']);
      expect(held(dir), 'addresses held').toEqual(['10.44.0.2']);
      expect(
        k.calls.filter((c) => c.startsWith('deleteLink')),
        'deleteLink calls',
      ).toEqual([]);
    },
  );

  test(
    'a step that fails half-way leaves nothing: no link, no address held',
    hint('The address was added to the store and the veth exists when the route fails. Who cleans them up if you do not?'),
    async () => {
      const dir = scratch();
      const k = fakeKernel();
      k.failNext('addDefaultRoute');
      const r = await run(k, env('ADD'), bridgeConf(dir));
      expect(codeOf(r), 'ADD when the route cannot be added').toBe('exit non-zero, code 999');
      expect([...(k.links.get(NETNS)?.keys() ?? [])], "links left in the pod's namespace").toEqual([]);
      expect(held(dir), 'addresses left held').toEqual([]);
    },
  );

  test(
    "an earlier plugin's prevResult is kept: its interfaces, ips and routes first, then yours, your indexes moved past its interfaces",
    hint("In a chain, the result you print is the whole chain's so far. What happens to interface: 2 when two interfaces come before yours?"),
    async () => {
      const dir = scratch();
      const prevResult: CniResult = {
        cniVersion: '1.0.0',
        interfaces: [{ name: 'lo', sandbox: NETNS }, { name: 'dummy0' }],
        ips: [{ address: '192.168.9.9/32', interface: 1 }],
        routes: [{ dst: '192.168.0.0/16' }],
      };
      const r = await run(fakeKernel(), env('ADD'), bridgeConf(dir, { prevResult }));
      const json = r.json as unknown as CniResult;
      expect(
        json.interfaces?.map((i) => i.name),
        'the interfaces',
      ).toEqual(['lo', 'dummy0', 'kubelings-br0', `vethtest${vethCount}`, 'eth0']);
      expect(json.ips, 'the ips').toEqual([
        { address: '192.168.9.9/32', interface: 1 },
        { address: '10.44.0.2/24', gateway: '10.44.0.1', interface: 4 },
      ]);
      expect(json.routes, 'the routes').toEqual([{ dst: '192.168.0.0/16' }, { dst: '0.0.0.0/0', gw: '10.44.0.1' }]);
    },
  );
});

describe('chains', () => {
  test(
    'a prevResult with dns and no interfaces: its dns is kept, your interface indexes are not moved',
    hint('prevResult.interfaces may be missing: how many interfaces come before yours then?'),
    async () => {
      const dir = scratch();
      const prevResult = { cniVersion: '1.0.0', ips: [], dns: { nameservers: ['10.96.0.10'], search: ['default.svc.cluster.local'] } };
      const r = await run(fakeKernel(), env('ADD'), bridgeConf(dir, { prevResult }));
      const json = r.json as unknown as CniResult;
      expect([json.interfaces?.length, json.ips, json.routes, json.dns], '[interfaces, ips, routes, dns] of the result').toEqual([
        3,
        [{ address: '10.44.0.2/24', gateway: '10.44.0.1', interface: 2 }],
        [{ dst: '0.0.0.0/0', gw: '10.44.0.1' }],
        { nameservers: ['10.96.0.10'], search: ['default.svc.cluster.local'] },
      ]);
    },
  );
});

describe('DEL and CHECK', () => {
  test(
    'DEL releases the address and deletes the link; a second DEL, and a DEL after the namespace lost the link, succeed',
    hint('"Plugins should generally complete a DEL action without error even if some resources are missing" (SPEC.md)'),
    async () => {
      const dir = scratch();
      const k = fakeKernel();
      await run(k, env('ADD'), bridgeConf(dir));
      expect(await run(k, env('DEL'), bridgeConf(dir)), 'DEL').toEqual({ exitCode: 0, json: undefined });
      expect([...(k.links.get(NETNS)?.keys() ?? [])], "links in the pod's namespace after DEL").toEqual([]);
      expect(held(dir), 'addresses held after DEL').toEqual([]);
      expect((await run(k, env('DEL'), bridgeConf(dir))).exitCode, 'a second DEL').toBe(0);
      expect((await run(k, env('DEL', 'pod-a', { CNI_NETNS: '' }), bridgeConf(dir))).exitCode, 'a DEL without CNI_NETNS (the namespace is gone)').toBe(0);
      await run(k, env('ADD', 'pod-b'), bridgeConf(dir));
      k.links.get(NETNS)!.delete('eth0');
      expect((await run(k, env('DEL', 'pod-b'), bridgeConf(dir))).exitCode, 'DEL when the link had gone already').toBe(0);
      expect(held(dir), 'addresses held after that DEL').toEqual([]);
    },
  );

  test(
    'CHECK passes on what ADD made, and needs the prevResult (code 7 without it)',
    hint('The runtime hands CHECK the ADD result as prevResult. Without it, what would you compare against?'),
    async () => {
      const dir = scratch();
      const k = fakeKernel();
      const prevResult = (await run(k, env('ADD'), bridgeConf(dir))).json;
      expect(await run(k, env('CHECK'), bridgeConf(dir, { prevResult })), 'CHECK with the ADD result').toEqual({ exitCode: 0, json: undefined });
      const missing = await run(k, env('CHECK'), bridgeConf(dir));
      expect(show({ outcome: codeOf(missing), msg: missing.json?.msg }), 'CHECK without prevResult').toBe(show({ outcome: 'exit non-zero, code 7', msg: 'required prevResult missing' }));
      // An address file of the store with no owner in it (written by hand, or cut short): the store reads it as owner
      // undefined; upstream's host-local store (disk/backend.go GetByID) skips files it cannot read.
      writeFileSync(join(dir, 'kubelings-test', '10.99.99.99'), '');
      expect(await run(k, env('CHECK'), bridgeConf(dir, { prevResult })), 'CHECK with the ADD result, beside an empty reservation file of another address').toEqual({ exitCode: 0, json: undefined });
    },
  );

  test(
    'CHECK fails when the address was released, lost from the link, the link is gone or the route is gone',
    hint('CHECK compares prevResult with what is really there: the store, and the kernel (net.addresses, net.routes)'),
    async () => {
      const outcomes: Record<string, string> = {};
      for (const damage of ['released', 'address lost', 'link gone', 'route gone'] as const) {
        const dir = scratch();
        const k = fakeKernel();
        const prevResult = (await run(k, env('ADD'), bridgeConf(dir))).json;
        if (damage === 'released') openIpamStore(dir, 'kubelings-test').release('10.44.0.2');
        if (damage === 'address lost') k.links.get(NETNS)!.get('eth0')!.addresses = [];
        if (damage === 'link gone') k.links.get(NETNS)!.delete('eth0');
        if (damage === 'route gone') k.routes.delete(NETNS);
        outcomes[damage] = codeOf(await run(k, env('CHECK'), bridgeConf(dir, { prevResult })));
      }
      expect(outcomes, 'CHECK after each damage').toEqual({
        released: 'exit non-zero, code 999',
        'address lost': 'exit non-zero, code 999',
        'link gone': 'exit non-zero, code 999',
        'route gone': 'exit non-zero, code 999',
      });
    },
  );

  test('loopback DEL touches no kernel link', hint('A loopback pod has no veth: what would deleteLink remove?'), async () => {
    const dir = scratch();
    const k = fakeKernel();
    const e = env('ADD', 'pod-a');
    await run(k, e, loopbackConf(dir));
    expect((await run(k, { ...e, CNI_COMMAND: 'DEL' }, loopbackConf(dir))).exitCode, 'DEL of a loopback pod').toBe(0);
    expect(k.calls, 'kernel calls').toEqual([]);
    expect(held(dir), 'addresses held after DEL').toEqual([]);
  });

  test(
    "CHECK looks at its own interface only: its sandbox must match, other interfaces' ips are not its own, the address must be held by this container and interface",
    hint('Which entry of prevResult.interfaces is yours (name AND sandbox)? Which ips point at it? Who holds the address in the store?'),
    async () => {
      const outcomes: Record<string, string> = {};
      const cases = ['as made', 'sandbox elsewhere', 'an ip of another interface', 'held by another container', 'held by another interface'] as const;
      for (const damage of cases) {
        const dir = scratch();
        const k = fakeKernel();
        const prevResult = (await run(k, env('ADD'), bridgeConf(dir))).json as unknown as CniResult;
        const store = openIpamStore(dir, 'kubelings-test');
        if (damage === 'sandbox elsewhere') prevResult.interfaces = prevResult.interfaces!.map((i) => (i.sandbox ? { ...i, sandbox: '/var/run/netns/other' } : i));
        if (damage === 'an ip of another interface') prevResult.ips = [...prevResult.ips, { address: '10.44.0.1/24', interface: 0 }];
        if (damage === 'held by another container' || damage === 'held by another interface') {
          store.release('10.44.0.2');
          store.reserve('10.44.0.2', damage === 'held by another container' ? { containerId: 'pod-z', ifName: 'eth0' } : { containerId: 'pod-a', ifName: 'net1' });
        }
        outcomes[damage] = codeOf(await run(k, env('CHECK'), bridgeConf(dir, { prevResult })));
      }
      expect(outcomes, 'CHECK after each change').toEqual({
        'as made': 'exit 0, code undefined',
        'sandbox elsewhere': 'exit non-zero, code 999',
        'an ip of another interface': 'exit 0, code undefined',
        'held by another container': 'exit non-zero, code 999',
        'held by another interface': 'exit non-zero, code 999',
      });
    },
  );

  test(
    "CHECK of routes: the prevResult's route must be there with its gateway; a route without gw in prevResult matches any gateway",
    hint('Compare dst, and gw only when the prevResult names one'),
    async () => {
      const outcomes: Record<string, string> = {};
      for (const kind of ['another gateway', 'another destination', 'prevResult without gw'] as const) {
        const dir = scratch();
        const k = fakeKernel();
        const prevResult = (await run(k, env('ADD'), bridgeConf(dir))).json as unknown as CniResult;
        if (kind === 'another gateway') k.routes.set(NETNS, [{ dst: '0.0.0.0/0', gw: '10.44.0.254' }]);
        if (kind === 'another destination') k.routes.set(NETNS, [{ dst: '10.0.0.0/8', gw: '10.44.0.1' }]);
        if (kind === 'prevResult without gw') prevResult.routes = [{ dst: '0.0.0.0/0' }];
        outcomes[kind] = codeOf(await run(k, env('CHECK'), bridgeConf(dir, { prevResult })));
      }
      expect(outcomes, 'CHECK in each case').toEqual({
        'another gateway': 'exit non-zero, code 999',
        'another destination': 'exit non-zero, code 999',
        'prevResult without gw': 'exit 0, code undefined',
      });
    },
  );

  test('loopback CHECK: passes while the address is held, fails once it is not', async () => {
    const dir = scratch();
    const k = fakeKernel();
    const e = env('ADD', 'pod-a', { CNI_NETNS: '' });
    const prevResult = (await run(k, e, loopbackConf(dir))).json;
    expect((await run(k, { ...e, CNI_COMMAND: 'CHECK' }, loopbackConf(dir, { prevResult }))).exitCode, 'CHECK while held').toBe(0);
    openIpamStore(dir, 'kubelings-test').release('127.70.0.2');
    expect(codeOf(await run(k, { ...e, CNI_COMMAND: 'CHECK' }, loopbackConf(dir, { prevResult }))), 'CHECK after the address was released').toBe('exit non-zero, code 999');
  });
});

const root = process.getuid?.() === 0;
const canDiff = root && haveReference('bridge') && haveReference('host-local');
const why = !root
  ? ' (skipped: needs root, to create network namespaces)'
  : !canDiff
    ? ` (skipped: ${REFERENCE_PLUGINS}/bridge or host-local missing; apt-get install containernetworking-plugins)`
    : '';

describe('the same pod network as the reference bridge plugin (kernel mode)', () => {
  afterAll(() => {
    if (canDiff) sweepKernel();
  });
  test.skipIf(!canDiff)(
    `ADD, CHECK, DEL of three pods: the same results, addresses and routes in each pod's namespace as ${REFERENCE_PLUGINS}/bridge with host-local${why}`,
    hint('The suite prints the first step where yours and the reference differ; MAC addresses and veth names are random and compared by shape', { timeout: 120_000 }),
    async () => {
      const report = await kernelDifferential(async (node, e, stdin) => {
        const out = await cni.cniMain({ env: e, stdin, openStore: openIpamStore, net: kernelNetOpsIn(`/var/run/netns/${node}`), hostVethName });
        return { code: out.exitCode, stdout: out.stdout };
      });
      expect(report.mine, `your plugin and the reference, step by step (the first difference is what to look at):\n${report.diff}`).toEqual(report.reference);
      expect(kernelLeftovers(), 'namespaces and links named kubelings-d* left behind').toEqual([]);
    },
  );
});
