/**
 * How the live screen runs a command, as an interface so that screen tests inject a fake with
 * deterministic output (the real one is shellRunner.ts). A run reports its output as it comes
 * (stdout and stderr together, in the order written) and then exactly one end; `stop()` ends it
 * and everything it started, and is harmless once it has ended.
 */

/** How a run ended. */
export type RunEnd =
  /** The command exited on its own with this code. */
  | { type: 'exited'; code: number }
  /** The learner stopped it (x, or leaving the screen). */
  | { type: 'stopped' }
  /** A signal the learner did not send ended it. */
  | { type: 'killed'; signal: string }
  /** It could not be started at all. */
  | { type: 'failed'; message: string };

export interface RunHandlers {
  /** Output as it arrives: any piece of text, not necessarily whole lines. */
  onOutput(text: string): void;
  /** Called once, after the last output. */
  onEnd(end: RunEnd): void;
}

export interface RunningCommand {
  /** End the command and everything it started. */
  stop(): void;
}

export interface CommandRunner {
  /** The kubeconfig every command gets as KUBECONFIG (the learner's cluster). */
  readonly kubeconfig: string;
  run(command: string, handlers: RunHandlers): RunningCommand;
}
