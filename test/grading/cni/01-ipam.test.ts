/**
 * Hidden suite for 06-cni/01-ipam: host-local's allocation as containernetworking/plugins does it
 * (plugins/ipam/host-local/backend/allocator/range.go Canonicalize: start = network + 1, end =
 * broadcast - 1, gateway = network + 1; allocator.go: round-robin after last_reserved_ip, the
 * gateway skipped, "no IP addresses available in range set: a-b"; allocator_test.go's cases), a
 * differential run against the real /usr/lib/cni/host-local on the same sequence, and the
 * node-ipam controller's CIDR sets (kubernetes pkg/controller/nodeipam/ipam/cidrset/cidr_set.go
 * and cidr_set_test.go: AllocateNext round-robin, Occupy, Release, the "no remaining CIDRs" error).
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { IpamStore } from '#engine/cni/exercises.ts';
import { openIpamStore } from '#engine/cni/ipam-store.ts';
import { parseIPv4 } from '#engine/cni/ipv4.ts';
import type { CniArgs, IpamConfig, IpamRange } from '#engine/cni/types.ts';
import { loadComponent } from '#engine/impl.ts';
import { hint, show, useSeed } from '#grading';
import { haveReference, REFERENCE_PLUGINS, runPlugin, scratch } from './support/harness.ts';

const cni = await loadComponent('cni');
const NETWORK = 'kubelings-test';

const ipam = (dir: string, ...sets: IpamRange[][]): IpamConfig => ({ type: 'host-local', ranges: sets.length ? sets : [[{ subnet: '10.22.0.0/29' }]], dataDir: dir });
const args = (containerId: string, ifName = 'eth0'): CniArgs => ({ containerId, netns: '/var/run/netns/x', ifName });
const store = (dir: string): IpamStore => openIpamStore(dir, NETWORK);
/** The addresses ADD gives, in order, one container each. */
function addAll(conf: IpamConfig, ids: string[], s = store(conf.dataDir!)): string[] {
  return ids.map((id) =>
    cni
      .ipamAdd(conf, args(id), s)
      .ips.map((ip) => ip.address)
      .join(','),
  );
}
function errorOf(fn: () => unknown): { code?: number; msg?: string; message?: string } {
  try {
    fn();
  } catch (error) {
    const e = error as { code?: number; msg?: string; message?: string };
    return { code: e.code, msg: e.msg ?? e.message };
  }
  return { msg: 'no error was thrown' };
}

describe('addresses from a range', () => {
  test(
    'the first pods get .2, .3, … (the network address .0 and the gateway .1 are skipped), each with the gateway',
    hint('Which address is the gateway when the config names none? Which is the network address?'),
    () => {
      const dir = scratch();
      const result = cni.ipamAdd(ipam(dir), args('a'), store(dir));
      expect(result, 'the result of the first ADD in 10.22.0.0/29').toEqual({ cniVersion: '1.0.0', ips: [{ address: '10.22.0.2/29', gateway: '10.22.0.1' }], routes: [] });
      expect(addAll(ipam(dir), ['b', 'c']), 'the next two ADDs').toEqual(['10.22.0.3/29', '10.22.0.4/29']);
    },
  );

  test(
    "the broadcast address is never handed out: a /29 holds five pods, the sixth is refused with host-local's error",
    hint('In 10.22.0.0/29, which is the last address, and may a pod have it? How many are left for pods once the gateway has one?'),
    () => {
      const dir = scratch();
      expect(addAll(ipam(dir), ['a', 'b', 'c', 'd', 'e']), 'five ADDs in 10.22.0.0/29').toEqual(['10.22.0.2/29', '10.22.0.3/29', '10.22.0.4/29', '10.22.0.5/29', '10.22.0.6/29']);
      expect(
        errorOf(() => cni.ipamAdd(ipam(dir), args('f'), store(dir))),
        'the sixth ADD',
      ).toEqual({ code: 999, msg: 'failed to allocate for range 0: no IP addresses available in range set: 10.22.0.1-10.22.0.6' });
    },
  );

  test('a gateway named in the config is skipped wherever it is, and reported', hint('Do you skip "the .1", or the range\'s gateway?'), () => {
    const dir = scratch();
    const conf = ipam(dir, [{ subnet: '10.22.0.0/29', gateway: '10.22.0.3' }]);
    expect(addAll(conf, ['a', 'b', 'c', 'd', 'e']), 'five ADDs with gateway 10.22.0.3').toEqual(['10.22.0.1/29', '10.22.0.2/29', '10.22.0.4/29', '10.22.0.5/29', '10.22.0.6/29']);
    expect(cni.ipamAdd(conf, args('a'), store(dir)).ips[0]!.gateway, 'the gateway in the result').toBe('10.22.0.3');
  });

  test('rangeStart and rangeEnd bound the addresses, both included', hint('Is rangeEnd itself a valid address?'), () => {
    const dir = scratch();
    const conf = ipam(dir, [{ subnet: '10.22.0.0/24', rangeStart: '10.22.0.10', rangeEnd: '10.22.0.12' }]);
    expect(addAll(conf, ['a', 'b', 'c']), 'three ADDs in 10.22.0.10-10.22.0.12').toEqual(['10.22.0.10/24', '10.22.0.11/24', '10.22.0.12/24']);
    expect(errorOf(() => cni.ipamAdd(conf, args('d'), store(dir))).msg, 'the fourth ADD').toBe('failed to allocate for range 0: no IP addresses available in range set: 10.22.0.10-10.22.0.12');
  });

  test(
    'a range of one address (rangeStart = rangeEnd) holds one pod; rangeStart and rangeEnd may be any address of the subnet, the broadcast address too',
    hint('Is a range whose start and end are the same address empty? Does host-local check rangeEnd against the broadcast address, or only against the subnet?'),
    () => {
      // host-local's Range.Canonicalize only asks that rangeStart and rangeEnd be inside the subnet
      // (plugins/ipam/host-local/backend/allocator/range.go); the real plugin gives these answers.
      const dir = scratch();
      const one = ipam(dir, [{ subnet: '10.22.0.0/29', rangeStart: '10.22.0.4', rangeEnd: '10.22.0.4' }]);
      expect(addAll(one, ['a']), 'ADD in the range 10.22.0.4-10.22.0.4').toEqual(['10.22.0.4/29']);
      expect(errorOf(() => cni.ipamAdd(one, args('b'), store(dir))).msg, 'a second ADD there').toBe('failed to allocate for range 0: no IP addresses available in range set: 10.22.0.4-10.22.0.4');
      const top = scratch();
      const upToBroadcast = ipam(top, [{ subnet: '10.22.0.0/29', rangeStart: '10.22.0.6', rangeEnd: '10.22.0.7' }]);
      expect(addAll(upToBroadcast, ['a', 'b']), 'two ADDs in the range 10.22.0.6-10.22.0.7 of 10.22.0.0/29').toEqual(['10.22.0.6/29', '10.22.0.7/29']);
      const bottom = scratch();
      const fromNetwork = ipam(bottom, [{ subnet: '10.22.0.0/29', rangeStart: '10.22.0.0', rangeEnd: '10.22.0.1' }]);
      expect(addAll(fromNetwork, ['a']), 'ADD in the range 10.22.0.0-10.22.0.1 of 10.22.0.0/29 (the gateway .1 is skipped)').toEqual(['10.22.0.0/29']);
    },
  );

  test(
    'round-robin goes on across the ranges of a set, in the order the config lists them, from just after the last address handed out',
    hint(
      'Number the addresses of the set range after range, in the order of the config. Where in that numbering is store.lastReserved(), when it is the last address of one range, or the first of the next?',
    ),
    () => {
      // allocator.go's RangeIter starts in the range holding last_reserved_ip and goes on in the
      // set's order; the real host-local gives exactly these addresses for this sequence.
      const dir = scratch();
      const conf = ipam(dir, [{ subnet: '10.22.1.0/29' }, { subnet: '10.22.0.0/29', rangeStart: '10.22.0.4' }]);
      const steps: string[] = [];
      const add = (id: string) => steps.push(`ADD ${id}: ${addAll(conf, [id])[0]}`);
      const del = (id: string) => (cni.ipamDel(conf, args(id), store(dir)), steps.push(`DEL ${id}`));
      for (const id of ['a', 'b', 'c']) add(id);
      del('b');
      add('d');
      add('e');
      del('a');
      add('f');
      del('e');
      add('g');
      add('h');
      expect(steps, 'in the set [10.22.1.0/29, 10.22.0.0/29 from 10.22.0.4]: each step').toEqual([
        'ADD a: 10.22.1.2/29',
        'ADD b: 10.22.1.3/29',
        'ADD c: 10.22.1.4/29',
        'DEL b',
        'ADD d: 10.22.1.5/29',
        'ADD e: 10.22.1.6/29',
        'DEL a',
        'ADD f: 10.22.0.4/29',
        'DEL e',
        'ADD g: 10.22.0.5/29',
        'ADD h: 10.22.0.6/29',
      ]);
    },
  );

  test(
    'a range set of several ranges continues in the next range; several range sets give one address each',
    hint('ranges is a list of SETS; each set is a list of ranges. How many addresses does a container get?'),
    () => {
      const dir = scratch();
      const conf = ipam(dir, [{ subnet: '10.22.0.0/30' }, { subnet: '10.22.1.0/30' }], [{ subnet: '10.33.0.0/24' }]);
      expect(addAll(conf, ['a', 'b']), 'two ADDs (each range has its own gateway, .1)').toEqual(['10.22.0.2/30,10.33.0.2/24', '10.22.1.2/30,10.33.0.3/24']);
      expect(errorOf(() => cni.ipamAdd(conf, args('c'), store(dir))).msg, 'a third ADD when the first set is full').toBe(
        'failed to allocate for range 0: no IP addresses available in range set: 10.22.0.1-10.22.0.2,10.22.1.1-10.22.1.2',
      );
    },
  );

  test('when a later range set is full, the address taken in an earlier set is given back', hint('Your ADD failed half-way. What does it still hold, and who will ever release it?'), () => {
    const dir = scratch();
    const conf = ipam(dir, [{ subnet: '10.22.0.0/24' }], [{ subnet: '10.33.0.0/30' }]);
    addAll(conf, ['a']);
    expect(errorOf(() => cni.ipamAdd(conf, args('b'), store(dir))).code, 'ADD of b when the second set is full').toBe(999);
    expect([...store(dir).reservations().keys()].sort(), 'the reservations after the failed ADD').toEqual(['10.22.0.2', '10.33.0.2']);
  });
});

describe('reservations live in the store', () => {
  test(
    'ADD again for the same container and interface returns its address and takes no other; another interface gets its own',
    hint('The runtime retries an ADD after a crash. What does the store say this container already holds?'),
    () => {
      const dir = scratch();
      const first = addAll(ipam(dir), ['a']);
      expect(addAll(ipam(dir), ['a']), 'ADD of a again').toEqual(first);
      expect([...store(dir).reservations().keys()], 'reservations after two ADDs of a').toEqual(['10.22.0.2']);
      expect(cni.ipamAdd(ipam(dir), args('a', 'net1'), store(dir)).ips[0]!.address, 'ADD of a, interface net1').toBe('10.22.0.3/29');
    },
  );

  test(
    "ADD again with several range sets: for each set, the address held in THAT set, with its own range's prefix and gateway",
    hint('The container holds one address per set. When you look for what it already holds, do you ask which set (and which range of it) each address is in?'),
    () => {
      const dir = scratch();
      const conf = ipam(dir, [{ subnet: '10.22.0.0/30' }, { subnet: '10.22.1.0/29' }], [{ subnet: '10.33.0.0/24' }]);
      const first = addAll(conf, ['a', 'b']);
      expect(first, 'ADD of a, then b (b gets the second range of the first set)').toEqual(['10.22.0.2/30,10.33.0.2/24', '10.22.1.2/29,10.33.0.3/24']);
      const again = cni.ipamAdd(conf, args('b'), store(dir)).ips;
      expect(again, 'ADD of b again').toEqual([
        { address: '10.22.1.2/29', gateway: '10.22.1.1' },
        { address: '10.33.0.3/24', gateway: '10.33.0.1' },
      ]);
      expect(addAll(conf, ['a']), 'ADD of a again').toEqual(['10.22.0.2/30,10.33.0.2/24']);
      expect([...store(dir).reservations().keys()].sort(), 'the reservations after the retried ADDs').toEqual(['10.22.0.2', '10.22.1.2', '10.33.0.2', '10.33.0.3']);
    },
  );

  test(
    'DEL releases the address; DEL again, or of a container that holds nothing, succeeds',
    hint('DEL may be called twice, or after an ADD that failed. What should a second DEL find, and is that an error?'),
    () => {
      const dir = scratch();
      addAll(ipam(dir), ['a', 'b']);
      cni.ipamDel(ipam(dir), args('a'), store(dir));
      expect([...store(dir).reservations().keys()], 'after DEL of a').toEqual(['10.22.0.3']);
      expect(() => cni.ipamDel(ipam(dir), args('a'), store(dir)), 'a second DEL of a').not.toThrow();
      expect(() => cni.ipamDel(ipam(dir), args('never-added'), store(dir)), 'DEL of a container never added').not.toThrow();
      cni.ipamDel(ipam(dir), args('b', 'net1'), store(dir));
      expect([...store(dir).reservations().keys()], "DEL of b's other interface leaves eth0's address").toEqual(['10.22.0.3']);
    },
  );

  test('a restart (a new process, a fresh store on the same folder) never hands out an address still held', hint('Where did you keep what is taken: in a variable, or in the store?'), () => {
    const dir = scratch();
    addAll(ipam(dir), ['a', 'b']);
    expect(addAll(ipam(dir), ['c'], openIpamStore(dir, NETWORK)), 'ADD of c after a restart').toEqual(['10.22.0.4/29']);
    expect(readFileSync(join(dir, NETWORK, '10.22.0.4'), 'utf8'), "the file of c's address").toBe('c\r\neth0');
  });

  test(
    'an address another ADD takes between your look at the store and your reserve() is not yours: you get the next one',
    hint('Two pods start at once on a node: two plugin processes see the same free address. Which call decides who gets it, and what does the loser get back?'),
    () => {
      // Pods of a Deployment start together; the runtime runs their ADDs at once (containerd
      // serialises nothing per node). Upstream host-local holds a flock on its folder across
      // allocate and write (plugins/ipam/host-local/backend/disk/backend.go Lock); here the
      // store's reserve() is the atomic step (a hard link that fails when the address's file
      // exists), so only its answer says whether the address is yours.
      const dir = scratch();
      const real = store(dir);
      let stolen: string | undefined;
      const racing: IpamStore = {
        ...real,
        reserve(ip, owner) {
          if (stolen === undefined) {
            stolen = ip;
            expect(real.reserve(ip, { containerId: 'other-pod', ifName: 'eth0' }), 'the other ADD reserving first').toBe(true);
          }
          return real.reserve(ip, owner);
        },
      };
      const got = cni.ipamAdd(ipam(dir), args('a'), racing).ips.map((ip) => ip.address);
      expect(stolen, 'the address the other ADD took first').toBe('10.22.0.2');
      expect(got, 'the addresses ADD of a returned').toEqual(['10.22.0.3/29']);
      expect([...store(dir).reservations()].map(([ip, owner]) => `${ip} ${owner?.containerId}`).sort(), 'who holds what after both ADDs').toEqual(['10.22.0.2 other-pod', '10.22.0.3 a']);
    },
  );

  test('allocation goes round-robin: a released address comes back only after the others', hint('Where does the next search start: at rangeStart, or after store.lastReserved()?'), () => {
    const dir = scratch();
    addAll(ipam(dir), ['a', 'b']);
    cni.ipamDel(ipam(dir), args('a'), store(dir));
    expect(addAll(ipam(dir), ['c', 'd', 'e', 'f']), 'four ADDs after a (10.22.0.2) left').toEqual(['10.22.0.4/29', '10.22.0.5/29', '10.22.0.6/29', '10.22.0.2/29']);
  });

  test('an address whose file cannot be read stays taken', hint("A file you cannot read still names a live pod's address. Is it free?"), () => {
    const dir = scratch();
    store(dir);
    mkdirSync(join(dir, NETWORK, '10.22.0.2'));
    expect(addAll(ipam(dir), ['a']), 'ADD when 10.22.0.2 is held by something unreadable').toEqual(['10.22.0.3/29']);
  });

  test(
    'configs host-local refuses are refused with code 7 (invalid network config)',
    hint('CniPluginError(CNI_ERROR.invalidNetworkConfig, ...): which checks come before you look at any address?'),
    () => {
      const dir = scratch();
      const bad: [string, IpamConfig][] = [
        ['no ranges', { type: 'host-local', dataDir: dir }],
        ['ranges: []', { type: 'host-local', ranges: [], dataDir: dir }],
        ['an empty range set', { type: 'host-local', ranges: [[]], dataDir: dir }],
        ['a good range set, then an empty one', { type: 'host-local', ranges: [[{ subnet: '10.22.0.0/29' }], []], dataDir: dir }],
        ['host bits set', ipam(dir, [{ subnet: '10.22.0.1/29' }])],
        ['a /31', ipam(dir, [{ subnet: '10.22.0.0/31' }])],
        ['a /32', ipam(dir, [{ subnet: '10.22.0.0/32' }])],
        ['rangeStart outside', ipam(dir, [{ subnet: '10.22.0.0/29', rangeStart: '10.22.1.2' }])],
        ['rangeStart before the subnet', ipam(dir, [{ subnet: '10.22.0.0/29', rangeStart: '10.21.255.250' }])],
        ['rangeEnd after the subnet', ipam(dir, [{ subnet: '10.22.0.0/29', rangeEnd: '10.22.0.9' }])],
        ['rangeStart after rangeEnd', ipam(dir, [{ subnet: '10.22.0.0/29', rangeStart: '10.22.0.5', rangeEnd: '10.22.0.3' }])],
        ['not an address', ipam(dir, [{ subnet: '10.22.0.0/29', rangeEnd: '10.22.0.300' }])],
      ];
      expect(
        bad.map(([what, conf]) => `${what}: ${errorOf(() => cni.ipamAdd(conf, args('a'), store(dir))).code}`),
        'the error code of ADD for each',
      ).toEqual(bad.map(([what]) => `${what}: 7`));
      expect(
        readdirSync(join(dir, NETWORK)).filter((n) => /^\d/.test(n)),
        'addresses reserved by refused ADDs',
      ).toEqual([]);
    },
  );

  test(
    "a refused config says what is wrong: msg 'no IP ranges specified' or 'invalid range', and details that name the bad value",
    hint('The stub names the msg of each refusal. A runtime prints msg and details to whoever wrote the config: which value must they fix?'),
    () => {
      const dir = scratch();
      const refusal = (conf: IpamConfig) => {
        try {
          cni.ipamAdd(conf, args('a'), store(dir));
        } catch (error) {
          const e = error as { code?: number; msg?: string; details?: string };
          return { code: e.code, msg: e.msg, details: e.details ?? '' };
        }
        return { code: undefined, msg: 'no error was thrown', details: '' };
      };
      const cases: [string, IpamConfig, string, string][] = [
        ['ranges: []', { type: 'host-local', ranges: [], dataDir: dir }, 'no IP ranges specified', ''],
        ['a /31', ipam(dir, [{ subnet: '10.22.0.0/31' }]), 'invalid range', '10.22.0.0/31'],
        ['host bits set', ipam(dir, [{ subnet: '10.22.0.1/29' }]), 'invalid range', '10.22.0.0'],
        ['rangeStart before the subnet', ipam(dir, [{ subnet: '10.22.0.0/29', rangeStart: '10.21.255.250' }]), 'invalid range', '10.21.255.250'],
        ['rangeEnd after the subnet', ipam(dir, [{ subnet: '10.22.0.0/29', rangeEnd: '10.22.0.9' }]), 'invalid range', '10.22.0.9'],
        ['rangeStart after rangeEnd', ipam(dir, [{ subnet: '10.22.0.0/29', rangeStart: '10.22.0.5', rangeEnd: '10.22.0.3' }]), 'invalid range', '10.22.0.5'],
      ];
      const got = cases.map(([what, conf, , named]) => {
        const r = refusal(conf);
        return `${what}: code ${r.code}, msg ${show(r.msg)}${named ? `, details ${r.details.includes(named) ? 'name' : 'do not name'} ${named}` : ''}`;
      });
      expect(got, 'the error of ADD for each config (host-local says e.g. "RangeStart 10.21.255.250 not in network 10.22.0.0/29")').toEqual(
        cases.map(([what, , msg, named]) => `${what}: code 7, msg ${show(msg)}${named ? `, details name ${named}` : ''}`),
      );
    },
  );

  test('over any sequence of ADDs, DELs and restarts, no address is held twice, and none is the network, gateway or broadcast address', async ({ task }) => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), id: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('del' as const), id: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('restart' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const dir = scratch();
        let s = store(dir);
        const holds = new Map<number, string>();
        for (const o of ops) {
          if (o.kind === 'restart') s = openIpamStore(dir, NETWORK);
          else if (o.kind === 'del') {
            cni.ipamDel(ipam(dir), args(`c${o.id}`), s);
            holds.delete(o.id);
          } else {
            let got: string | undefined;
            try {
              got = cni.ipamAdd(ipam(dir), args(`c${o.id}`), s).ips[0]!.address.split('/')[0];
            } catch {
              got = undefined;
            }
            if (got === undefined) {
              expect(holds.size, `ADD of c${o.id} failed after ${show(ops)} with ${holds.size} pods holding addresses`).toBe(5);
              continue;
            }
            if (holds.has(o.id)) expect(got, `ADD of c${o.id} again after ${show(ops)}`).toBe(holds.get(o.id));
            expect(
              [...holds].filter(([id, ip]) => id !== o.id && ip === got),
              `${got} handed to c${o.id} after ${show(ops)}`,
            ).toEqual([]);
            expect(['10.22.0.0', '10.22.0.1', '10.22.0.7'], `${got} after ${show(ops)}`).not.toContain(got);
            holds.set(o.id, got);
          }
        }
      }),
      { seed: useSeed(task), numRuns: 60 },
    );
  });
});

describe('the same answers as the real host-local', () => {
  const skip = !haveReference('host-local');
  test.skipIf(skip)(
    `on one sequence of ADDs and DELs, every address is the one ${REFERENCE_PLUGINS}/host-local gives${skip ? ' (skipped: the reference plugins are not installed; apt-get install containernetworking-plugins)' : ''}`,
    hint("The suite prints the first step where your address and host-local's differ: which rule of host-local gives its answer?"),
    async () => {
      const mineDir = scratch();
      const theirsDir = scratch();
      const sets: IpamRange[][] = [[{ subnet: '10.22.0.0/28', gateway: '10.22.0.5', rangeEnd: '10.22.0.12' }]];
      const steps: [string, string][] = [
        ['ADD', 'a'],
        ['ADD', 'b'],
        ['ADD', 'c'],
        ['DEL', 'b'],
        ['ADD', 'd'],
        ['ADD', 'e'],
        ['DEL', 'a'],
        ['ADD', 'f'],
        ['ADD', 'g'],
        ['ADD', 'h'],
        ['ADD', 'i'],
        ['ADD', 'j'],
        ['ADD', 'k'],
        ['DEL', 'k'],
        ['DEL', 'k'],
      ];
      const mine: string[] = [];
      const theirs: string[] = [];
      for (const [command, id] of steps) {
        let m: string;
        try {
          const conf = ipam(mineDir, ...sets);
          if (command === 'ADD')
            m = cni
              .ipamAdd(conf, args(id), store(mineDir))
              .ips.map((i) => `${i.address} gw ${i.gateway}`)
              .join(',');
          else m = (cni.ipamDel(conf, args(id), store(mineDir)), 'ok');
        } catch (error) {
          m = `error ${(error as { code?: number }).code}: ${(error as { msg?: string }).msg ?? (error as Error).message}`;
        }
        const conf = { cniVersion: '1.0.0', name: NETWORK, type: 'host-local', ipam: { ...ipam(theirsDir, ...sets) } };
        const run = await runPlugin(
          join(REFERENCE_PLUGINS, 'host-local'),
          { CNI_COMMAND: command, CNI_CONTAINERID: id, CNI_NETNS: '/var/run/netns/none', CNI_IFNAME: 'eth0', CNI_PATH: REFERENCE_PLUGINS },
          JSON.stringify(conf),
        );
        const out = run.stdout ? (JSON.parse(run.stdout) as { ips?: { address: string; gateway: string }[]; code?: number; msg?: string }) : {};
        const t = run.code !== 0 ? `error ${out.code}: ${out.msg}` : command === 'ADD' ? out.ips!.map((i) => `${i.address} gw ${i.gateway}`).join(',') : 'ok';
        mine.push(`${command} ${id}: ${m}`);
        theirs.push(`${command} ${id}: ${t}`);
      }
      const at = mine.findIndex((line, i) => line !== theirs[i]);
      expect(at < 0 ? 'the same at every step' : `step ${at + 1}, ${mine[at]}`, at < 0 ? '' : `the steps so far:\n${theirs.slice(0, at + 1).join('\n')}\n(host-local's answers)`).toBe(
        at < 0 ? 'the same at every step' : `step ${at + 1}, ${theirs[at]}`,
      );
    },
  );
});

describe("node-ipam: each Node's spec.podCIDR", () => {
  test('blocks of the node mask, in order from the start of the cluster CIDR', hint('Block i of a /16 cut into /24s starts at network + i × 256.'), () => {
    const a = cni.newNodeCidrAllocator('10.244.0.0/16', 24);
    expect([a.allocateNext(), a.allocateNext(), a.allocateNext()], 'three nodes').toEqual(['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24']);
    const b = cni.newNodeCidrAllocator('10.244.0.0/14', 16);
    expect([b.allocateNext(), b.allocateNext()], 'a /14 in /16s').toEqual(['10.244.0.0/16', '10.245.0.0/16']);
  });

  test('blocks Nodes already hold are occupied and never handed out again', hint('The controller restarts: the Nodes still have their podCIDRs. What must the new allocator learn first?'), () => {
    const a = cni.newNodeCidrAllocator('10.244.0.0/16', 24);
    a.occupy('10.244.0.0/24');
    a.occupy('10.244.2.0/24');
    expect([a.allocateNext(), a.allocateNext()], 'two more nodes').toEqual(['10.244.1.0/24', '10.244.3.0/24']);
  });

  test(
    "a deleted Node's block is released, and handed out again once the allocator comes round to it",
    hint('After release, where does the next search start? Upstream keeps a nextCandidate.'),
    () => {
      const a = cni.newNodeCidrAllocator('10.244.0.0/30', 31);
      expect([a.allocateNext(), a.allocateNext()], 'two /31s of a /30').toEqual(['10.244.0.0/31', '10.244.0.2/31']);
      expect(errorOf(() => a.allocateNext()).msg, 'a third').toBe('CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range');
      a.release('10.244.0.0/31');
      expect(a.allocateNext(), 'after the first was released').toBe('10.244.0.0/31');
      const b = cni.newNodeCidrAllocator('10.244.0.0/16', 24);
      b.allocateNext();
      b.allocateNext();
      b.release('10.244.0.0/24');
      expect(b.allocateNext(), 'after releasing the first of two').toBe('10.244.2.0/24');
    },
  );

  test(
    'a node mask as long as the cluster prefix gives one block; a /32 node mask gives one address per node; /33 is refused',
    hint('How many /24 blocks are in a /24? How many /32 blocks in a /30? Check the bounds of nodeMaskSize: which are allowed, both ends included?'),
    () => {
      // cidr_set.go: maxCIDRs = 1 << (subNetMaskSize - clusterMaskSize), so equal sizes give one.
      const one = cni.newNodeCidrAllocator('10.244.0.0/24', 24);
      expect(one.allocateNext(), 'the first block of 10.244.0.0/24 in /24s').toBe('10.244.0.0/24');
      expect(errorOf(() => one.allocateNext()).msg, 'a second').toBe('CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range');
      const hosts = cni.newNodeCidrAllocator('10.244.0.0/30', 32);
      expect([hosts.allocateNext(), hosts.allocateNext(), hosts.allocateNext(), hosts.allocateNext()], 'four nodes in 10.244.0.0/30 with node mask /32').toEqual([
        '10.244.0.0/32',
        '10.244.0.1/32',
        '10.244.0.2/32',
        '10.244.0.3/32',
      ]);
      expect(errorOf(() => cni.newNodeCidrAllocator('10.244.0.0/16', 33)).msg === 'no error was thrown', 'newNodeCidrAllocator(10.244.0.0/16, 33) made an allocator').toBe(false);
    },
  );

  test(
    'the last block of the cluster CIDR is inside it: it can be occupied, and is then never handed out',
    hint("Is the last block of 10.244.0.0/30 (10.244.0.2/31) inside the cluster CIDR? Compare its last address with the cluster's."),
    () => {
      const a = cni.newNodeCidrAllocator('10.244.0.0/30', 31);
      expect(() => a.occupy('10.244.0.2/31'), 'occupy 10.244.0.2/31, the last /31 of 10.244.0.0/30').not.toThrow();
      expect(a.allocateNext(), 'the next node').toBe('10.244.0.0/31');
      expect(errorOf(() => a.allocateNext()).msg, 'one more').toBe('CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range');
    },
  );

  test('a block outside the cluster CIDR, or of another size, is refused; so is a node mask wider than the cluster', () => {
    const a = cni.newNodeCidrAllocator('10.244.0.0/16', 24);
    expect(() => a.occupy('10.245.0.0/24'), 'occupy 10.245.0.0/24 in 10.244.0.0/16').toThrow();
    expect(() => a.occupy('10.243.255.0/24'), 'occupy 10.243.255.0/24 (just before 10.244.0.0/16)').toThrow();
    expect(() => a.occupy('10.244.0.0/16'), 'occupy a /16 with node mask /24').toThrow();
    expect(() => a.release('192.168.0.0/24'), 'release 192.168.0.0/24').toThrow();
    expect(() => cni.newNodeCidrAllocator('10.244.0.0/16', 8), 'node mask /8 in a /16').toThrow();
    expect(a.allocateNext(), 'the allocator still works after the refusals').toBe('10.244.0.0/24');
  });
});

void parseIPv4;
