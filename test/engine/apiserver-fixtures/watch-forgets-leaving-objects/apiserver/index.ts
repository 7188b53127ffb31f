/**
 * The apiserver component (lesson 02): every function the engine's request path reaches through
 * `loadComponent('apiserver')`. Don't change this file: fill in the exercise files it imports.
 */
import type { ApiserverExercises } from '#engine/apiserver/exercises.ts';
import { createWatchCache, createWatchStream, decodeContinue, matchesFields, paginate, parseFieldSelector } from './list-watch.ts';
import { applyJsonPatch, applyMergePatch, applyServerSide, applyStrategicMergePatch } from './patch.ts';
import { createRegistry } from './registry.ts';
import { parseRequestInfo } from './routing.ts';
import { defaultPodSpec, findUnknownFields, validateObjectMeta, validatePodSpec } from './validation.ts';

export default {
  parseRequestInfo,
  createRegistry,
  defaultPodSpec,
  validateObjectMeta,
  validatePodSpec,
  findUnknownFields,
  parseFieldSelector,
  matchesFields,
  decodeContinue,
  paginate,
  createWatchCache,
  createWatchStream,
  applyMergePatch,
  applyJsonPatch,
  applyStrategicMergePatch,
  applyServerSide,
} satisfies ApiserverExercises;
