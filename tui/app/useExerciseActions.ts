/**
 * What the learner can do on an exercise besides grading, as state: reveal the next hint
 * (recorded), reset the file to its stub after a y/n (restore + forget the pass, as `kubelings
 * reset` does), show the reference (straight away after passing; otherwise after a y/n, recorded
 * as `peeked`). `message` is the one-line outcome shown in the status line.
 */
import type { Key } from 'ink';
import { useState } from 'react';
import type { Course, Exercise } from '../course/load.ts';
import { basename } from 'node:path';
import { showPath } from '../grader/explain.ts';
import { recordReset } from '../commands/check.ts';
import { isPristine, restore } from '../pristine.ts';
import { exerciseProgress } from '../progress.ts';
import { useProgress } from './ProgressProvider.tsx';

export interface Message {
  text: string;
  tone: 'info' | 'good' | 'warn';
}

export function useExerciseActions(exercise: Exercise, course: Course) {
  const { update, reload } = useProgress();
  const [mode, setMode] = useState<'results' | 'reference' | 'task'>('results');
  const [confirm, setConfirm] = useState<'reset' | 'peek'>();
  const [message, setMessage] = useState<Message>();
  const file = basename(exercise.file);
  const say = (text: string | undefined, tone: Message['tone'] = 'info') => setMessage(text === undefined ? undefined : { text, tone });

  const ask = (what: 'reset' | 'peek', question: string) => {
    setConfirm(what);
    say(question, 'warn');
  };

  return {
    mode,
    confirm,
    message,
    say,
    /** Back to a fresh state (another exercise). */
    reset() {
      setMode('results');
      setConfirm(undefined);
      setMessage(undefined);
    },
    revealHint() {
      let shown = 0;
      update((p) => {
        const e = exerciseProgress(p, exercise.id);
        e.hintsRevealed = Math.min(exercise.hints.length, e.hintsRevealed + 1);
        shown = e.hintsRevealed;
      });
      if (shown >= exercise.hints.length) say(`That is every hint (${shown}). Reread "${exercise.page.title}" (${showPath(exercise.page.path)}).`);
    },
    askReset() {
      const pack = course.packs.find((p) => p.id === exercise.packId)!;
      if (isPristine(pack, exercise.relativeFile)) say(`${file} is already the untouched stub: nothing to reset.`);
      else ask('reset', `Throw away your work in ${file} and restore the stub? (y/n)`);
    },
    askReference(allowed: boolean) {
      if (allowed) setMode('reference');
      else ask('peek', 'Not passed yet. Show the reference anyway? (y/n)');
    },
    /** Back from the reference or the whole task to the results. */
    showResults: () => setMode('results'),
    /** The whole task, when it is too long for its place above the results. */
    showTask: () => setMode('task'),
    /** The learner's answer to the open question: y does it, n or esc leaves things alone. */
    answer(input: string, key: Key) {
      const yes = input === 'y' || input === 'Y';
      if (!yes && !(input === 'n' || input === 'N' || key.escape || input === 'q')) return;
      const what = confirm;
      setConfirm(undefined);
      if (!yes) return say('Nothing changed.');
      if (what === 'reset') {
        try {
          restore(
            course.packs.find((p) => p.id === exercise.packId)!,
            exercise.relativeFile,
          );
          recordReset(course, exercise);
          reload();
          say(`${file} is back to the original stub.`, 'good');
        } catch (error) {
          say((error as Error).message, 'warn');
        }
      } else {
        update((p) => void (exerciseProgress(p, exercise.id).peeked = true));
        setMode('reference');
        say(undefined);
      }
    },
  };
}
