/**
 * The cni component (lesson 06): every function the engine reaches through `loadComponent('cni')`.
 * Don't change this file: fill in the exercise files it imports.
 */
import type { CniExercises } from '#engine/cni/exercises.ts';
import { ipamAdd, ipamDel, newNodeCidrAllocator } from './ipam.ts';
import { compilePolicies, evaluatePolicies } from './network-policy.ts';
import { cniMain } from './plugin.ts';

export default {
  ipamAdd,
  ipamDel,
  newNodeCidrAllocator,
  cniMain,
  evaluatePolicies,
  compilePolicies,
} satisfies CniExercises;
