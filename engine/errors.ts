/**
 * Errors shared by the engine, the grader and the learner's code.
 *
 * `NotImplemented` is what every stub throws: it names the exercise and the lesson page to read, so
 * that whoever meets it (a test, the cluster, the TUI) can tell the learner exactly where to go.
 * `KubelingsError` is any error meant for a person: its message is one clear sentence, and the CLI
 * prints it without a stack trace.
 */

/** An error whose message is written for a person, printed as is (no stack) by the CLI and TUI. */
export class KubelingsError extends Error {
  override name = 'KubelingsError';
}

/** Thrown by a stub that the learner has not written yet. */
export class NotImplemented extends Error {
  override name = 'NotImplemented';
  /** The exercise id, e.g. `00-objects/01-selectors`. */
  readonly exercise: string;
  /** The page to read, e.g. `lessons/core/00-objects/03-labels.md`. */
  readonly page: string;

  constructor(exercise: string, page: string, what?: string) {
    super(`${what ? `${what} is` : 'this is'} not written yet: it is exercise ${exercise}. ` + `Read ${page}, then fill in the TODO and run: npx kubelings check ${exercise}`);
    this.exercise = exercise;
    this.page = page;
  }
}

/** True when `error` is (or wraps) a NotImplemented thrown by a stub. */
export function isNotImplemented(error: unknown): error is NotImplemented {
  return error instanceof Error && (error.name === 'NotImplemented' || isNotImplemented(error.cause));
}
