/**
 * formatLabelSelector (engine/objects/selector-format.ts) against metav1.FormatLabelSelector's
 * behaviour (helpers_test.go TestLabelSelectorAsSelector cases), and read back by the reference
 * parser to the same meaning.
 */
import { describe, expect, test } from 'vitest';
import { formatLabelSelector } from '#engine/objects/selector-format.ts';
import type { LabelSelector } from '#engine/objects/types.ts';
import { loadComponent } from '#engine/impl.ts';

const { parseSelector, matchesSelector } = await loadComponent('objects');

describe('formatLabelSelector', () => {
  test('writes matchLabels as k=v and expressions in the string form, sorted by key, values sorted', () => {
    expect(formatLabelSelector({ matchLabels: { foo: 'bar' } })).toBe('foo=bar');
    expect(formatLabelSelector({ matchExpressions: [{ key: 'baz', operator: 'In', values: ['qux', 'norf'] }] })).toBe('baz in (norf,qux)');
    expect(formatLabelSelector({ matchLabels: { foo: 'bar' }, matchExpressions: [{ key: 'baz', operator: 'In', values: ['qux', 'norf'] }] })).toBe('baz in (norf,qux),foo=bar');
    expect(
      formatLabelSelector({
        matchLabels: { app: 'web', 'pod-template-hash': '7d9f8c6b5' },
        matchExpressions: [
          { key: 'tier', operator: 'NotIn', values: ['cache'] },
          { key: 'canary', operator: 'DoesNotExist' },
          { key: 'env', operator: 'Exists' },
        ],
      }),
    ).toBe('app=web,!canary,env,pod-template-hash=7d9f8c6b5,tier notin (cache)');
  });

  test('null and empty selectors print as <none>; a selector Kubernetes refuses prints as <error>', () => {
    expect(formatLabelSelector(null)).toBe('<none>');
    expect(formatLabelSelector(undefined)).toBe('<none>');
    expect(formatLabelSelector({})).toBe('<none>');
    expect(formatLabelSelector({ matchExpressions: [{ key: 'baz', operator: 'Exists', values: ['qux'] }] })).toBe('<error>');
    expect(formatLabelSelector({ matchExpressions: [{ key: 'baz', operator: 'In', values: [] }] })).toBe('<error>');
    expect(formatLabelSelector({ matchExpressions: [{ key: 'baz', operator: 'Gt' as 'In', values: ['1'] }] })).toBe('<error>');
    expect(formatLabelSelector({ matchLabels: { 'bad key': 'x' } })).toBe('<error>');
  });

  test('what it writes parses back to a selector that matches the same labels', () => {
    const selector: LabelSelector = {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['fe', 'be'] },
        { key: 'canary', operator: 'DoesNotExist' },
      ],
    };
    const back = parseSelector(formatLabelSelector(selector));
    const cases: Record<string, string>[] = [{ app: 'web', tier: 'fe' }, { app: 'web', tier: 'fe', canary: 'y' }, { app: 'db', tier: 'be' }, {}];
    for (const labels of cases) {
      expect(matchesSelector(back, labels)).toBe(matchesSelector(selector, labels));
    }
  });
});
