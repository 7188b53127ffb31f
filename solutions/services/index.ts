/**
 * The services component (lesson 07): every function the engine's kube-proxy and cluster DNS reach
 * through `loadComponent('services')`. Don't change this file: fill in the exercise files it imports.
 */
import type { ServicesExercises } from '#engine/proxy/exercises.ts';
import { answerDns, searchNames } from './cluster-dns.ts';
import { ingressesForController, routeIngress } from './ingress.ts';
import { newProxier } from './proxier.ts';
import { serviceRules } from './service-rules.ts';

export default {
  serviceRules,
  newProxier,
  answerDns,
  searchNames,
  ingressesForController,
  routeIngress,
} satisfies ServicesExercises;
