/**
 * kubectl's move from client-side to server-side apply, as the server side of it works upstream:
 * - k8s.io/apimachinery pkg/util/managedfields/internal/lastappliedmanager_test.go
 *   (TestApplyUsingLastAppliedAnnotation): `kubectl apply --server-side` may take the fields
 *   kubectl last applied client-side, and only those, without --force-conflicts;
 * - …/internal/lastappliedupdater_test.go (TestLastAppliedUpdater, TestLargeLastApplied): the
 *   annotation follows each server-side apply by kubectl, and is dropped when it would be too large;
 * - the whole exchange kubectl 1.32 has with the server (kubectl pkg/cmd/apply/apply.go:
 *   saveLastApplyAnnotationIfNecessary, migrateToSSAIfNecessary; client-go util/csaupgrade
 *   upgrade.go: FindFieldsOwners, UpgradeManagedFieldsPatch), replayed request by request, ends
 *   with every field last applied client-side owned by the server-side applier, no
 *   kubectl-client-side-apply entry, and no conflict on the way.
 */
import { describe, expect, test } from 'vitest';
import { ApplyConflictError, applyManagedFields, FieldSet, LAST_APPLIED_ANNOTATION, type ManagedFieldsEntry, updateManagedFields } from '#engine/apiserver/fieldmanager/index.ts';
import { goJSON } from '#engine/apiserver/fieldmanager/format.ts';
import { makePath, pathToString } from '#engine/apiserver/fieldmanager/path.ts';
import type { KubeObject } from '#engine/kube/types.ts';
import { parse as parseYaml } from 'yaml';

const gvk = { apiVersion: 'apps/v1', kind: 'Deployment' };
let clock = 0;
const now = () => new Date(Date.UTC(2024, 4, 1, 12, 0, ++clock));
const opts = (manager: string) => ({ manager, ...gvk, now: now(), resetFields: [['status']] });

/** The annotation kubectl's client-side apply writes: the manifest as sorted JSON, with a newline. */
const annotationFor = (manifest: unknown) => `${goJSON(manifest, true)}\n`;

function withAnnotation(object: KubeObject, value: string): KubeObject {
  return { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, [LAST_APPLIED_ANNOTATION]: value } } };
}

const stored = (object: KubeObject) => ({ ...object, metadata: { ...object.metadata, uid: 'u-1', resourceVersion: String(clock) } });

describe('kubectl apply --server-side over client-side apply (lastappliedmanager_test.go)', () => {
  const y = (text: string) => parseYaml(text) as KubeObject;
  const cases: { name: string; manager: string; lastApplied?: string; original: string; applied: string; conflicts?: string[] }[] = [
    {
      name: 'fields the annotation does not vouch for still conflict',
      manager: 'kubectl',
      lastApplied: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: my-deployment}
spec:
  replicas: 3
  selector: {matchLabels: {app: my-app}}
  template:
    metadata: {labels: {app: my-app}}
    spec: {containers: [{name: my-c, image: my-image-v1}, {name: my-c2, image: my-image2}]}`,
      original: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: my-deployment, labels: {app: my-app}}
spec:
  replicas: 100
  selector: {matchLabels: {app: my-app}}
  template:
    metadata: {labels: {app: my-app}}
    spec: {containers: [{name: my-c, image: my-image-v2}]}`,
      applied: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: my-deployment, labels: {app: my-new-label}}
spec:
  replicas: 333
  selector: {matchLabels: {app: my-new-label}}
  template:
    metadata: {labels: {app: my-new-label}}
    spec: {containers: [{name: my-c, image: my-image-new}]}`,
      conflicts: ['.metadata.labels.app', '.spec.replicas', '.spec.template.spec.containers[name="my-c"].image'],
    },
    {
      name: 'a field changed since the client-side apply conflicts',
      manager: 'kubectl',
      lastApplied: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: my-deployment, labels: {app: my-app}}
spec:
  replicas: 3
  selector: {matchLabels: {app: my-app}}
  template:
    metadata: {labels: {app: my-app}}
    spec: {containers: [{name: my-c, image: my-image}]}`,
      original: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: my-deployment, labels: {app: my-app}}
spec:
  replicas: 100
  selector: {matchLabels: {app: my-app}}
  template:
    metadata: {labels: {app: my-app}}
    spec: {containers: [{name: my-c, image: my-image}]}`,
      applied: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: my-deployment, labels: {app: my-new-label}}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: my-app}}
    spec: {containers: [{name: my-c, image: my-image}]}`,
      conflicts: ['.spec.replicas'],
    },
    {
      name: 'everything the annotation matches may be changed',
      manager: 'kubectl',
      original: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: my-deployment, labels: {app: my-app}}
spec:
  replicas: 3
  selector: {matchLabels: {app: my-app}}
  template:
    metadata: {labels: {app: my-app}}
    spec: {containers: [{name: my-c, image: my-image}]}`,
      applied: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: my-deployment, labels: {app: my-new-label}}
spec:
  replicas: 333
  selector: {matchLabels: {app: my-new-label}}
  template:
    metadata: {labels: {app: my-new-label}}
    spec: {containers: [{name: my-c, image: my-image}]}`,
    },
    {
      name: 'another manager than kubectl gets every conflict',
      manager: 'not_kubectl',
      original: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: my-deployment, labels: {app: my-app}}
spec:
  replicas: 3
  selector: {matchLabels: {app: my-app}}
  template:
    metadata: {labels: {app: my-app}}
    spec: {containers: [{name: my-c, image: my-image}]}`,
      applied: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: my-deployment, labels: {app: my-new-label}}
spec:
  replicas: 333
  selector: {matchLabels: {app: my-new-label}}
  template:
    metadata: {labels: {app: my-new-label}}
    spec: {containers: [{name: my-c, image: my-image}]}`,
      conflicts: ['.metadata.labels.app', '.spec.replicas', '.spec.selector', '.spec.template.metadata.labels.app'],
    },
    {
      name: 'an annotation of another apiVersion vouches for nothing',
      manager: 'kubectl',
      lastApplied: `
apiVersion: apps/v1beta1
kind: Deployment
metadata: {name: my-deployment}
spec: {replicas: 3}`,
      original: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: my-deployment}
spec: {replicas: 3}`,
      applied: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: my-deployment}
spec: {replicas: 4}`,
      conflicts: ['.spec.replicas'],
    },
  ];

  test.each(cases)('$name', ({ manager, lastApplied, original, applied, conflicts }) => {
    const originalObject = y(original);
    const created = stored(updateManagedFields(undefined, withAnnotation(originalObject, annotationFor(y(lastApplied ?? original))), opts('test_client_side_apply')));
    const appliedObject = y(applied);
    let error: unknown;
    try {
      applyManagedFields(created, appliedObject, { ...opts(manager), force: false });
    } catch (e) {
      error = e;
    }
    if (!conflicts) expect(error).toBeUndefined();
    else {
      expect(error).toBeInstanceOf(ApplyConflictError);
      const causes = (error as ApplyConflictError).status.details!.causes!;
      expect(causes.map((c) => c.field)).toEqual(conflicts);
      expect(new Set(causes.map((c) => c.message))).toEqual(new Set(['conflict with "test_client_side_apply" using apps/v1']));
    }
    // Force resolves every conflict, and the object ends as applied.
    const forced = applyManagedFields(created, appliedObject, { ...opts(manager), force: true });
    expect((forced.spec as { replicas: number }).replicas).toBe((appliedObject.spec as { replicas: number }).replicas);
  });
});

describe('the annotation follows server-side applies by kubectl (lastappliedupdater_test.go)', () => {
  const manifest = (replicas: number, annotation = 'nonempty') => ({
    ...gvk,
    metadata: { name: 'my-deployment', annotations: { [LAST_APPLIED_ANNOTATION]: annotation }, labels: { app: 'my-app' } },
    spec: { replicas, selector: { matchLabels: { app: 'my-app' } }, template: { metadata: { labels: { app: 'my-app' } }, spec: { containers: [{ name: 'my-c', image: 'my-image' }] } } },
  });

  test('another manager leaves it alone; kubectl rewrites it to what it applied (TestLastAppliedUpdater)', () => {
    const first = stored(applyManagedFields(undefined, manifest(20), { ...opts('NOT-KUBECTL'), force: false }));
    expect(first.metadata.annotations![LAST_APPLIED_ANNOTATION]).toBe('nonempty');
    const second = applyManagedFields(first, manifest(20), { ...opts('kubectl'), force: false });
    const expected = manifest(20) as { metadata: { annotations: Record<string, string> } };
    expected.metadata.annotations = {};
    expect(second.metadata.annotations![LAST_APPLIED_ANNOTATION]).toBe(`${goJSON(expected, true)}\n`);
  });

  test('kubectl never adds the annotation to an object that has none', () => {
    const applied = manifest(2) as { metadata: { annotations?: Record<string, string> } };
    delete applied.metadata.annotations;
    const out = applyManagedFields(undefined, applied, { ...opts('kubectl'), force: false });
    expect(out.metadata.annotations).toBeUndefined();
  });

  test('an annotation that would take the annotations past 256 KiB is dropped (TestLargeLastApplied)', () => {
    const big = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'large', annotations: { [LAST_APPLIED_ANNOTATION]: 'nonempty' } }, data: {} as Record<string, string> };
    for (let i = 0; i < 4000; i++) big.data[`this-key-is-very-long-so-as-to-create-a-very-large-serialized-fieldset-${i}`] = 'A';
    const out = applyManagedFields(undefined, big, { manager: 'kubectl', apiVersion: 'v1', kind: 'ConfigMap', now: now(), force: false });
    expect(Object.keys(out.metadata.annotations!), 'the annotations left').toEqual([]);
    expect(Object.keys(out.data as object)).toHaveLength(4000);
    // Just under the limit, it is kept.
    const small = { ...big, data: Object.fromEntries(Object.entries(big.data).slice(0, 100)) };
    expect(Object.keys(applyManagedFields(undefined, small, { manager: 'kubectl', apiVersion: 'v1', kind: 'ConfigMap', now: now(), force: false }).metadata.annotations!)).toEqual([
      LAST_APPLIED_ANNOTATION,
    ]);
  });
});

// ── kubectl's side, as client-go util/csaupgrade and kubectl apply.go do it ──────────────────────

const annotationPath = FieldSet.of(makePath('metadata', 'annotations', LAST_APPLIED_ANNOTATION));

/** csaupgrade.FindFieldsOwners: entries of `operation` that own every field of `fields`. */
function findFieldsOwners(entries: ManagedFieldsEntry[], operation: string, fields: FieldSet): ManagedFieldsEntry[] {
  return entries.filter((e) => e.operation === operation && fields.difference(FieldSet.fromFieldsV1(e.fieldsV1)).isEmpty());
}

/** csaupgrade.UpgradeManagedFields for one client-side manager; undefined when nothing changes. */
function upgradeManagedFields(entries: ManagedFieldsEntry[], csaManager: string, ssaManager: string): ManagedFieldsEntry[] {
  const out = structuredClone(entries);
  const isCsa = (e: ManagedFieldsEntry) => e.manager === csaManager && e.operation === 'Update' && !e.subresource;
  let target = out.findIndex((e) => e.manager === ssaManager && e.operation === 'Apply' && !e.subresource);
  if (target < 0) {
    target = out.findIndex(isCsa);
    if (target < 0) return out;
    out[target] = { ...out[target], operation: 'Apply', manager: ssaManager };
  }
  const csa = out.find((e) => isCsa(e) && e.apiVersion === out[target].apiVersion);
  if (csa) out[target] = { ...out[target], fieldsV1: FieldSet.fromFieldsV1(out[target].fieldsV1).union(FieldSet.fromFieldsV1(csa.fieldsV1)).toFieldsV1() };
  return out.filter((e) => !isCsa(e));
}

describe('the whole migration, request by request, as kubectl 1.32 makes it', () => {
  const manifest = (replicas: number, env: { name: string; value: string }[]) => ({
    ...gvk,
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', env }] } } },
  });

  test('fields last applied client-side end up owned by the server-side applier, with no conflict', () => {
    clock = 0;
    // 1. kubectl apply -f (client-side): POST ?fieldManager=kubectl-client-side-apply, with the annotation.
    const v1 = manifest(3, [
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
    let live = stored(updateManagedFields(undefined, withAnnotation(v1 as KubeObject, annotationFor(v1)), opts('kubectl-client-side-apply')));

    // 2. The manifest changes (replicas 4, env B dropped); kubectl apply --server-side:
    //    PATCH application/apply-patch+yaml ?fieldManager=kubectl&force=false. No conflict.
    const v2 = manifest(4, [{ name: 'A', value: '1' }]);
    live = stored(applyManagedFields(live, v2, { ...opts('kubectl'), force: false }));
    expect((live.spec as { replicas: number }).replicas).toBe(4);
    expect(live.metadata.annotations![LAST_APPLIED_ANNOTATION]).toBe(annotationFor(v2));

    // 3. saveLastApplyAnnotationIfNecessary: no Apply entry owns the annotation yet, so kubectl
    //    applies it alone as kubectl-last-applied.
    let entries = live.metadata.managedFields as ManagedFieldsEntry[];
    expect(findFieldsOwners(entries, 'Apply', annotationPath)).toEqual([]);
    live = stored(
      applyManagedFields(
        live,
        { ...gvk, metadata: { name: 'web', namespace: 'default', annotations: { [LAST_APPLIED_ANNOTATION]: live.metadata.annotations![LAST_APPLIED_ANNOTATION] } } },
        { ...opts('kubectl-last-applied'), force: false },
      ),
    );

    // 4. migrateToSSAIfNecessary: the Update managers owning the annotation are merged into the
    //    kubectl Apply entry; a JSON patch replaces managedFields (and resourceVersion).
    entries = live.metadata.managedFields as ManagedFieldsEntry[];
    const csaManagers = findFieldsOwners(entries, 'Update', annotationPath).map((e) => e.manager);
    expect(csaManagers).toEqual(['kubectl-client-side-apply']);
    const upgraded = upgradeManagedFields(entries, 'kubectl-client-side-apply', 'kubectl');
    live = stored(updateManagedFields(live, { ...live, metadata: { ...live.metadata, managedFields: upgraded } }, opts('kubectl')));
    // kubectl-last-applied's apply changed nothing, so its entry has no time and sorts first.
    expect((live.metadata.managedFields as ManagedFieldsEntry[]).map((e) => `${e.manager}/${e.operation}/${e.time ?? '-'}`)).toEqual([
      'kubectl-last-applied/Apply/-',
      'kubectl/Apply/2024-05-01T12:00:02Z',
    ]);

    // 5. kubectl re-sends the server-side apply: what only the client side applied (env B) goes.
    live = stored(applyManagedFields(live, v2, { ...opts('kubectl'), force: false }));
    const container = (live.spec as { template: { spec: { containers: { env: unknown[] }[] } } }).template.spec.containers[0];
    expect(container.env).toEqual([{ name: 'A', value: '1' }]);
    const owners = Object.fromEntries((live.metadata.managedFields as ManagedFieldsEntry[]).map((e) => [`${e.manager}/${e.operation}`, FieldSet.fromFieldsV1(e.fieldsV1).paths().map(pathToString)]));
    expect(Object.keys(owners)).toEqual(['kubectl-last-applied/Apply', 'kubectl/Apply']);
    expect(owners['kubectl/Apply']).toContain('.spec.replicas');
    expect(owners['kubectl/Apply']).toContain('.spec.template.spec.containers[name="web"].env[name="A"].value');
    expect(owners['kubectl-last-applied/Apply']).toEqual([`.metadata.annotations.${LAST_APPLIED_ANNOTATION}`]);
    expect(live.metadata.annotations![LAST_APPLIED_ANNOTATION]).toBe(annotationFor(v2));

    // 6. A later client-side change by someone else now conflicts with kubectl, as it should.
    const edited = { ...live, spec: { ...(live.spec as object), replicas: 9 } };
    live = stored(updateManagedFields(live, edited, opts('kubectl-edit')));
    expect(() => applyManagedFields(live, v2, { ...opts('kubectl'), force: false })).toThrow(/Apply failed with 1 conflict: conflict with "kubectl-edit" using apps\/v1: \.spec\.replicas/);
  });

  test("without the migration step, the dropped field would stay: kubectl's re-apply is what removes it", () => {
    const v1 = manifest(3, [
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
    let live = stored(updateManagedFields(undefined, withAnnotation(v1 as KubeObject, annotationFor(v1)), opts('kubectl-client-side-apply')));
    const v2 = manifest(3, [{ name: 'A', value: '1' }]);
    live = stored(applyManagedFields(live, v2, { ...opts('kubectl'), force: false }));
    live = stored(applyManagedFields(live, v2, { ...opts('kubectl'), force: false }));
    const container = (live.spec as { template: { spec: { containers: { env: unknown[] }[] } } }).template.spec.containers[0];
    expect(container.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
  });
});
