/**
 * Driving a real terminal: tmux sessions on a private server, keys sent as a person types them,
 * the pane read back as text. For the tests that run `kubelings` (the TUI, watch) as a learner does.
 */
import { execFileSync, spawnSync } from 'node:child_process';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

export class Tmux {
  private readonly socket = `kubelings-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  private run(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Starts `command` (through the shell) in a new session of the given size. */
  start(session: string, command: string, columns = 80, rows = 24): void {
    this.run('new-session', '-d', '-s', session, '-x', String(columns), '-y', String(rows), command);
  }

  /** Sends keys as tmux names them (`Enter`, `Down`, `C-c`) or literal text with `literal`. */
  keys(session: string, ...keys: string[]): void {
    this.run('send-keys', '-t', session, ...keys);
  }

  literal(session: string, text: string): void {
    this.run('send-keys', '-t', session, '-l', text);
  }

  screen(session: string): string {
    return this.run('capture-pane', '-p', '-t', session);
  }

  flag(session: string, flag: string): string {
    return this.run('display-message', '-p', '-t', session, `#{${flag}}`).trim();
  }

  /** Waits until the pane shows `text` (or matches it); the first start may build the bundle. */
  async waitFor(session: string, text: string | RegExp, ms = 60_000): Promise<string> {
    const started = Date.now();
    for (;;) {
      const screen = this.screen(session);
      if (typeof text === 'string' ? screen.includes(text) : text.test(screen)) return screen;
      if (Date.now() - started > ms)
        throw new Error(`tmux never showed ${String(text)}; the pane shows:\n${screen}\nwith before it:\n${this.run('capture-pane', '-p', '-S', '-40', '-E', '-1', '-t', session)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Ends every session of this server (and what runs in them). */
  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
  }
}
