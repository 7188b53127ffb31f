/**
 * The parts of Pod, Node and PriorityClass that the scheduler reads. They are the engine's one set
 * of API types (engine/kube/types.ts), named here again because the scheduler's exercises and
 * suites import them from this path (`#engine/scheduler/types.ts`); engine code imports
 * engine/kube/types.ts.
 */
export type {
  Container,
  ContainerPort,
  Node,
  NodeAffinity,
  NodeCondition,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Pod,
  PodCondition,
  PodSpec,
  PodStatus,
  PreferredSchedulingTerm,
  PriorityClass,
  ResourceList,
  Taint,
  Toleration,
} from '../kube/types.ts';
