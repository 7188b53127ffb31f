/**
 * Which cgroup hierarchy this process can give its containers, read from /proc/self/mountinfo and
 * /proc/self/cgroup (pure: the texts come in, a plan goes out, so every layout is testable):
 * - cgroup v1 when the cpu and memory controllers are mounted as v1 hierarchies (also in the
 *   "hybrid" layout, where an empty cgroup2 is mounted beside them);
 * - cgroup v2 when a cgroup2 file system is mounted (its controllers are checked when used);
 * - none elsewhere, with the reason: not Linux, not root, or no cgroup file system.
 * Each controller's folder is the runtime's own cgroup (so the containers' limits nest inside
 * whatever limits the runtime itself lives under), found as the mount point plus the process's
 * cgroup path relative to the mount's root.
 */

export type CgroupDriverName = 'cgroupv1' | 'cgroupv2' | 'none';

export interface CgroupLayout {
  driver: CgroupDriverName;
  reason?: string;
  /** v1: the runtime's own folder per controller (cpu, cpuacct, memory); v2: `unified`. */
  own: Partial<Record<'cpu' | 'cpuacct' | 'memory' | 'unified', string>>;
}

interface Mount {
  root: string;
  point: string;
  type: string;
  options: string[];
}

/** mountinfo escapes spaces and such as \040. */
function unescape(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

function parseMountinfo(text: string): Mount[] {
  const out: Mount[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const dash = fields.indexOf('-');
    if (dash < 6 || fields.length < dash + 4) continue;
    out.push({ root: unescape(fields[3]!), point: unescape(fields[4]!), type: fields[dash + 1]!, options: fields[dash + 3]!.split(',') });
  }
  return out;
}

/** controller ('' for v2) → the process's cgroup path. */
function parseProcCgroup(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!match) continue;
    const controllers = match[2]!.split(',').map((c) => c.replace(/^name=/, 'name='));
    if (match[1] === '0' && match[2] === '') out.set('', match[3]!);
    else for (const c of controllers) out.set(c, match[3]!);
  }
  return out;
}

function folderOf(mount: Mount, path: string): string {
  const relative = mount.root === '/' ? path : path.startsWith(mount.root) ? path.slice(mount.root.length) : path;
  return `${mount.point}${relative === '/' ? '' : relative}`.replace(/\/+$/, '') || '/';
}

export interface PlanInput {
  platform: NodeJS.Platform;
  uid: number;
  mountinfo: string;
  procSelfCgroup: string;
}

export function planCgroups(input: PlanInput): CgroupLayout {
  if (input.platform !== 'linux') return { driver: 'none', own: {}, reason: `cgroups exist only on Linux: cpu and memory limits are not enforced on ${input.platform}` };
  if (input.uid !== 0) return { driver: 'none', own: {}, reason: `not running as root (uid ${input.uid}): creating cgroups needs root, so cpu and memory limits are not enforced` };
  const mounts = parseMountinfo(input.mountinfo);
  const paths = parseProcCgroup(input.procSelfCgroup);
  const v1 = (controller: string) => mounts.find((m) => m.type === 'cgroup' && m.options.includes(controller));
  const cpu = v1('cpu');
  const memory = v1('memory');
  if (cpu && memory && paths.has('cpu') && paths.has('memory')) {
    const cpuacct = v1('cpuacct');
    return {
      driver: 'cgroupv1',
      own: {
        cpu: folderOf(cpu, paths.get('cpu')!),
        memory: folderOf(memory, paths.get('memory')!),
        ...(cpuacct && paths.has('cpuacct') ? { cpuacct: folderOf(cpuacct, paths.get('cpuacct')!) } : {}),
      },
    };
  }
  const unified = mounts.find((m) => m.type === 'cgroup2');
  if (unified && paths.has('')) return { driver: 'cgroupv2', own: { unified: folderOf(unified, paths.get('')!) } };
  return { driver: 'none', own: {}, reason: 'no cgroup file system with the cpu and memory controllers is mounted: cpu and memory limits are not enforced' };
}
