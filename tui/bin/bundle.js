// The start-up bundle: `npm start` must show the home screen fast, and `check` grade fast, and loading ink, react,
// yaml and zod as hundreds of separate ES modules through tsx takes over a second. So the CLI is
// bundled once with esbuild (production React, code split so that only what the first frame needs
// is read) into node_modules/.cache/kubelings/tui/, and rebuilt whenever a source it was built
// from changes (or the lock file, after an npm install).
//
// Invariants:
// - the bundle is only a cache: when it cannot be built or read, the caller falls back to tsx,
//   and KUBELINGS_NO_BUNDLE=1 always does;
// - freshness is checked by size and mtime of every project file that went into it, plus
//   package-lock.json and node_modules/.package-lock.json: a stat each, about a millisecond;
// - a build never replaces files in use: each build gets its own folder and the manifest that
//   names it is replaced atomically (rename); old folders are removed when they are a day old
//   (a TUI still running from one loads its chunks lazily);
// - `import.meta.url` (and dirname/filename) keep meaning the original source file, so paths
//   computed from them (the repository root, the grader's child script) stay right;
// - the TUI and the learner's quick verbs (check, watch, list, hint, reset, edit) run from the bundle;
//   cli.ts's other commands (pack, cluster, explain) stay outside it and run with tsx;
// - grader/spawn.js stays outside too, so that the grader child the bin shim prestarts and the one
//   the bundled runner adopts live in one module instance.
// Plain JavaScript because it runs before tsx is loaded.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CACHE = join(ROOT, 'node_modules', '.cache', 'kubelings', 'tui');
const MANIFEST = join(CACHE, 'manifest.json');
const FORMAT = 1;
/** Files outside the bundle's inputs whose change means the dependencies changed. */
const LOCKS = ['package.json', 'package-lock.json', join('node_modules', '.package-lock.json')];
/** cli.ts's entries that belong in the bundle; its other dynamic imports stay outside. */
const BUNDLED_ENTRIES = new Set(['./app/main.tsx', './commands/check.ts', './commands/watch.ts', './commands/list.ts', './commands/hint.ts', './commands/reset.ts', './commands/edit.ts']);
/** The verbs that run from the bundle (no verb, or `start`, opens the TUI). */
const BUNDLED_VERBS = new Set(['start', 'check', 'watch', 'list', 'hint', 'reset', 'edit']);

function stamp(file) {
  try {
    const s = statSync(join(ROOT, file));
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

/** True when the command line runs from the bundle: the TUI or a quick verb, not --help / --version. */
export function bundledInvocation(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: { pack: { type: 'string', multiple: true }, impl: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  return (positionals.length === 0 || BUNDLED_VERBS.has(positionals[0])) && !values.help && !values.version;
}

/** The bundled CLI's file URL when the bundle is fresh, else undefined. */
export function freshBundle() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  } catch {
    return undefined;
  }
  if (manifest.format !== FORMAT || manifest.root !== ROOT || manifest.node !== process.versions.node) return undefined;
  for (const [file, was] of Object.entries(manifest.inputs)) if (stamp(file) !== was) return undefined;
  return pathToFileURL(join(CACHE, manifest.dir, 'cli.js')).href;
}

/** Builds the bundle and returns its entry's file URL (throws when esbuild fails). */
export async function buildBundle() {
  const { build } = await import('esbuild');
  const dir = `build-${Date.now()}-${process.pid}`;
  const outdir = join(CACHE, dir);
  const result = await build({
    entryPoints: { cli: join(ROOT, 'tui', 'cli.ts') },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    sourcemap: 'linked',
    minify: true,
    metafile: true,
    logLevel: process.env.KUBELINGS_DEBUG ? 'warning' : 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
    // CommonJS dependencies inside an ES module bundle still call require().
    banner: { js: "import { createRequire as kubelingsCreateRequire } from 'node:module'; const require = kubelingsCreateRequire(import.meta.url);" },
    plugins: [tuiOnly, noDevtools, yogaWithoutFetch, sourceMeta],
  });
  const inputs = {};
  for (const file of [...Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules')), ...LOCKS]) {
    const rel = relative(ROOT, resolve(ROOT, file));
    inputs[rel] = stamp(rel);
  }
  inputs[relative(ROOT, fileURLToPath(import.meta.url))] = stamp(relative(ROOT, fileURLToPath(import.meta.url)));
  const manifest = { format: FORMAT, root: ROOT, node: process.versions.node, dir, inputs };
  const temp = `${MANIFEST}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(manifest, null, 1)}\n`);
  renameSync(temp, MANIFEST);
  removeOldBuilds(dir);
  return pathToFileURL(join(outdir, 'cli.js')).href;
}

/** The bundled CLI, built first when missing or stale; undefined when it cannot be had. */
export async function bundledCli() {
  if (process.env.KUBELINGS_NO_BUNDLE) return undefined;
  const fresh = freshBundle();
  if (fresh) return fresh;
  try {
    mkdirSync(CACHE, { recursive: true });
    return await buildBundle();
  } catch (error) {
    if (process.env.KUBELINGS_DEBUG) process.stderr.write(`kubelings: start-up bundle not built (${error.message}); using tsx\n`);
    return undefined;
  }
}

function removeOldBuilds(keep) {
  const dayAgo = Date.now() - 86_400_000;
  for (const name of readdirSync(CACHE)) {
    if (!name.startsWith('build-') || name === keep) continue;
    const path = join(CACHE, name);
    try {
      if (statSync(path).mtimeMs < dayAgo) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another process removed it first.
    }
  }
}

/**
 * Keeps cli.ts's other commands out of the bundle (they are imported from source, with tsx), and
 * grader/spawn.js out of it (one module instance holds the prestarted grader child).
 */
const tuiOnly = {
  name: 'kubelings-tui-only',
  setup(b) {
    b.onResolve({ filter: /spawn\.js$/ }, (args) => {
      const file = resolve(dirname(args.importer), args.path);
      return file === join(ROOT, 'tui', 'grader', 'spawn.js') ? { path: pathToFileURL(file).href, external: true } : undefined;
    });
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind !== 'dynamic-import' || !args.importer.endsWith(join('tui', 'cli.ts')) || BUNDLED_ENTRIES.has(args.path)) return undefined;
      const file = args.path.startsWith('#engine/') ? join(ROOT, 'engine', args.path.slice('#engine/'.length)) : resolve(dirname(args.importer), args.path);
      return { path: pathToFileURL(file).href, external: true };
    });
  },
};

/** ink imports react-devtools-core only when DEV=true; it is not installed. */
const noDevtools = {
  name: 'kubelings-no-devtools',
  setup(b) {
    b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'kubelings-empty' }));
    b.onLoad({ filter: /.*/, namespace: 'kubelings-empty' }, () => ({ contents: 'export default {};', loader: 'js' }));
  },
};

/**
 * ink's layout engine (yoga-layout) loads its WebAssembly from a base64 data: URL, with fetch()
 * when fetch exists: on Node that first loads undici, about 100 ms of the first frame. Where the
 * code is as expected, it decodes the base64 itself instead (its own fallback, for hosts without
 * fetch); otherwise the file is left alone.
 */
const yogaWithoutFetch = {
  name: 'kubelings-yoga-without-fetch',
  setup(b) {
    b.onLoad({ filter: /yoga-layout[\\/]dist[\\/]binaries[\\/].*\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const uses = 'return w||"function"!=typeof fetch?';
      if (!text.includes(uses)) return undefined;
      return { contents: text.replace(uses, 'return true?'), loader: 'js' };
    });
  },
};

/** `import.meta.url` in project files keeps naming the source file, not the bundle. */
const sourceMeta = {
  name: 'kubelings-source-meta',
  setup(b) {
    b.onLoad({ filter: /\.(ts|tsx|js|mjs)$/ }, (args) => {
      if (args.path.includes(`${join('node_modules')}`) || !args.path.startsWith(ROOT)) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta')) return undefined;
      const contents = text
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
        .replaceAll('import.meta.filename', JSON.stringify(args.path));
      const ext = extname(args.path).slice(1);
      return { contents, loader: ext === 'mjs' ? 'js' : ext, resolveDir: dirname(args.path) };
    });
  },
};
