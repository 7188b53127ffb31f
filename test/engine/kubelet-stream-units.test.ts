/**
 * The streaming handlers' pieces on their own: which container a log request reads and the
 * kubelet's sentences when none (upstream pkg/kubelet/kubelet_pods.go validateContainerLogStatus),
 * the log query (PodLogOptions validation), the kubelet's paths, the SPDY/3 framing and header
 * compression port-forward runs on (hostile lengths and versions end the session), and the mount
 * adapter the kubelet agent uses, and an exec whose client speaks before the command has started.
 */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import type { WebSocket } from 'ws';
import type { ExecSession } from '#engine/cri/api.ts';
import { ChannelSocket } from '#engine/kubelet/stream/channels.ts';
import { runExec } from '#engine/kubelet/stream/exec.ts';
import type { StreamRuntime } from '#engine/kubelet/stream/host.ts';
import { logContainerId, runningContainerId, type FoundContainer, type StreamContainerStatus } from '#engine/kubelet/stream/host.ts';
import { logOptionsFrom } from '#engine/kubelet/stream/logs.ts';
import { mountStreamHandlers, parseStreamPath, type StreamHandlers } from '#engine/kubelet/stream/server.ts';
import { controlFrame, dataFrame, decodeHeaderBlock, encodeHeaderBlock, FrameReader, HeaderCodec, SPDY_DICTIONARY, SYN_STREAM } from '#engine/kubelet/stream/spdy.ts';

function found(status?: Partial<StreamContainerStatus>): FoundContainer {
  return {
    pod: { metadata: { name: 'web', namespace: 'default', uid: 'u1' }, spec: { containers: [{ name: 'app' }] } },
    containerName: 'app',
    ...(status ? { status: { name: 'app', ...status } } : {}),
  };
}

describe('which container a log request reads (validateContainerLogStatus)', () => {
  test('running: the current one; --previous: the last terminated one', () => {
    const f = found({ containerID: 'kubelings://cur', state: { running: {} }, lastState: { terminated: { exitCode: 1, containerID: 'kubelings://old' } } });
    expect([logContainerId(f, false), logContainerId(f, true)]).toEqual(['cur', 'old']);
  });
  test('CrashLoopBackOff with a last instance: its log, not a refusal', () => {
    expect(logContainerId(found({ state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, containerID: 'kubelings://old' } } }), false)).toBe('old');
  });
  test("waiting reasons in upstream's words", () => {
    expect(() => logContainerId(found({ state: { waiting: { reason: 'ContainerCreating' } } }), false)).toThrow('container "app" in pod "web" is waiting to start: ContainerCreating');
    expect(() => logContainerId(found({ state: { waiting: { reason: 'ErrImagePull' } } }), false)).toThrow('container "app" in pod "web" is waiting to start: image can\'t be pulled');
    expect(() => logContainerId(found({ state: { waiting: { reason: 'ImagePullBackOff' } } }), false)).toThrow('is waiting to start: trying and failing to pull image');
    expect(() => logContainerId(found(), false)).toThrow('container "app" in pod "web" is waiting to start - no logs yet');
  });
  test('--previous without a terminated instance', () => {
    expect(() => logContainerId(found({ containerID: 'kubelings://cur', state: { running: {} } }), true)).toThrow('previous terminated container "app" in pod "web" not found');
  });
  test('exec reaches only a running container', () => {
    expect(runningContainerId(found({ containerID: 'kubelings://cur', state: { running: {} } }))).toBe('cur');
    expect(() => runningContainerId(found({ containerID: 'kubelings://x', state: { terminated: { exitCode: 0 } } }))).toThrow('container not found ("app")');
  });
});

describe('the log query', () => {
  const q = (s: string) => new URLSearchParams(s);
  test('flags, tail, limit and since', () => {
    const o = logOptionsFrom(q('follow=true&tailLines=3&timestamps=true&limitBytes=10&sinceSeconds=5'), 1_000_000);
    expect(o).toMatchObject({ follow: true, tail: 3, timestamps: true, limitBytes: 10, since: BigInt(995_000) * 1_000_000n, previous: false });
    expect(logOptionsFrom(q('tailLines=-1')).tail, 'a negative tail means everything').toBeUndefined();
  });
  test('malformed values are refused with 400', () => {
    for (const bad of ['tailLines=abc', 'sinceSeconds=0', 'limitBytes=0', 'sinceSeconds=1&sinceTime=2024-01-01T00:00:00Z', 'sinceTime=yesterday']) {
      expect(() => logOptionsFrom(q(bad)), bad).toThrow();
    }
  });
});

describe('paths', () => {
  test('the four endpoints, decoded parts, anything else is not ours', () => {
    expect(parseStreamPath('/exec/ns/pod/c?command=ls')).toMatchObject({ endpoint: 'exec', parts: ['ns', 'pod', 'c'] });
    expect(parseStreamPath('/containerLogs/ns/p%20q/c')?.parts).toEqual(['ns', 'p q', 'c']);
    expect(parseStreamPath('/portForward/ns/pod')?.endpoint).toBe('portForward');
    expect(parseStreamPath('/pods')).toBeUndefined();
    expect(parseStreamPath('/execx/ns/pod/c')).toBeUndefined();
  });
  test('mountStreamHandlers mounts the four prefixes with an upgrade handler each', () => {
    const mounted: string[] = [];
    const streams = { handleRequest: () => true, handleUpgrade: () => true } as unknown as StreamHandlers;
    mountStreamHandlers({ mount: (prefix, _h, upgrade) => mounted.push(`${prefix}${upgrade ? '+upgrade' : ''}`) }, streams);
    expect(mounted).toEqual(['/containerLogs+upgrade', '/exec+upgrade', '/attach+upgrade', '/portForward+upgrade']);
  });
});

describe('SPDY/3 framing', () => {
  test('the dictionary is the spec\'s: 1,423 bytes, from "options" to "enq=0."', () => {
    expect(SPDY_DICTIONARY.length).toBe(1423);
    expect(SPDY_DICTIONARY.subarray(0, 11)).toEqual(Buffer.from([0, 0, 0, 7, ...Buffer.from('options')]));
    expect(SPDY_DICTIONARY.subarray(-6).toString()).toBe('enq=0.');
  });
  test('frames split however the bytes arrive', () => {
    const bytes = Buffer.concat([controlFrame(SYN_STREAM, 0, Buffer.alloc(12, 1)), dataFrame(3, 1, Buffer.from('hello'))]);
    const reader = new FrameReader();
    const frames = [...bytes].flatMap((b) => reader.push(Buffer.from([b])));
    expect(frames).toEqual([
      { control: true, type: SYN_STREAM, flags: 0, data: Buffer.alloc(12, 1) },
      { control: false, streamId: 3, flags: 1, data: Buffer.from('hello') },
    ]);
  });
  test('an oversized length or another SPDY version ends the session', () => {
    const huge = Buffer.from([0x80, 0x03, 0x00, 0x01, 0x00, 0xff, 0xff, 0xff]);
    expect(() => new FrameReader().push(huge)).toThrow('larger than');
    const v2 = Buffer.from([0x80, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]);
    expect(() => new FrameReader().push(v2)).toThrow('version 2');
  });
  test('header blocks: one compression context per direction across frames; a truncated block is refused', async () => {
    const client = new HeaderCodec();
    const server = new HeaderCodec();
    for (const headers of [
      { streamtype: 'error', port: '80', requestid: '0' },
      { streamtype: 'data', port: '80', requestid: '0' },
    ]) {
      expect(await server.decode(await client.encode(headers))).toEqual(headers);
    }
    client.close();
    server.close();
    expect(decodeHeaderBlock(encodeHeaderBlock({ Port: '8080' }))).toEqual({ port: '8080' });
    expect(() => decodeHeaderBlock(encodeHeaderBlock({ port: '8080' }).subarray(0, 10))).toThrow('ends early');
  });
});

/**
 * kubectl sends its stdin and the v5 close ([255, 0]) as soon as the upgrade is answered, while the
 * kubelet may still be starting the command (runtime.exec is async). Those messages must reach the
 * command: `kubectl cp` into a pod once extracted nothing, with exit 0, under load.
 */
describe('exec: the client speaks before the command has started', () => {
  /** A WebSocket stand-in: what the channel code uses of ws's WebSocket. */
  class FakeSocket extends EventEmitter {
    readonly OPEN = 1;
    readyState = 1;
    sent: Buffer[] = [];
    send(frame: Buffer, _options: unknown, done?: () => void) {
      this.sent.push(frame);
      done?.();
    }
    close() {
      if (this.readyState === 3) return;
      this.readyState = 3;
      this.emit('close');
    }
    terminate() {
      this.close();
    }
    pause() {}
    resume() {}
  }
  /** A runtime whose exec resolves only when the test says so, with a session the test can read. */
  const slowRuntime = () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let exit!: (code: number) => void;
    const killed: string[] = [];
    const session: ExecSession = {
      stdin,
      stdout,
      stderr: null,
      exited: new Promise((resolve) => (exit = (exitCode) => resolve({ exitCode }))),
      kill: () => {
        killed.push('SIGKILL');
        exit(137);
      },
      warnings: [],
    };
    let start!: () => void;
    const started = new Promise<void>((resolve) => (start = resolve));
    const runtime = { exec: async () => (await started, session) } as unknown as StreamRuntime;
    return { runtime, stdin, stdout, start, exit: (code: number) => exit(code), killed };
  };
  const frame = (channel: number, text: string | number[]) => Buffer.from([channel, ...(typeof text === 'string' ? Buffer.from(text) : text)]);

  test('stdin and its end sent early reach the command, in order', async () => {
    const ws = new FakeSocket();
    const { runtime, stdin, stdout, start, exit } = slowRuntime();
    const run = runExec(runtime, new ChannelSocket(ws as unknown as WebSocket, 'v5.channel.k8s.io'), 'c1', { stdin: true, stdout: true, stderr: false, tty: false }, ['tar', '-xf', '-']);
    ws.emit('message', frame(0, 'first '), true);
    ws.emit('message', frame(0, 'second'), true);
    ws.emit('message', frame(255, [0]), true);
    const read: Buffer[] = [];
    stdin.on('data', (chunk: Buffer) => read.push(chunk));
    const ended = new Promise((resolve) => stdin.once('end', resolve));
    start();
    await ended;
    expect(Buffer.concat(read).toString(), "the command's stdin").toBe('first second');
    stdout.end('done');
    exit(0);
    await run;
    expect(ws.sent.map((f) => [f[0], f.subarray(1).toString()])).toEqual([
      [1, 'done'],
      [3, JSON.stringify({ metadata: {}, status: 'Success' })],
    ]);
  });

  test('a client gone before the command started: the command is killed, not left waiting for input', async () => {
    const ws = new FakeSocket();
    const { runtime, stdin, stdout, start, killed } = slowRuntime();
    const run = runExec(runtime, new ChannelSocket(ws as unknown as WebSocket, 'v5.channel.k8s.io'), 'c1', { stdin: true, stdout: true, stderr: false, tty: false }, ['sh']);
    ws.close();
    start();
    stdout.end();
    await run;
    expect(killed).toEqual(['SIGKILL']);
    expect(stdin.writableEnded, "the command's stdin is ended").toBe(true);
  });
});
