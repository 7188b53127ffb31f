/**
 * The schema of a lesson pack: `pack.yaml` at the pack's root and one `lesson.yaml` per lesson
 * folder. Parsing is strict (unknown keys are errors, so a typo never passes silently) and every
 * error is reported with the file and line of the offending node (see load.ts).
 */
import { z } from 'zod';

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes, such as 01-selectors');

const nonEmpty = z.string().trim().min(1, 'must not be empty');

export const packSchema = z.strictObject({
  /** Pack id, used to qualify exercise ids when two packs share a lesson id. */
  id,
  title: nonEmpty,
  /** The pack's own version (an integer that instructors bump). */
  version: z.number().int().positive(),
  description: nonEmpty,
  /** Lesson folders, in teaching order. */
  lessons: z.array(id).min(1, 'must list at least one lesson'),
  /** Where the pack's code lives, relative to the pack folder. */
  code: z
    .strictObject({
      exercises: nonEmpty.default('exercises'),
      solutions: nonEmpty.default('solutions'),
      suites: nonEmpty.default('test'),
    })
    .default({ exercises: 'exercises', solutions: 'solutions', suites: 'test' }),
});

const choiceSchema = z.strictObject({
  text: nonEmpty,
  /** Exactly one choice per question is correct. */
  correct: z.boolean().optional(),
  /** Why this choice is right or wrong, shown after answering. */
  why: nonEmpty.optional(),
});

const questionSchema = z
  .strictObject({
    id,
    question: nonEmpty,
    choices: z.array(choiceSchema).min(2, 'needs at least two choices'),
    /** Shown after any answer: why the right answer is right. */
    explanation: nonEmpty,
  })
  .superRefine((q, ctx) => {
    const correct = q.choices.filter((c) => c.correct).length;
    if (correct !== 1) {
      ctx.addIssue({ code: 'custom', path: ['choices'], message: `must mark exactly one choice "correct: true" (found ${correct})` });
    }
  });

const exerciseSchema = z.strictObject({
  id,
  title: nonEmpty,
  /** The file the learner edits, relative to the pack's exercises/ (and solutions/) folder. */
  file: nonEmpty,
  /** The hidden suite, relative to the pack's suites folder. */
  suite: nonEmpty,
  /** The lesson page to reread, one of the lesson's pages. */
  page: nonEmpty,
  /** What to do, in a few sentences (Markdown), shown on the exercise screen. */
  task: nonEmpty,
  /** A chain of questions; the last points at the page to reread. */
  hints: z.array(nonEmpty).min(1, 'needs at least one hint'),
  /**
   * Earlier exercises of this lesson whose code this one calls: grading it re-runs them (and what
   * they build on), and resetting one of them forgets that this one passed.
   */
  builds_on: z.array(id).default([]),
});

const pageSchema = z.strictObject({
  file: nonEmpty,
  title: nonEmpty,
});

const liveSchema = z.strictObject({
  title: nonEmpty,
  /** Markdown shown before running; say what the learner will see. */
  text: nonEmpty,
  /** The command to run (shown, and run by the TUI on request). */
  command: nonEmpty,
  /** Commands for the learner to try afterwards, one per line. */
  try: z.array(nonEmpty).default([]),
});

export const lessonSchema = z
  .strictObject({
    id,
    title: nonEmpty,
    /** The component this lesson's exercises build (a folder in exercises/ and solutions/). */
    component: id,
    summary: nonEmpty,
    pages: z.array(pageSchema).min(1, 'needs at least one page'),
    quiz: z.array(questionSchema).default([]),
    exercises: z.array(exerciseSchema).default([]),
    live: liveSchema.optional(),
  })
  .superRefine((lesson, ctx) => {
    const pageFiles = new Set(lesson.pages.map((p) => p.file));
    lesson.exercises.forEach((ex, i) => {
      if (!pageFiles.has(ex.page)) {
        ctx.addIssue({ code: 'custom', path: ['exercises', i, 'page'], message: `"${ex.page}" is not one of this lesson's pages` });
      }
    });
    lesson.exercises.forEach((ex, i) => {
      ex.builds_on.forEach((earlier, j) => {
        const at = lesson.exercises.findIndex((e) => e.id === earlier);
        if (at < 0 || at >= i) {
          const which = at < 0 ? 'is not an exercise of this lesson' : 'does not come before it';
          ctx.addIssue({ code: 'custom', path: ['exercises', i, 'builds_on', j], message: `"${earlier}" ${which}: an exercise builds only on earlier ones` });
        }
      });
    });
    for (const [key, list] of [
      ['exercises', lesson.exercises],
      ['quiz', lesson.quiz],
    ] as const) {
      const seen = new Set<string>();
      list.forEach((item, i) => {
        if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [key, i, 'id'], message: `"${item.id}" is used twice` });
        seen.add(item.id);
      });
    }
  });

export type PackFile = z.infer<typeof packSchema>;
export type LessonFile = z.infer<typeof lessonSchema>;
export type QuizQuestion = LessonFile['quiz'][number];
export type ExerciseEntry = LessonFile['exercises'][number];
