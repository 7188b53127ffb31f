/**
 * The live screen's pure parts: output lines made safe to draw (terminalText), the transcript of
 * runs (transcript), the fast folding of plain output (foldAscii, the same rows as wrapLines), the
 * commands offered and the KUBECONFIG export answered (liveCommands), and scrolling that follows
 * new output (tailScroll).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { foldAscii } from '../../tui/app/foldAscii.ts';
import { commandListRows, isKubeconfigExport, kubeconfigAnswer, liveCommands, talksToCluster } from '../../tui/app/liveCommands.ts';
import { following, scrollTail, tailOffset } from '../../tui/app/tailScroll.ts';
import { cleanLine } from '../../tui/app/terminalText.ts';
import { addNote, addOutput, echoCommand, emptyTranscript, endLine, endRun, shownLines } from '../../tui/app/transcript.ts';
import { wrapLines } from '../../tui/app/wrapLines.ts';

const RED = '\x1b[31m';
const RESET = '\x1b[0m';

describe('cleanLine', () => {
  test('colours are kept when the app shows colours (reset at the line end), and stripped when not', () => {
    expect(cleanLine(`${RED}Error${RESET} from server`, true), 'kept').toBe(`${RED}Error${RESET} from server`);
    expect(cleanLine(`${RED}Error from server`, true), 'an open colour is closed at the line end').toBe(`${RED}Error from server${RESET}`);
    expect(cleanLine(`${RED}Error${RESET} from server`, false), 'stripped').toBe('Error from server');
  });

  test('cursor moves, screen clearing, titles and stray control characters are dropped either way', () => {
    const line = '\x1b[2K\x1b[1Gdone\x1b]0;title\x07 \x1b(Bok\x07\x00';
    expect(cleanLine(line, true), 'with colours').toBe('done ok');
    expect(cleanLine(line, false), 'without').toBe('done ok');
  });

  test('a line redrawn with \\r shows its last drawing; a CRLF ending is not a redraw', () => {
    expect(cleanLine('10%\r50%\r100% done', false), 'progress').toBe('100% done');
    expect(cleanLine('NAME   READY\r', false), 'CRLF').toBe('NAME   READY');
  });

  test('tabs become spaces up to the next multiple of 8 visible columns', () => {
    expect(cleanLine('a\tbc\td', false)).toBe('a       bc      d');
    expect(cleanLine(`${RED}a${RESET}\tb`, true), 'colour codes take no columns').toBe(`${RED}a${RESET}       b`);
  });
});

describe('transcript', () => {
  test('a run: its command line, its output split into lines whatever the chunks, then its end', () => {
    let t = echoCommand(emptyTranscript, 'kubectl get pods');
    t = addOutput(t, 'NAME  READY\nweb', false);
    expect(
      shownLines(t, false).map((l) => l.text),
      'a partial line is shown as it is',
    ).toEqual(['$ kubectl get pods', 'NAME  READY', 'web']);
    t = addOutput(t, '-1  1/1\nweb-2  0/1', false);
    t = endRun(t, { type: 'exited', code: 0 }, false);
    expect(t.lines, 'after the end').toEqual([
      { kind: 'command', text: '$ kubectl get pods' },
      { kind: 'output', text: 'NAME  READY' },
      { kind: 'output', text: 'web-1  1/1' },
      { kind: 'output', text: 'web-2  0/1' },
      { kind: 'good', text: '✓ exit 0' },
    ]);
    expect(t.partial, 'nothing left waiting').toBe('');
  });

  test("runs are separated by a blank line; notes are the TUI's own lines", () => {
    let t = endRun(echoCommand(emptyTranscript, 'true'), { type: 'exited', code: 0 }, false);
    t = addNote(echoCommand(t, 'export KUBECONFIG=x'), 'note', 'Not run here.');
    expect(shownLines(t, false).map((l) => `${l.kind}:${l.text}`)).toEqual(['command:$ true', 'good:✓ exit 0', 'output:', 'command:$ export KUBECONFIG=x', 'note:Not run here.']);
  });

  test('each way a run ends has its line', () => {
    expect(endLine({ type: 'exited', code: 0 })).toEqual({ kind: 'good', text: '✓ exit 0' });
    expect(endLine({ type: 'exited', code: 1 })).toEqual({ kind: 'bad', text: '✗ exit 1' });
    expect(endLine({ type: 'stopped' })).toEqual({ kind: 'note', text: '■ stopped' });
    expect(endLine({ type: 'killed', signal: 'SIGKILL' })).toEqual({ kind: 'bad', text: '✗ ended by SIGKILL' });
    expect(endLine({ type: 'failed', message: 'spawn sh ENOENT' })).toEqual({ kind: 'bad', text: '✗ could not run it: spawn sh ENOENT' });
  });

  test('beyond the limit the oldest lines are dropped, and the pane says how many', () => {
    let t = echoCommand(emptyTranscript, 'kubectl get pods -w', 4);
    t = addOutput(t, 'a\nb\nc\nd\ne\n', false, 4);
    expect(
      t.lines.map((l) => l.text),
      'kept',
    ).toEqual(['b', 'c', 'd', 'e']);
    expect(t.dropped, 'dropped').toBe(2);
    expect(shownLines(t, false)[0], 'the first line shown').toEqual({ kind: 'note', text: '… 2 earlier lines not kept' });
  });
});

describe('foldAscii', () => {
  test("a kubectl table row folds at spaces, its columns' spacing kept; a long word is cut", () => {
    const row = 'web-ssd   1/1     Running   0          4s    127.128.1.2   hollow-node-1   <none>           <none>';
    expect(foldAscii(row, 78)).toEqual(['web-ssd   1/1     Running   0          4s    127.128.1.2   hollow-node-1', '<none>           <none>']);
    expect(foldAscii('{"kind":"ConfigMapList","apiVersion":"v1"}', 20)).toEqual(['{"kind":"ConfigMapLi', 'st","apiVersion":"v1', '"}']);
    expect(foldAscii('    message: 0/3 nodes are available', 20), 'under the indent').toEqual(['    message: 0/3', '    nodes are', '    available']);
    expect(foldAscii('fits   ', 20), 'trailing spaces dropped').toEqual(['fits']);
  });

  test('gives exactly the rows wrapLines gives, for lines indented at most half the width', () => {
    const word = fc.stringMatching(/^[a-z0-9{}":,./<>-]{1,25}$/);
    const spaces = fc.constantFrom(' ', '  ', '   ', '      ');
    const line = fc.tuple(fc.constantFrom('', ' ', '  ', '    ', '        '), fc.array(fc.oneof(word, spaces), { maxLength: 30 })).map(([indent, parts]) => indent + parts.join('').trimStart());
    fc.assert(
      fc.property(line, fc.integer({ min: 8, max: 100 }), (text, width) => {
        fc.pre(/^ */.exec(text)![0].length <= width / 2);
        expect(foldAscii(text, width), `${JSON.stringify(text)} at ${width}`).toEqual(text.trim() === '' ? [''] : wrapLines(text, width));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('liveCommands', () => {
  test("the step's command first, then every line to try, repeats included", () => {
    expect(liveCommands({ title: 't', text: 'x', command: 'npx kubelings cluster up', try: ['kubectl apply -f a.yaml', 'kubectl apply -f a.yaml'] })).toEqual([
      'npx kubelings cluster up',
      'kubectl apply -f a.yaml',
      'kubectl apply -f a.yaml',
    ]);
  });

  test('only a line that exports KUBECONFIG and does nothing else is answered instead of run', () => {
    for (const line of ['export KUBECONFIG=$PWD/.kubelings/kubeconfig', '  export KUBECONFIG="$HOME/my config"', "export KUBECONFIG='/x/kubeconfig';"]) {
      expect(isKubeconfigExport(line), line).toBe(true);
    }
    for (const line of ['export KUBECONFIG=a && kubectl get pods', 'export PATH=$PATH:/x', 'echo export KUBECONFIG=a', 'KUBECONFIG=a kubectl get pods']) {
      expect(isKubeconfigExport(line), line).toBe(false);
    }
    expect(kubeconfigAnswer('/k/kubeconfig'), 'the answer names the path').toContain('KUBECONFIG=/k/kubeconfig');
  });

  test("a step talks to the cluster when it runs kubectl or the engine's cluster and explain verbs", () => {
    expect(talksToCluster(['npx kubelings cluster up --nodes 3']), 'cluster up').toBe(true);
    expect(talksToCluster(['sed s/a/b/ x.yaml | kubectl apply -f -']), 'kubectl in a pipe').toBe(true);
    expect(talksToCluster(['npx kubelings explain pod web']), 'explain').toBe(true);
    expect(talksToCluster(["npx tsx engine/objects/demo.ts 'app=web'", 'npx tsx engine/etcd/demo.ts --impl solutions']), 'the demos of lessons 00 and 01').toBe(false);
  });

  test('the list takes about a third of the screen: 2 to 8 rows, never more than there are commands', () => {
    expect(commandListRows(24, 14), '80×24, lesson 02').toBe(6);
    expect(commandListRows(24, 3), 'few commands').toBe(3);
    expect(commandListRows(60, 20), 'a tall terminal').toBe(8);
    expect(commandListRows(8, 5), 'a tiny one').toBe(2);
  });
});

describe('tailScroll', () => {
  test('following keeps the last lines in view as more arrive', () => {
    expect(tailOffset(following, 30, 10)).toBe(20);
    expect(tailOffset(following, 31, 10)).toBe(21);
    expect(tailOffset(following, 5, 10), 'everything fits').toBe(0);
  });

  test('scrolling up stops following; back at the bottom it follows again', () => {
    const up = scrollTail(following, -9, 30, 10);
    expect(up, 'a screen up').toEqual({ offset: 11, follow: false });
    expect(tailOffset(up, 40, 10), 'new lines do not move the view').toBe(11);
    expect(scrollTail(up, 9, 30, 10), 'back down').toEqual({ offset: 20, follow: true });
    expect(scrollTail(up, -100, 30, 10), 'to the top').toEqual({ offset: 0, follow: false });
  });
});
