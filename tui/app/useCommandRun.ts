/**
 * Runs the live screen's commands through the services' runner, one at a time, into a transcript
 * (transcript.ts). Before a command runs, the probe is asked whether its engine verb exists yet (an
 * answer of "not yet" is shown instead of running it); an export of KUBECONFIG is answered, not
 * run. Output is gathered for LIVE_OUTPUT_FLUSH_MS before the screen is drawn again, so a flood of
 * output costs a few frames, not one per chunk. Leaving the screen (unmount) stops the command.
 */
import { useEffect, useRef, useState } from 'react';
import { LIVE_OUTPUT_FLUSH_MS } from '#engine/params.ts';
import type { RunEnd, RunningCommand } from './commandRunner.ts';
import { isKubeconfigExport, kubeconfigAnswer } from './liveCommands.ts';
import { useServices } from './services.tsx';
import { addNote, addOutput, echoCommand, emptyTranscript, endRun, type Transcript } from './transcript.ts';
import { useLatestState } from './useLatestState.ts';

export interface CommandRun {
  transcript: Transcript;
  /** The command running (or being checked before it runs), if any. */
  running: string | undefined;
  /** Runs `command`; false (and nothing done) while another one runs. */
  run(command: string): boolean;
  /** Stops the running command, if any. */
  stop(): void;
}

export function useCommandRun(): CommandRun {
  const { runner, probe, color } = useServices();
  const [transcript, setTranscript] = useState<Transcript>(emptyTranscript);
  const [running, setRunning, currentRunning] = useLatestState<string | undefined>(undefined);
  const child = useRef<RunningCommand | undefined>(undefined);
  const state = useRef({ mounted: true, cancelled: false, pending: '', timer: undefined as NodeJS.Timeout | undefined });

  const flush = () => {
    const s = state.current;
    clearTimeout(s.timer);
    s.timer = undefined;
    const text = s.pending;
    s.pending = '';
    if (text !== '') setTranscript((t) => addOutput(t, text, color));
  };
  const finish = (end: RunEnd) => {
    if (!state.current.mounted) return;
    flush();
    child.current = undefined;
    setTranscript((t) => endRun(t, end, color));
    setRunning(undefined);
  };
  const start = (command: string) => {
    child.current = runner.run(command, {
      onOutput: (text) => {
        const s = state.current;
        if (!s.mounted) return;
        s.pending += text;
        s.timer ??= setTimeout(flush, LIVE_OUTPUT_FLUSH_MS);
      },
      onEnd: finish,
    });
  };

  useEffect(() => {
    const s = state.current;
    return () => {
      s.mounted = false;
      clearTimeout(s.timer);
      child.current?.stop();
    };
  }, []);

  const run = (command: string): boolean => {
    if (currentRunning() !== undefined) return false;
    setTranscript((t) => echoCommand(t, command));
    if (isKubeconfigExport(command)) {
      setTranscript((t) => addNote(t, 'note', kubeconfigAnswer(runner.kubeconfig)));
      return true;
    }
    setRunning(command);
    state.current.cancelled = false;
    void probe(command).then((result) => {
      if (!state.current.mounted) return;
      if (state.current.cancelled) return finish({ type: 'stopped' });
      if (result.available) return start(command);
      setTranscript((t) => addNote(addNote(t, 'bad', `✗ ${result.reason}`), 'note', 'Keep the command for later: it runs once the engine has that verb.'));
      setRunning(undefined);
    });
    return true;
  };
  const stop = () => {
    if (child.current) child.current.stop();
    else if (currentRunning() !== undefined) state.current.cancelled = true;
  };
  return { transcript, running, run, stop };
}
