/**
 * Shared pieces of the CNI suites: scratch folders (removed after the file's tests), a recording
 * fake of the engine's kernel helpers (NetOps) that keeps links, addresses and routes in memory
 * as the kernel would, and runners for the reference plugins in /usr/lib/cni.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { NetOps } from '#engine/cni/exercises.ts';
import { isProcessAlive } from '#engine/processes.ts';

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder under the system's temp folder, named after this process, removed after the file's tests. */
export function scratch(prefix = 'kubelings-cni-'): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}${process.pid}-`));
  made.push(dir);
  return dir;
}

/**
 * Removes the scratch folders of processes that are gone: a process killed mid-test (a mutation
 * run's timed-out mutant, a watchdog's kill) never reaches its afterAll.
 */
export function sweepDeadScratch(prefix = 'kubelings-cni-'): void {
  let names: string[] = [];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const pid = name.startsWith(prefix) ? /^(\d+)-/.exec(name.slice(prefix.length))?.[1] : undefined;
    if (pid !== undefined && !isProcessAlive(Number(pid))) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}
sweepDeadScratch();

export const REFERENCE_PLUGINS = '/usr/lib/cni';
export const haveReference = (name: string) => existsSync(join(REFERENCE_PLUGINS, name));

/** Runs a plugin program as a runtime does; its exit code and stdout. */
export function runPlugin(binary: string, env: Record<string, string>, stdin: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(binary, [], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(stdin);
  });
}

interface FakeLink {
  mac: string;
  addresses: string[];
  master?: string;
}

/** What a fake kernel holds: links per namespace ('' is the host), routes per namespace. */
export interface FakeKernel {
  ops: NetOps;
  calls: string[];
  links: Map<string, Map<string, FakeLink>>;
  routes: Map<string, { dst: string; gw?: string }[]>;
  /** Make the next call of this operation fail (as a kernel refusing it). */
  failNext(op: keyof NetOps): void;
}

export function fakeKernel(): FakeKernel {
  let macs = 0;
  const mac = () => `02:00:00:00:00:${(++macs).toString(16).padStart(2, '0')}`;
  const links = new Map<string, Map<string, FakeLink>>();
  const routes = new Map<string, { dst: string; gw?: string }[]>();
  const calls: string[] = [];
  const failing = new Set<string>();
  const ns = (name: string) => links.get(name) ?? links.set(name, new Map()).get(name)!;
  const step = (op: string, text: string) => {
    calls.push(text);
    if (failing.delete(op)) throw new Error(`${op} failed (the test made it fail)`);
  };
  const ops: NetOps = {
    async ensureBridge(name, gatewayCidr) {
      step('ensureBridge', `ensureBridge ${name} ${gatewayCidr ?? '-'}`);
      const link = ns('').get(name) ?? { mac: mac(), addresses: [] };
      ns('').set(name, link);
      if (gatewayCidr && !link.addresses.includes(gatewayCidr)) link.addresses.push(gatewayCidr);
      return { mac: link.mac };
    },
    async createVeth(netns, ifName, hostName, bridge) {
      step('createVeth', `createVeth ${netns} ${ifName} ${hostName} ${bridge}`);
      if (ns(netns).has(ifName)) throw new Error(`container veth name "${ifName}" already exists`);
      const host = { mac: mac(), addresses: [], master: bridge };
      const peer = { mac: mac(), addresses: [], master: hostName };
      ns('').set(hostName, host);
      ns(netns).set(ifName, peer);
      return { hostMac: host.mac, containerMac: peer.mac };
    },
    async addAddress(netns, ifName, cidr) {
      step('addAddress', `addAddress ${netns} ${ifName} ${cidr}`);
      const link = ns(netns).get(ifName);
      if (!link) throw new Error(`no link ${ifName} in ${netns}`);
      link.addresses.push(cidr);
    },
    async addDefaultRoute(netns, ifName, gateway) {
      step('addDefaultRoute', `addDefaultRoute ${netns} ${ifName} ${gateway}`);
      if (!ns(netns).get(ifName)) throw new Error(`no link ${ifName} in ${netns}`);
      routes.set(netns, [...(routes.get(netns) ?? []), { dst: '0.0.0.0/0', gw: gateway }]);
    },
    async deleteLink(netns, ifName) {
      step('deleteLink', `deleteLink ${netns} ${ifName}`);
      const link = ns(netns).get(ifName);
      if (!link) return false;
      ns(netns).delete(ifName);
      if (link.master) ns('').delete(link.master);
      routes.delete(netns);
      return true;
    },
    async addresses(netns, ifName) {
      calls.push(`addresses ${netns} ${ifName}`);
      return ns(netns).get(ifName)?.addresses.slice();
    },
    async routes(netns) {
      calls.push(`routes ${netns}`);
      return (routes.get(netns) ?? []).slice();
    },
  };
  return { ops, calls, links, routes, failNext: (op) => void failing.add(op) };
}
