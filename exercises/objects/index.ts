/**
 * The objects component (lesson 00): every function the rest of the engine reaches through
 * `loadComponent('objects')`. Don't change this file: fill in the exercise files it imports.
 */
import type { ObjectsExercises } from '#engine/objects/exercises.ts';
import { addQuantities, compareQuantities, formatQuantity, milliValue, parseQuantity, value } from './quantities.ts';
import { matchLabels } from './selectors.ts';
import { matchesSelector, parseSelector } from './set-selectors.ts';

export default {
  matchLabels,
  matchesSelector,
  parseSelector,
  parseQuantity,
  compareQuantities,
  addQuantities,
  formatQuantity,
  milliValue,
  value,
} satisfies ObjectsExercises;
