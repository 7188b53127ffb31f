/**
 * A deliberately broken apiserver (test fixture for test/engine/apiserver-feedback.test.ts): the
 * reference, except registry.ts, which is broken on purpose.
 */
import type { ApiserverExercises } from '#engine/apiserver/exercises.ts';
import { createWatchCache, createWatchStream, decodeContinue, matchesFields, paginate, parseFieldSelector } from '../../../../../solutions/apiserver/list-watch.ts';
import { applyJsonPatch, applyMergePatch, applyServerSide, applyStrategicMergePatch } from '../../../../../solutions/apiserver/patch.ts';
import { createRegistry } from './registry.ts';
import { parseRequestInfo } from '../../../../../solutions/apiserver/routing.ts';
import { defaultPodSpec, findUnknownFields, validateObjectMeta, validatePodSpec } from '../../../../../solutions/apiserver/validation.ts';

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
