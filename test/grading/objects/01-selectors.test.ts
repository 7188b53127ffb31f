/**
 * Hidden suite for 00-objects/01-selectors: matchLabels, as labels.SelectorFromSet behaves.
 */
import { describe, expect, test } from 'vitest';
import { loadComponent } from '#engine/impl.ts';
import { hint, show } from '#grading';

const { matchLabels } = await loadComponent('objects');

function expectMatch(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined, expected: boolean) {
  expect(matchLabels(selector, labels), `matchLabels(${show(selector)}, ${show(labels)})`).toBe(expected);
}

describe('matchLabels', () => {
  test('a selector matches an object with exactly its labels', () => {
    expectMatch({ app: 'web' }, { app: 'web' }, true);
    expectMatch({ app: 'web', tier: 'fe' }, { app: 'web', tier: 'fe' }, true);
  });

  test('extra labels on the object do not matter', hint('Do you look only at the keys the selector asks for?'), () => {
    expectMatch({ app: 'web' }, { app: 'web', tier: 'fe', 'pod-template-hash': '7d9f' }, true);
  });

  test('a different value does not match, and values compare case and all', hint('Do you compare the value, not only the key?'), () => {
    expectMatch({ app: 'web' }, { app: 'db' }, false);
    expectMatch({ app: 'web' }, { app: 'Web' }, false);
    expectMatch({ tier: 'fe' }, { tier: 'fe ' }, false);
  });

  test('a missing key does not match, even when the wanted value is empty', hint('A label with value "" is present; a missing label is not. Which one does the object have?'), () => {
    expectMatch({ app: 'web', tier: 'fe' }, { app: 'web' }, false);
    expectMatch({ canary: '' }, { app: 'web' }, false);
    expectMatch({ canary: '' }, { canary: '' }, true);
  });

  test('every pair must match, not just one', hint('Is it enough that one pair matches? A selector ANDs its pairs.'), () => {
    expectMatch({ app: 'web', tier: 'fe' }, { app: 'web', tier: 'be' }, false);
    expectMatch({ app: 'web', tier: 'fe' }, { app: 'db', tier: 'fe' }, false);
  });

  test('an empty selector asks for nothing, so it matches every object', hint('How many pairs must hold when the selector has none?'), () => {
    expectMatch({}, { app: 'web' }, true);
    expectMatch(undefined, { app: 'web' }, true);
    expectMatch({}, {}, true);
    expectMatch(undefined, undefined, true);
  });

  test('an object without labels matches only a selector that asks for nothing', hint('What do you do when labels is undefined?'), () => {
    expectMatch({ app: 'web' }, undefined, false);
    expectMatch({ app: 'web' }, {}, false);
  });

  test('prefixed keys such as app.kubernetes.io/name are ordinary keys', () => {
    expectMatch({ 'app.kubernetes.io/name': 'web' }, { 'app.kubernetes.io/name': 'web', app: 'db' }, true);
    expectMatch({ 'app.kubernetes.io/name': 'web' }, { name: 'web' }, false);
  });
});
