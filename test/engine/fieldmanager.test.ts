/**
 * The field manager as the request path will use it (engine/apiserver/fieldmanager/
 * field-manager.ts): managedFields of creates, updates and applies of built-in kinds, conflicts
 * and their 409, forcing, pruning, shared ownership, sets and map lists, no-op writes, resets,
 * the before-first-apply entry, the cap on update entries and subresources. Each case names the
 * upstream test it follows:
 * - k8s.io/apimachinery pkg/util/managedfields/fieldmanager_test.go (TestUpdateApplyConflict,
 *   TestApplyStripsFields, TestVersionCheck, TestApplyDoesNotStripLabels, TestApplyNewObject,
 *   TestApplyFailsWithManagedFields, TestNoOpChanges, TestResetManagedFieldsEmptyList,
 *   TestResetManagedFieldsEmptyItem, TestUpdateViaSubresources)
 * - …/internal/skipnonapplied_test.go (TestUpdateBeforeFirstApply), capmanagers_test.go
 *   (TestCapManagersManagerMergesEntries, TestCapUpdateManagers), conflict_test.go
 *   (TestNewConflictError), managedfields_test.go (TestSortEncodedManagedFields,
 *   TestRoundTripManagedFields), structuredmerge_test.go
 * - kubernetes test/integration/apiserver/apply/apply_test.go (TestApplyManagedFields,
 *   TestApplyRemovesEmptyManagedFields, TestApplyUpdateApplyConflictForced,
 *   TestApplyRemoveContainerPort, TestApplyAlsoCreates, TestApplyConvertsManagedFieldsVersion)
 */
import { describe, expect, test } from 'vitest';
import { ApiError } from '#engine/kube/errors.ts';
import { ApplyConflictError, applyManagedFields, type ApplyOptions, type FieldManagerOptions, FieldSet, type ManagedFieldsEntry, updateManagedFields } from '#engine/apiserver/fieldmanager/index.ts';
import { pathToString } from '#engine/apiserver/fieldmanager/path.ts';
import type { KubeObject } from '#engine/kube/types.ts';

/** A stored object and a clock, as upstream's TestFieldManager keeps them. */
class Harness {
  live: KubeObject | undefined;
  private seconds = 0;

  constructor(
    readonly apiVersion: string,
    readonly kind: string,
    readonly extra: Partial<FieldManagerOptions> = {},
  ) {}

  private options(manager: string): FieldManagerOptions {
    this.seconds += 1;
    return { manager, apiVersion: this.apiVersion, kind: this.kind, now: new Date(Date.UTC(2024, 4, 1, 10, 0, this.seconds, 250)), resetFields: [['status']], ...this.extra };
  }

  /** The stored object gets a uid when first written, so later writes are not creates. */
  private store(object: KubeObject): KubeObject {
    this.live = { ...object, metadata: { ...object.metadata, uid: 'uid-1' } };
    return this.live;
  }

  update(object: unknown, manager: string, extra: Partial<FieldManagerOptions> = {}): KubeObject {
    return this.store(updateManagedFields(this.live, object as KubeObject, { ...this.options(manager), ...extra }));
  }

  apply(object: unknown, manager: string, force = false, extra: Partial<ApplyOptions> = {}): KubeObject {
    return this.store(applyManagedFields(this.live, object, { ...this.options(manager), force, ...extra }));
  }

  entries(): ManagedFieldsEntry[] {
    return (this.live?.metadata.managedFields ?? []) as ManagedFieldsEntry[];
  }

  /** The paths each manager owns: `manager/Operation[/subresource]` → sorted paths. */
  owners(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const e of this.entries()) out[[e.manager, e.operation, e.subresource].filter(Boolean).join('/')] = FieldSet.fromFieldsV1(e.fieldsV1).paths().map(pathToString).sort();
    return out;
  }
}

function conflictOf(fn: () => unknown): ApplyConflictError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApplyConflictError) return error;
    throw error;
  }
  throw new Error('expected an apply conflict, but the apply succeeded');
}

function apiErrorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError, but the call succeeded');
}

const deployment = (replicas: number, image = 'nginx:latest', extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'deployment', namespace: 'default', labels: { app: 'nginx' } },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'nginx' } },
    template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image, ...extra }] } },
  },
});

describe('updates record an Update entry', () => {
  test('a create owns every field it sets, apart from the identity and system fields (TestApplyStripsFields)', () => {
    const h = new Harness('v1', 'ConfigMap');
    h.update(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'cm', namespace: 'default', uid: 'x', resourceVersion: '3', generation: 2, creationTimestamp: '2024-01-01T00:00:00Z', labels: { a: 'b' } },
        data: { key: 'value' },
      },
      'kubectl-create',
    );
    expect(h.entries()).toEqual([
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'v1',
        time: '2024-05-01T10:00:01Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { '.': {}, 'f:key': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } } },
      },
    ]);
  });

  test('a create of a Deployment owns as upstream\'s does: no "." where Go structs are always present', () => {
    const h = new Harness('apps/v1', 'Deployment');
    h.update(deployment(3), 'kubectl-create');
    expect(h.entries()[0].fieldsV1).toEqual({
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
        },
      },
    });
  });

  test("another manager's change takes that field; entries sort by time (TestApplyManagedFields, TestSortEncodedManagedFields)", () => {
    const h = new Harness('v1', 'ConfigMap');
    h.update({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { key: 'value', other: 'x' } }, 'creator');
    h.update({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { key: 'new value', other: 'x' } }, 'updater');
    expect(h.owners()).toEqual({ 'creator/Update': ['.data', '.data.other'], 'updater/Update': ['.data.key'] });
    expect(h.entries().map((e) => [e.manager, e.time])).toEqual([
      ['creator', '2024-05-01T10:00:01Z'],
      ['updater', '2024-05-01T10:00:02Z'],
    ]);
  });

  test('a write that changes nothing leaves managedFields as they were, time included (TestNoOpChanges, TestUpdateDoesNotChangeManagedFields)', () => {
    const h = new Harness('v1', 'ConfigMap');
    const first = h.update({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' } }, 'one');
    const again = h.update({ ...first, metadata: { ...first.metadata, resourceVersion: '9' } }, 'two');
    expect(again.metadata.managedFields).toEqual(first.metadata.managedFields);
  });

  test('a write that removes a field removes it from its owner, and adds no entry for the writer', () => {
    const h = new Harness('v1', 'ConfigMap');
    h.update({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1', b: '2' } }, 'one');
    h.update({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' } }, 'two');
    expect(h.owners()).toEqual({ 'one/Update': ['.data', '.data.a'] });
  });

  test('a write that names no manager is recorded as "unknown"', () => {
    const h = new Harness('v1', 'ConfigMap');
    h.update({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' } }, '');
    expect(h.entries()[0].manager).toBe('unknown');
  });

  test('repeated updates by one manager merge into one entry, stamped with the last time', () => {
    const h = new Harness('v1', 'ConfigMap');
    h.update({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' } }, 'one');
    h.update({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1', b: '2' } }, 'one');
    expect(h.entries()).toHaveLength(1);
    expect(h.owners()).toEqual({ 'one/Update': ['.data', '.data.a', '.data.b'] });
    expect(h.entries()[0].time).toBe('2024-05-01T10:00:02Z');
  });

  test("the status subresource is tracked apart, and the object's own writes own no status (TestUpdateViaSubresources)", () => {
    const h = new Harness('apps/v1', 'Deployment');
    h.update({ ...deployment(1), status: { replicas: 0 } }, 'kubectl');
    const live = h.live!;
    h.update(
      {
        ...live,
        metadata: { ...live.metadata, managedFields: [{ manager: 'forged', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: {} }] },
        status: { replicas: 1, readyReplicas: 1 },
      },
      'kube-controller-manager',
      {
        subresource: 'status',
        resetFields: [['spec'], ['metadata', 'labels']],
      },
    );
    expect(h.owners()['kube-controller-manager/Update/status']).toEqual(['.status.readyReplicas', '.status.replicas']);
    expect(h.entries().map((e) => e.manager)).toEqual(['kubectl', 'kube-controller-manager']);
    expect(h.owners()['kubectl/Update']).not.toContain('.status.replicas');
  });

  test('managedFields sent as [] or [{}] clear them; the object then stays untracked by updates (TestResetManagedFieldsEmptyList/EmptyItem)', () => {
    for (const reset of [[], [{}]]) {
      const h = new Harness('v1', 'ConfigMap');
      const created = h.update({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' } }, 'one');
      const cleared = h.update({ ...created, metadata: { ...created.metadata, managedFields: reset }, data: { a: '2' } }, 'two');
      expect(cleared.metadata.managedFields, JSON.stringify(reset)).toBeUndefined();
      const later = h.update({ ...cleared, data: { a: '3' } }, 'three');
      expect(later.metadata.managedFields).toBeUndefined();
    }
  });

  test('managedFields a client sends are taken as they are (kubectl uses this to migrate from client-side apply)', () => {
    const h = new Harness('v1', 'ConfigMap');
    const created = h.update({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' } }, 'one');
    const sent = [{ manager: 'someone', operation: 'Apply', apiVersion: 'v1', time: '2024-01-01T00:00:00.123Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }];
    const next = h.update({ ...created, metadata: { ...created.metadata, managedFields: sent } }, 'two');
    expect(next.metadata.managedFields).toEqual([{ ...sent[0], time: '2024-01-01T00:00:00Z' }]);
  });

  test('managedFields a client sends that do not decode are ignored in favour of the stored ones (decodeLiveOrNew)', () => {
    const h = new Harness('v1', 'ConfigMap');
    const created = h.update({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' } }, 'one');
    for (const bad of [
      [{ manager: 'x', operation: 'Delete', apiVersion: 'v1', fieldsType: 'FieldsV1' }],
      [{ manager: 'x', operation: 'Update', fieldsType: 'FieldsV1' }],
      [{ manager: 'x', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV2' }],
      [{ manager: 'x', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:a': 'x' } }],
      'text',
    ]) {
      const next = updateManagedFields(
        created,
        { ...created, metadata: { ...created.metadata, managedFields: bad as never } },
        { manager: 'two', apiVersion: 'v1', kind: 'ConfigMap', now: new Date() },
      );
      expect(next.metadata.managedFields, JSON.stringify(bad)).toEqual(created.metadata.managedFields);
    }
  });

  test('neither input is modified, and the result shares nothing with them', () => {
    const h = new Harness('apps/v1', 'Deployment');
    const live = h.update(deployment(1), 'one');
    const next = deployment(2);
    const liveCopy = structuredClone(live);
    const nextCopy = structuredClone(next);
    const result = updateManagedFields(live, next as KubeObject, { manager: 'two', apiVersion: 'apps/v1', kind: 'Deployment', now: new Date() });
    expect(live).toEqual(liveCopy);
    expect(next).toEqual(nextCopy);
    (result.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels.x = 'y';
    expect(next.spec.template.metadata.labels).toEqual({ app: 'nginx' });
  });
});

describe('at most 10 update entries (capmanagers_test.go)', () => {
  const podWithLabels = (...labels: string[]) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: Object.fromEntries(labels.map((l) => [l, 'true'])) } });

  test('past the cap, the oldest updates merge into "ancient-changes" (TestCapManagersManagerMergesEntries)', () => {
    const h = new Harness('v1', 'Pod', { maxUpdateManagers: 3 });
    h.update(podWithLabels('one'), 'update_1');
    h.update(podWithLabels('one', 'two'), 'update_2');
    h.update(podWithLabels('one', 'two', 'three'), 'update_3');
    h.update(podWithLabels('one', 'two', 'three', 'four'), 'update_4');
    expect(h.entries().map((e) => e.manager)).toEqual(['ancient-changes', 'update_3', 'update_4']);
    expect(h.owners()['ancient-changes/Update']).toEqual(['.metadata.labels', '.metadata.labels.one', '.metadata.labels.two']);
  });

  test('the default cap is 10', () => {
    const h = new Harness('v1', 'Pod');
    const labels: string[] = [];
    for (let n = 0; n < 12; n++) {
      labels.push(`l${n}`);
      h.update(podWithLabels(...labels), `manager-${n}`);
    }
    expect(h.entries()).toHaveLength(10);
    expect(h.entries()[0].manager).toBe('ancient-changes');
  });

  const entry = (manager: string, apiVersion: string, hour: number, ...fields: string[]): ManagedFieldsEntry => ({
    manager,
    operation: 'Update',
    apiVersion,
    time: new Date(Date.UTC(2000, 0, 1, hour)).toISOString().replace('.000Z', 'Z'),
    fieldsType: 'FieldsV1',
    fieldsV1: Object.fromEntries(fields.map((f) => [`f:${f}`, {}])),
  });

  test.each([
    [
      'one version, no ancient changes',
      [entry('m1', 'v1', 1, 'a'), entry('m2', 'v1', 2, 'b'), entry('m3', 'v1', 3, 'c'), entry('m4', 'v1', 4, 'd')],
      [entry('ancient-changes', 'v1', 2, 'a', 'b'), entry('m3', 'v1', 3, 'c'), entry('m4', 'v1', 4, 'd')],
    ],
    [
      'one version, one ancient changes',
      [entry('ancient-changes', 'v1', 2, 'a', 'b'), entry('m3', 'v1', 3, 'c'), entry('m4', 'v1', 4, 'd'), entry('m5', 'v1', 5, 'e')],
      [entry('ancient-changes', 'v1', 3, 'a', 'b', 'c'), entry('m4', 'v1', 4, 'd'), entry('m5', 'v1', 5, 'e')],
    ],
    [
      'two versions, no ancient changes',
      [entry('m1', 'v1', 1, 'a'), entry('m2', 'v2', 2, 'b'), entry('m3', 'v1', 3, 'c'), entry('m4', 'v1', 4, 'd'), entry('m5', 'v1', 5, 'e')],
      [entry('m2', 'v2', 2, 'b'), entry('ancient-changes', 'v1', 4, 'a', 'c', 'd'), entry('m5', 'v1', 5, 'e')],
    ],
    [
      'three versions, two ancient changes',
      [entry('ancient-changes', 'v1', 5, 'a', 'c', 'd', 'e'), entry('m6', 'v3', 6, 'f'), entry('ancient-changes', 'v2', 7, 'b', 'g'), entry('m8', 'v3', 8, 'h')],
      [entry('ancient-changes', 'v1', 5, 'a', 'c', 'd', 'e'), entry('ancient-changes', 'v2', 7, 'b', 'g'), entry('ancient-changes', 'v3', 8, 'f', 'h')],
    ],
  ])('%s (TestCapUpdateManagers)', (_name, input, expected) => {
    const live = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', uid: 'u', managedFields: input } };
    const out = updateManagedFields(live as KubeObject, live as KubeObject, { manager: 'no-op-update', apiVersion: 'v1', kind: 'Pod', now: new Date(), maxUpdateManagers: 3 });
    expect(out.metadata.managedFields).toEqual(expected);
  });
});

describe('apply', () => {
  test('an apply creates an Apply entry with no time-less twin and no before-first-apply (TestApplyNewObject, TestApplyAlsoCreates)', () => {
    const h = new Harness('v1', 'ConfigMap');
    h.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'test-cm', namespace: 'default', labels: { 'test-label': 'test' } }, data: { key: 'value' } }, 'apply_test');
    expect(h.entries()).toEqual([
      {
        manager: 'apply_test',
        operation: 'Apply',
        apiVersion: 'v1',
        time: '2024-05-01T10:00:01Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { 'f:key': {} }, 'f:metadata': { 'f:labels': { 'f:test-label': {} } } },
      },
    ]);
    expect(h.live!.data).toEqual({ key: 'value' });
  });

  test('an apply of identity fields only leaves no managedFields (TestApplyRemovesEmptyManagedFields)', () => {
    const h = new Harness('v1', 'ConfigMap');
    const out = h.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'test-cm', namespace: 'default' } }, 'apply_test');
    expect(out.metadata.managedFields).toBeUndefined();
    expect(h.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'test-cm', namespace: 'default' } }, 'apply_test').metadata.managedFields).toBeUndefined();
  });

  test('labels are owned, not stripped with the rest of metadata (TestApplyDoesNotStripLabels)', () => {
    const h = new Harness('v1', 'Pod');
    h.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { labels: { a: 'b' } } }, 'fieldmanager_test');
    expect(h.owners()).toEqual({ 'fieldmanager_test/Apply': ['.metadata.labels.a'] });
  });

  test("two managers on one field: 409 with upstream's message and one cause per field (TestUpdateApplyConflict, TestNewConflictError)", () => {
    const h = new Harness('apps/v1', 'Deployment');
    h.update(deployment(3), 'kubectl-client-side-apply');
    const error = conflictOf(() => h.apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'deployment' }, spec: { replicas: 101 } }, 'fieldmanager_conflict'));
    expect(error.status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      code: 409,
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' }] },
    });
    expect(h.live!.spec).toEqual(deployment(3).spec);
  });

  test('several conflicts are grouped by manager, managers sorted, each path on its own line (merge.Conflicts.Error)', () => {
    const h = new Harness('apps/v1', 'Deployment');
    h.apply(deployment(3), 'zeta');
    h.update({ ...h.live!, metadata: { ...h.live!.metadata, labels: { app: 'nginx', team: 'a' } } }, 'alpha');
    h.update({ ...h.live!, status: { replicas: 3 } }, 'alpha', { subresource: 'status', resetFields: [['spec']] });
    const error = conflictOf(() => h.apply({ ...deployment(5, 'nginx:1.27'), metadata: { name: 'deployment', labels: { app: 'nginx', team: 'b' } } }, 'beta'));
    expect(error.status.message).toBe(
      [
        'Apply failed with 3 conflicts: conflicts with "alpha" using apps/v1:',
        '- .metadata.labels.team',
        'conflicts with "zeta":',
        '- .spec.replicas',
        '- .spec.template.spec.containers[name="nginx"].image',
      ].join('\n'),
    );
    expect(error.status.details!.causes!.map((c) => c.field)).toEqual(['.metadata.labels.team', '.spec.replicas', '.spec.template.spec.containers[name="nginx"].image']);
  });

  test('a conflict with a manager of a subresource says so', () => {
    const h = new Harness('apps/v1', 'Deployment');
    h.apply(deployment(3), 'kubectl');
    h.update({ ...h.live!, spec: { ...(h.live!.spec as object), replicas: 7 } }, 'kubectl-scale', { subresource: 'scale' });
    const error = conflictOf(() => h.apply(deployment(3), 'kubectl'));
    expect(error.status.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-scale" with subresource "scale" using apps/v1: .spec.replicas');
  });

  test('force takes the field: the applier owns it, the other manager no longer does (TestApplyUpdateApplyConflictForced)', () => {
    const h = new Harness('apps/v1', 'Deployment');
    h.apply(deployment(3), 'apply_test');
    h.update({ ...h.live!, spec: { ...(h.live!.spec as object), replicas: 5 } }, 'kubectl-edit');
    expect(conflictOf(() => h.apply(deployment(3), 'apply_test')).status.details!.causes).toHaveLength(1);
    h.apply(deployment(3), 'apply_test', true);
    expect((h.live!.spec as { replicas: number }).replicas).toBe(3);
    expect(h.owners()['kubectl-edit/Update']).toBeUndefined();
    expect(h.owners()['apply_test/Apply']).toContain('.spec.replicas');
  });

  test('a field the applier stops applying is removed from the object (TestApplyRemoveContainerPort)', () => {
    const h = new Harness('apps/v1', 'Deployment');
    h.apply(deployment(3, 'nginx:latest', { ports: [{ containerPort: 80, protocol: 'TCP' }] }), 'apply_test');
    h.apply(deployment(3), 'apply_test');
    const containers = (h.live!.spec as { template: { spec: { containers: { ports?: unknown }[] } } }).template.spec.containers;
    expect(containers[0].ports).toBeUndefined();
    expect(h.owners()['apply_test/Apply']).not.toContain('.spec.template.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"]');
  });

  test('…unless another manager owns it too: then it stays, owned by that one', () => {
    const h = new Harness('apps/v1', 'Deployment');
    const withPort = deployment(3, 'nginx:latest', { ports: [{ containerPort: 80 }] });
    h.apply(withPort, 'one');
    h.apply(withPort, 'two');
    h.apply(deployment(3), 'one');
    const containers = (h.live!.spec as { template: { spec: { containers: { ports?: unknown }[] } } }).template.spec.containers;
    expect(containers[0].ports).toEqual([{ containerPort: 80 }]);
    expect(h.owners()['two/Apply']).toContain('.spec.template.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"].containerPort');
  });

  test('applying a value another manager set, unchanged, shares the field without a conflict', () => {
    const h = new Harness('apps/v1', 'Deployment');
    h.update(deployment(3), 'kubectl-client-side-apply');
    h.apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'deployment' }, spec: { replicas: 3 } }, 'shared');
    expect(h.owners()['shared/Apply']).toEqual(['.spec.replicas']);
    expect(h.owners()['kubectl-client-side-apply/Update']).toContain('.spec.replicas');
  });

  test('an update then an apply: the updater took the field, so re-applying the old value conflicts', () => {
    const h = new Harness('v1', 'ConfigMap');
    h.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { key: 'value' } }, 'apply_test');
    h.update({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { key: 'new value' } }, 'updater');
    expect(h.owners()).toEqual({ 'updater/Update': ['.data.key'] });
    expect(conflictOf(() => h.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { key: 'value' } }, 'apply_test')).status.message).toBe(
      'Apply failed with 1 conflict: conflict with "updater" using v1: .data.key',
    );
  });

  test('finalizers are a set: two appliers each own their own, and removing one keeps the other', () => {
    const h = new Harness('v1', 'ConfigMap');
    h.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', finalizers: ['example.com/a'] } }, 'one');
    h.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', finalizers: ['example.com/b'] } }, 'two');
    expect(h.live!.metadata.finalizers).toEqual(['example.com/a', 'example.com/b']);
    expect(h.owners()).toEqual({ 'one/Apply': ['.metadata.finalizers[="example.com/a"]'], 'two/Apply': ['.metadata.finalizers[="example.com/b"]'] });
    h.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } }, 'one');
    expect(h.live!.metadata.finalizers).toEqual(['example.com/b']);
  });

  test('containers merge by name and ports by containerPort and protocol: two appliers, two containers, two ports', () => {
    const h = new Harness('v1', 'Pod');
    const pod = (containers: unknown[]) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers } });
    h.apply(pod([{ name: 'app', image: 'app:1', ports: [{ containerPort: 53, protocol: 'UDP' }] }]), 'one');
    h.apply(
      pod([
        { name: 'app', ports: [{ containerPort: 53 }] },
        { name: 'sidecar', image: 'proxy' },
      ]),
      'two',
    );
    const spec = h.live!.spec as { containers: { name: string; ports?: unknown[] }[] };
    expect(spec.containers.map((c) => c.name)).toEqual(['app', 'sidecar']);
    expect(spec.containers[0].ports).toEqual([{ containerPort: 53, protocol: 'UDP' }, { containerPort: 53 }]);
    expect(h.owners()['two/Apply']).toEqual([
      '.spec.containers[name="app"]',
      '.spec.containers[name="app"].name',
      '.spec.containers[name="app"].ports[containerPort=53,protocol="TCP"]',
      '.spec.containers[name="app"].ports[containerPort=53,protocol="TCP"].containerPort',
      '.spec.containers[name="sidecar"]',
      '.spec.containers[name="sidecar"].image',
      '.spec.containers[name="sidecar"].name',
    ]);
  });

  test('a no-op apply changes nothing, time included; a new applier of the same values gets an entry without a time (TestNoOpChanges)', () => {
    const h = new Harness('v1', 'Pod');
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { labels: { a: 'b' }, creationTimestamp: null } };
    h.apply(pod, 'fieldmanager_test_apply');
    const before = structuredClone(h.live);
    h.apply(pod, 'fieldmanager_test_apply');
    expect(h.live).toEqual(before);
    h.apply(pod, 'fieldmanager_test_apply_other');
    expect(h.entries().find((e) => e.manager === 'fieldmanager_test_apply_other')).toEqual({
      manager: 'fieldmanager_test_apply_other',
      operation: 'Apply',
      apiVersion: 'v1',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:labels': { 'f:a': {} } } },
    });
    const after = structuredClone(h.live);
    h.update(structuredClone(after), 'fieldmanager_test_update');
    expect(h.live).toEqual(after);
  });

  test('an object no one manages is first owned by "before-first-apply", so an apply that changes it conflicts (TestUpdateBeforeFirstApply)', () => {
    const existing = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod', uid: 'old', labels: { app: 'my-nginx' } } } as KubeObject;
    const options = { apiVersion: 'v1', kind: 'Pod', now: new Date(Date.UTC(2024, 0, 1)) };
    expect(
      updateManagedFields(existing, { ...existing, metadata: { ...existing.metadata, labels: { app: 'x' } } }, { ...options, manager: 'fieldmanager_test_update' }).metadata.managedFields,
    ).toBeUndefined();
    const applied = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod', labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:latest' }] } };
    const error = conflictOf(() => applyManagedFields(existing, applied, { ...options, manager: 'fieldmanager_test_apply', force: false }));
    expect(error.status.details!.causes).toEqual([{ reason: 'FieldManagerConflict', message: 'conflict with "before-first-apply" using v1', field: '.metadata.labels.app' }]);
    const forced = applyManagedFields(existing, applied, { ...options, manager: 'fieldmanager_test_apply', force: true });
    expect((forced.metadata.managedFields as ManagedFieldsEntry[]).map((e) => e.manager)).toEqual(['fieldmanager_test_apply', 'before-first-apply']);
  });

  test('status applied to the object itself is merged but owned by nobody (reset fields)', () => {
    const h = new Harness('apps/v1', 'Deployment');
    h.apply({ ...deployment(1), status: { replicas: 9 } }, 'apply_test');
    expect(h.owners()['apply_test/Apply'].some((p) => p.startsWith('.status'))).toBe(false);
  });

  test('the stored object and the applied configuration are not modified', () => {
    const h = new Harness('apps/v1', 'Deployment');
    const live = h.apply(deployment(1), 'one');
    const applied = deployment(2, 'nginx:2');
    const copies = structuredClone([live, applied]);
    applyManagedFields(live, applied, { manager: 'two', force: true, apiVersion: 'apps/v1', kind: 'Deployment', now: new Date() });
    expect([live, applied]).toEqual(copies);
  });
});

describe('what an apply refuses', () => {
  const options = { manager: 'm', force: false, apiVersion: 'apps/v1', kind: 'Deployment', now: new Date() };

  test.each([
    ['apps/v1beta1', 'Deployment', 'invalid object type: apps/v1beta1, Kind=Deployment'],
    ['apps/v1', 'StatefulSet', 'invalid object type: apps/v1, Kind=StatefulSet'],
    [undefined, undefined, 'invalid object type: /, Kind='],
  ])('a configuration of %s %s: 400 (TestVersionCheck, TestVersionCheckDoesNotPanic)', (apiVersion, kind, message) => {
    const error = apiErrorOf(() => applyManagedFields(undefined, { apiVersion, kind, metadata: { name: 'x' } }, options));
    expect([error.code, error.reason, error.message]).toEqual([400, 'BadRequest', message]);
  });

  test('a configuration that sets managedFields: 400 (TestApplyFailsWithManagedFields)', () => {
    for (const managedFields of [[{ manager: 'test' }], []]) {
      const error = apiErrorOf(() => applyManagedFields(undefined, { ...deployment(1), metadata: { name: 'x', managedFields } }, options));
      expect([error.code, error.message]).toEqual([400, 'metadata.managedFields must be nil']);
    }
  });

  test("a configuration not of the kind's shape: 400 with upstream's typed-conversion message", () => {
    const applied = { ...deployment(1), metadata: { name: 'web', namespace: 'default' } };
    applied.spec.template.spec.containers.push({ name: 'nginx', image: 'other' });
    const error = apiErrorOf(() => applyManagedFields(undefined, applied, options));
    expect([error.code, error.reason, error.message]).toEqual([
      400,
      'BadRequest',
      'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name="nginx"]',
    ]);
  });

  test('a body that is not an object: 400', () => {
    expect(apiErrorOf(() => applyManagedFields(undefined, [1], options)).message).toBe('error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}');
  });

  test('a stored object whose managedFields do not decode: 500 (DecodeManagedFields)', () => {
    const live = { ...deployment(1), metadata: { name: 'deployment', uid: 'u', managedFields: [{ manager: 'x', operation: 'Update', apiVersion: 'apps/v1' }] } } as KubeObject;
    const error = apiErrorOf(() => applyManagedFields(live, deployment(1), options));
    expect([error.code, error.message]).toEqual([500, 'failed to decode managed fields: missing fieldsType in managed fields entry 0']);
  });
});
