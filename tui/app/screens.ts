/**
 * The screens other than Home, loaded on first use (React.lazy) so that the first frame does not
 * wait for them or for what they bring (the grader, the course loader with yaml and zod).
 * `preloadScreens` fetches them all in the background once the home screen is up.
 */
import { lazy } from 'react';

const load = {
  lesson: () => import('./LessonScreen.tsx').then((m) => ({ default: m.LessonScreen })),
  live: () => import('./LiveScreen.tsx').then((m) => ({ default: m.LiveScreen })),
  quiz: () => import('./QuizScreen.tsx').then((m) => ({ default: m.QuizScreen })),
  exercise: () => import('./ExerciseScreen.tsx').then((m) => ({ default: m.ExerciseScreen })),
};

export const LessonScreen = lazy(load.lesson);
export const LiveScreen = lazy(load.live);
export const QuizScreen = lazy(load.quiz);
export const ExerciseScreen = lazy(load.exercise);

export async function preloadScreens(): Promise<void> {
  await Promise.all(Object.values(load).map((f) => f()));
}
