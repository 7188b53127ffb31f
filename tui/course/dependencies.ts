/**
 * Which exercises build on which: lesson.yaml's `builds_on` lists the earlier exercises of the same
 * lesson whose code an exercise calls. Grading an exercise re-runs everything it builds on,
 * directly or through another (and nothing else); resetting one forgets the passes of everything
 * that builds on it, since that code now calls a stub. Pure.
 */
import type { Exercise, Lesson } from './load.ts';

/** The exercises `exercise` builds on, directly or not, in lesson order. */
export function buildsOn(lesson: Lesson, exercise: Exercise): Exercise[] {
  const wanted = new Set<string>();
  const visit = (e: Exercise) => {
    for (const id of e.buildsOn) {
      if (wanted.has(id)) continue;
      const earlier = lesson.exercises.find((x) => x.id === id);
      if (!earlier) continue;
      wanted.add(id);
      visit(earlier);
    }
  };
  visit(exercise);
  return lesson.exercises.filter((e) => wanted.has(e.id));
}

/** The exercises that build on `exercise`, directly or not, in lesson order. */
export function builtOnBy(lesson: Lesson, exercise: Exercise): Exercise[] {
  return lesson.exercises.filter((e) => e !== exercise && buildsOn(lesson, e).includes(exercise));
}
