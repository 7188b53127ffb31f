/**
 * Validates a progress file entry by entry, so that one bad value (hand-edited, or written by
 * something else) costs only itself: an exercise recorded as `"yes"` is left out, an `attempts`
 * of `"3"` goes back to 0, a page of `"abc"` is forgotten, and everything else is kept.
 *
 * Fields this version does not know are kept as they are (a newer kubelings may have written
 * them); fields it knows must have the right type. Each problem is described in `dropped`, in
 * words a learner can match to the file.
 */
import { z } from 'zod';
import { PROGRESS_VERSION } from '#engine/params.ts';
import type { ExerciseProgress, Progress } from './progress.ts';

const count = z.number().int().nonnegative();
const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)));

/** The fields of an exercise record, each with its schema and what a bad value becomes. */
const EXERCISE_FIELDS: Record<string, { schema: z.ZodType; fallback?: unknown; what: string }> = {
  passedAt: { schema: isoTime, what: 'a time' },
  attempts: { schema: count, fallback: 0, what: 'a whole number' },
  hintsRevealed: { schema: count, fallback: 0, what: 'a whole number' },
  peeked: { schema: z.boolean(), what: 'true or false' },
};

const current = z.object({ lesson: z.string(), screen: z.enum(['lesson', 'quiz', 'exercise']), exercise: z.string().optional() });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** The valid part of a parsed progress file, and a sentence for each thing left out. */
export function validateProgress(data: Record<string, unknown>): { progress: Progress; dropped: string[] } {
  const dropped: string[] = [];
  const progress: Progress = { version: PROGRESS_VERSION, exercises: {}, quiz: {}, pages: {}, completeComponents: [] };

  const section = (name: string): Record<string, unknown> => {
    const value = data[name];
    if (value === undefined) return {};
    if (isRecord(value)) return value;
    dropped.push(`${name} is ${shown(value)}, not a set of entries`);
    return {};
  };

  for (const [id, entry] of Object.entries(section('exercises'))) {
    if (!isRecord(entry)) {
      dropped.push(`exercises."${id}" is ${shown(entry)}, not an exercise record`);
      continue;
    }
    const record: Record<string, unknown> = { ...entry };
    for (const [field, rule] of Object.entries(EXERCISE_FIELDS)) {
      if (record[field] === undefined) {
        if (rule.fallback !== undefined) record[field] = rule.fallback;
        continue;
      }
      if (rule.schema.safeParse(record[field]).success) continue;
      dropped.push(`exercises."${id}".${field} is ${shown(record[field])}, not ${rule.what}${rule.fallback === undefined ? '' : `: it is ${shown(rule.fallback)} again`}`);
      if (rule.fallback === undefined) delete record[field];
      else record[field] = rule.fallback;
    }
    progress.exercises[id] = record as unknown as ExerciseProgress;
  }

  for (const [lesson, answers] of Object.entries(section('quiz'))) {
    if (!isRecord(answers)) {
      dropped.push(`quiz."${lesson}" is ${shown(answers)}, not a set of answers`);
      continue;
    }
    const kept: Record<string, number> = {};
    for (const [question, choice] of Object.entries(answers)) {
      if (count.safeParse(choice).success) kept[question] = choice as number;
      else dropped.push(`quiz."${lesson}"."${question}" is ${shown(choice)}, not a choice number`);
    }
    progress.quiz[lesson] = kept;
  }

  for (const [lesson, page] of Object.entries(section('pages'))) {
    if (count.safeParse(page).success) progress.pages[lesson] = page as number;
    else dropped.push(`pages."${lesson}" is ${shown(page)}, not a page number`);
  }

  if (data.current !== undefined) {
    const parsed = current.safeParse(data.current);
    if (parsed.success) progress.current = parsed.data;
    else dropped.push(`current is ${shown(data.current)}, not a place in the course`);
  }

  if (typeof data.learner === 'string') progress.learner = data.learner;
  else if (data.learner !== undefined) dropped.push(`learner is ${shown(data.learner)}, not an id (a new one is made)`);

  const complete = data.completeComponents;
  if (Array.isArray(complete) && complete.every((c) => typeof c === 'string')) progress.completeComponents = complete;
  else if (complete !== undefined) dropped.push(`completeComponents is ${shown(complete)}, not a list of components (it is worked out again)`);

  return { progress, dropped };
}
