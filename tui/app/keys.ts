/**
 * The keys of each screen, in one place: the footer shows `key label` pairs, the help overlay the
 * longer `help` sentence. A screen in a special mode (a confirmation, the reference) shows that
 * mode's keys instead.
 */
import type { ScreenName } from './navigation.ts';

export interface KeyHelp {
  /** As printed: `↑↓`, `enter`, `h`. */
  keys: string;
  /** One or two words for the footer. */
  label: string;
  /** A sentence for the help overlay. */
  help: string;
  /** Listed in the help overlay only: the footer has no room for it. */
  helpOnly?: boolean;
}

const help: KeyHelp = { keys: '?', label: 'help', help: 'show or hide this help' };
const back: KeyHelp = { keys: 'q', label: 'back', help: 'go back (from the home screen: quit)' };
const scroll: KeyHelp = { keys: '↑↓', label: 'scroll', help: 'scroll a line (space / b or PgDn / PgUp: a screen; Home / End: top / bottom)' };

export const SCREEN_KEYS: Record<ScreenName, KeyHelp[]> = {
  home: [
    { keys: '↑↓', label: 'choose', help: 'move between lessons' },
    { keys: 'enter', label: 'open', help: 'open the lesson (or resume where you left off)' },
    help,
    { keys: 'q', label: 'quit', help: 'leave kubelings (your progress is saved as you go)' },
  ],
  lesson: [
    { keys: '←→', label: 'page', help: 'previous / next page (also p / n)' },
    scroll,
    { keys: 't', label: 'quiz', help: "take the lesson's quiz" },
    { keys: 'e', label: 'exercises', help: 'start the first exercise you have not passed' },
    { keys: 'l', label: 'live', help: 'see it live: run the engine and look with kubectl' },
    help,
    back,
  ],
  live: [
    { keys: '↑↓', label: 'choose', help: "choose a command: the step's own first, then the ones to try" },
    { keys: 'enter', label: 'run', help: 'run it here, in the project folder, with KUBECONFIG set to your cluster; its output streams below' },
    { keys: 'x', label: 'stop', help: 'stop the running command and everything it started (leaving the screen stops it too)' },
    { keys: 'PgUp/PgDn', label: 'scroll', help: 'scroll the output a screen (also b / space; Home / End: top / bottom, where new output is followed)' },
    help,
    { keys: 'q', label: 'back', help: 'go back (stops a running command)' },
  ],
  quiz: [
    { keys: '↑↓', label: 'choose', help: 'move between the choices (after answering: scroll)' },
    { keys: 'enter', label: 'answer', help: 'answer; after the feedback, go on to the next question' },
    { keys: 'r', label: 'retake', help: 'on the score: take the quiz again from the start' },
    { keys: 'e', label: 'exercises', help: "on the score: start the lesson's exercises" },
    help,
    back,
  ],
  exercise: [
    scroll,
    { keys: 'h', label: 'hint', help: 'reveal the next hint (one at a time)' },
    { keys: 'e', label: 'edit', help: 'open the file in your editor ($VISUAL or $EDITOR, else nano or vi); saving grades it' },
    { keys: 'g', label: 'grade', help: 'grade now (saving the file grades it too)', helpOnly: true },
    { keys: 'r', label: 'reset', help: 'put the original stub back (asks first)' },
    { keys: 's', label: 'solution', help: 'show the reference (after passing, or if you insist)' },
    { keys: 't', label: 'task', help: 'the whole task, when it is too long to show above the results' },
    { keys: 'n/p', label: 'next/prev', help: 'next / previous exercise' },
    help,
    back,
  ],
};

/** The quiz's footer at each step: a question, the feedback after an answer, the score. */
export const QUIZ_STEP_KEYS: Record<'question' | 'feedback' | 'score', KeyHelp[]> = {
  question: [quizKey('↑↓'), quizKey('enter'), help, back],
  feedback: [{ keys: 'enter', label: 'next', help: 'go on' }, scroll, help, back],
  score: [quizKey('r'), quizKey('e'), help, back],
};

function quizKey(keys: string): KeyHelp {
  return SCREEN_KEYS.quiz.find((k) => k.keys === keys)!;
}

/** Keys while a yes/no question is asked. */
export const CONFIRM_KEYS: KeyHelp[] = [
  { keys: 'y', label: 'yes', help: 'yes, do it' },
  { keys: 'n', label: 'no', help: 'no, leave things as they are (also esc)' },
];

/** Keys while the reference is shown. */
export const REFERENCE_KEYS: KeyHelp[] = [scroll, { keys: 's', label: 'your results', help: 'back to your results (also esc)' }, help, back];

/** Keys while a long task is shown whole. */
export const TASK_KEYS: KeyHelp[] = [scroll, { keys: 't', label: 'your results', help: 'back to your results (also esc)' }, help, back];

/** Keys while the help overlay is open. */
export const HELP_KEYS: KeyHelp[] = [{ keys: '? esc', label: 'close help', help: 'close this help' }];
