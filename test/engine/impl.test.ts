/**
 * The one door: how an implementation choice is written, read and applied.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { componentIndex, formatImplChoice, loadComponent, parseImplSpec, readCompleteComponents, treeFor } from '#engine/impl.ts';
import { ROOT } from '#engine/paths.ts';
import { usePristineStubs } from './pristine-stubs.ts';

describe('parseImplSpec', () => {
  test('a bare tree applies to every component', () => {
    expect(treeFor(parseImplSpec('exercises'), 'etcd')).toBe('exercises');
    expect(treeFor(parseImplSpec('solutions'), 'scheduler')).toBe('solutions');
  });

  test('a tree with components applies to those, the other tree to the rest', () => {
    const choice = parseImplSpec('exercises:scheduler,etcd');
    expect(treeFor(choice, 'scheduler')).toBe('exercises');
    expect(treeFor(choice, 'etcd')).toBe('exercises');
    expect(treeFor(choice, 'apiserver')).toBe('solutions');
    const inverse = parseImplSpec('solutions:etcd');
    expect(treeFor(inverse, 'etcd')).toBe('solutions');
    expect(treeFor(inverse, 'objects')).toBe('exercises');
  });

  test('mine means the learner code for complete components only', () => {
    const choice = parseImplSpec('mine', ['objects']);
    expect(treeFor(choice, 'objects')).toBe('exercises');
    expect(treeFor(choice, 'etcd')).toBe('solutions');
    expect(formatImplChoice(choice)).toBe('exercises:objects');
  });

  test('mine reads the complete components from the progress file when not given', () => {
    const home = mkdtempSync(join(tmpdir(), 'kubelings-impl-'));
    writeFileSync(join(home, 'progress.json'), JSON.stringify({ version: 1, completeComponents: ['etcd'] }));
    const before = process.env.KUBELINGS_HOME;
    process.env.KUBELINGS_HOME = home;
    try {
      expect(readCompleteComponents()).toEqual(['etcd']);
      expect(treeFor(parseImplSpec('mine'), 'etcd')).toBe('exercises');
    } finally {
      if (before === undefined) delete process.env.KUBELINGS_HOME;
      else process.env.KUBELINGS_HOME = before;
    }
  });

  test('formatImplChoice writes the shortest spec back', () => {
    expect(formatImplChoice(parseImplSpec('exercises:etcd,objects'))).toBe('exercises:etcd,objects');
    expect(formatImplChoice(parseImplSpec('solutions'))).toBe('solutions');
    expect(formatImplChoice(parseImplSpec('mine', []))).toBe('solutions');
  });

  test.each(['everything', 'exercises:', 'exercises:Etcd', 'solutions:a:b', ''])('"%s" is refused with a sentence that shows the forms', (spec) => {
    expect(() => parseImplSpec(spec)).toThrow(/is not an implementation choice|names a component badly/);
  });
});

describe('loadComponent', () => {
  usePristineStubs();
  test('finds a component in the first root that has it', () => {
    expect(componentIndex('solutions', 'objects')).toBe(join(ROOT, 'solutions', 'objects', 'index.ts'));
    expect(componentIndex('solutions', 'no-such-component')).toBeUndefined();
  });

  test('loads the tree the choice names', async () => {
    const reference = await loadComponent('objects', parseImplSpec('solutions'));
    expect(reference.matchLabels({ a: '1' }, { a: '1' })).toBe(true);
    const stub = await loadComponent('objects', parseImplSpec('exercises'));
    expect(() => stub.matchLabels({ a: '1' }, { a: '1' })).toThrow(/not written yet: it is exercise 00-objects\/01-selectors/);
  });

  test('an unknown component is one clear sentence', async () => {
    await expect(loadComponent('nope' as never, parseImplSpec('solutions'))).rejects.toThrow(/No component "nope" in solutions\/: looked in /);
  });
});
