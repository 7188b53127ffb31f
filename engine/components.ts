/**
 * The registry of graded components: each name maps to the interface its `index.ts` must satisfy,
 * in both `exercises/<name>/` and `solutions/<name>/`. `loadComponent(name)` (engine/impl.ts) is
 * typed from this map. A lesson pack that brings a new component extends it by declaration merging:
 *
 *     declare module 'kubelings/engine/components.ts' { interface Components { widgets: WidgetExercises } }
 */
import type { ObjectsExercises } from './objects/exercises.ts';
import type { ApiserverExercises } from './apiserver/exercises.ts';
import type { EtcdExercises } from './etcd/exercises.ts';
import type { SchedulerExercises } from './scheduler/exercises.ts';
import type { ControllersExercises } from './controllers/exercises.ts';
import type { KubeletExercises } from './kubelet/exercises.ts';
import type { CniExercises } from './cni/exercises.ts';
import type { ServicesExercises } from './proxy/exercises.ts';

export interface Components {
  objects: ObjectsExercises;
  apiserver: ApiserverExercises;
  etcd: EtcdExercises;
  scheduler: SchedulerExercises;
  controllers: ControllersExercises;
  kubelet: KubeletExercises;
  cni: CniExercises;
  services: ServicesExercises;
}

export type ComponentName = keyof Components & string;
