/**
 * The built-in images' programs, ready to run with plain `node`: each program in ./programs is
 * bundled once by esbuild into one ES module in node_modules/.cache/kubelings/images/<hash>/
 * (the temporary folder when that cannot be written), so that a container starts in the time Node
 * starts (loading TypeScript through tsx takes several times longer, and pod start-up is measured).
 *
 * Invariants:
 * - a cache, never a build step: the folder is named by the hash of the programs' sources, the
 *   esbuild version and the Node version, so a change to any of them makes a new one, and when
 *   esbuild fails the programs run through tsx (slower, said in `warning`);
 * - a bundle is written under a temporary name and renamed into place, so a reader never sees a
 *   half-written one; two processes building at once both end with the same complete folder.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../paths.ts';
import type { BuiltinImage } from './catalog.ts';

/** An image's program, or `applets`: the `tar` and `test` that exec runs in any container (applets.ts). */
export type ImageProgram = NonNullable<BuiltinImage['program']> | 'applets';

const PROGRAMS: readonly ImageProgram[] = ['nginx', 'echo', 'crash', 'kv', 'applets'];

/** busybox's tools that need the pod's DNS settings (./programs/resolver.ts): first on busybox's PATH, from `toolsBin`. */
export const BUSYBOX_TOOLS = ['nslookup', 'wget'] as const;
const SOURCE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'programs');

/** How to start a program: the Node binary's arguments before the program's own. */
export interface ProgramLaunch {
  /** Arguments to process.execPath, the program's args follow. */
  nodeArgs: string[];
  /** Set when the programs run without a bundle (slower start-up), saying why. */
  warning?: string;
}

export interface ImagePrograms {
  launch(program: ImageProgram): ProgramLaunch;
  /** A folder of executables named after BUSYBOX_TOOLS, which busybox containers find first on their PATH. */
  toolsBin?: string;
  /** The folder of the bundles (undefined when running through tsx). */
  dir?: string;
  warning?: string;
}

function sourceHash(esbuildVersion: string): string {
  const hash = createHash('sha256').update(`format 2\0${esbuildVersion}\0${process.versions.node}\0`);
  for (const name of readdirSync(SOURCE_DIR).sort())
    hash
      .update(`${name}\0`)
      .update(readFileSync(join(SOURCE_DIR, name)))
      .update('\0');
  return hash.digest('hex').slice(0, 16);
}

function cacheRoots(): string[] {
  return [join(ROOT, 'node_modules', '.cache', 'kubelings', 'images'), join(tmpdir(), 'kubelings-images')];
}

async function build(): Promise<ImagePrograms> {
  const esbuild = await import('esbuild');
  const hash = sourceHash(esbuild.version);
  let lastError: unknown;
  for (const root of cacheRoots()) {
    const dir = join(root, hash);
    const complete = () => [...PROGRAMS, ...BUSYBOX_TOOLS].every((p) => existsSync(join(dir, `${p}.mjs`))) && BUSYBOX_TOOLS.every((t) => existsSync(join(dir, 'bin', t)));
    if (complete()) return programsIn(dir);
    const temp = `${dir}.building-${process.pid}-${Date.now()}`;
    try {
      mkdirSync(root, { recursive: true });
      await esbuild.build({
        entryPoints: Object.fromEntries([...PROGRAMS, ...BUSYBOX_TOOLS].map((p) => [p, join(SOURCE_DIR, `${p}.ts`)])),
        outdir: temp,
        outExtension: { '.js': '.mjs' },
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        logLevel: 'silent',
        legalComments: 'none',
        // tar-stream (the applets) is CommonJS and requires node's own modules: give the ES module a require.
        banner: { js: "import { createRequire as kubelingsCreateRequire } from 'node:module'; const require = kubelingsCreateRequire(import.meta.url);" },
      });
      writeToolsBin(join(temp, 'bin'), (tool) => [join(dir, `${tool}.mjs`)]);
      try {
        renameSync(temp, dir);
      } catch (error) {
        // Another process renamed its build into place first: use that one.
        if (!complete()) throw error;
      }
      return programsIn(dir);
    } catch (error) {
      lastError = error;
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  }
  throw lastError;
}

function programsIn(dir: string): ImagePrograms {
  return { dir, toolsBin: join(dir, 'bin'), launch: (program) => ({ nodeArgs: [join(dir, `${program}.mjs`)] }) };
}

/** One shell script per busybox tool in `bin`, running this Node with `nodeArgs(tool)`. */
function writeToolsBin(bin: string, nodeArgs: (tool: string) => string[]): void {
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  mkdirSync(bin, { recursive: true });
  for (const tool of BUSYBOX_TOOLS) {
    writeFileSync(join(bin, tool), `#!/bin/sh\nexec ${[process.execPath, ...nodeArgs(tool)].map(quote).join(' ')} "$@"\n`, { mode: 0o755 });
  }
}

function throughTsx(reason: string): ImagePrograms {
  const tsx = import.meta.resolve('tsx');
  const warning = `the built-in images run through tsx (slow start-up) because their bundle could not be built: ${reason}`;
  let toolsBin: string | undefined = join(tmpdir(), `kubelings-tools-${process.pid}`);
  try {
    writeToolsBin(toolsBin, (tool) => ['--import', tsx, join(SOURCE_DIR, `${tool}.ts`)]);
  } catch {
    toolsBin = undefined;
  }
  return { warning, ...(toolsBin ? { toolsBin } : {}), launch: (program) => ({ nodeArgs: ['--import', tsx, join(SOURCE_DIR, `${program}.ts`)], warning }) };
}

let programs: Promise<ImagePrograms> | undefined;

/** The programs of the built-in images, bundled on first use in this process. */
export function imagePrograms(): Promise<ImagePrograms> {
  programs ??= build().catch((error: unknown) => throughTsx(error instanceof Error ? error.message : String(error)));
  return programs;
}
