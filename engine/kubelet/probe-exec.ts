/**
 * Probe executors: run one probe of a container once and say what came of it, as upstream's
 * prober does (pkg/probe/http, pkg/probe/tcp, pkg/probe/exec, pkg/kubelet/prober/prober.go):
 * - httpGet: GET scheme://host:port/path (host defaults to the pod IP; a named port is looked up
 *   among the container's ports; HTTPS without certificate checks); success for 200-399, failure
 *   for any other code, with upstream's messages `HTTP probe failed with statuscode: 500`;
 *   redirects to another host count as success with a warning (upstream's ProbeWarning), the body
 *   is read up to KUBELET_PROBE_MAX_BODY_BYTES;
 * - tcpSocket: a TCP connection opens (and is closed at once);
 * - exec: ExecSync in the container with the probe's timeout; exit code 0 succeeds.
 * A probe that cannot run at all (the pod has no IP yet, an unknown named port) is a failure with
 * the reason, as upstream reports it; a timeout is a failure too.
 *
 * I/O only: when to probe and what a run of results means is the learner's probe worker logic.
 */
import { Agent, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import type { PodDialer, RuntimeService } from '../cri/api.ts';
import { CriError } from '../cri/errors.ts';
import type { Container } from '../kube/types.ts';
import { KUBELET_PROBE_MAX_BODY_BYTES } from '../params.ts';

export type ProbeResult = 'Success' | 'Failure' | 'Warning' | 'Unknown';

export interface ProbeOutcome {
  result: ProbeResult;
  /** What the kubelet puts in the Unhealthy event (`Liveness probe failed: ...`). */
  output: string;
  /** The container was no longer running: a failure, but no event (upstream's worker does not probe it). */
  notRunning?: boolean;
}

export interface ProbeSpec {
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: 'HTTP' | 'HTTPS'; httpHeaders?: { name: string; value: string }[] };
  tcpSocket?: { port: number | string; host?: string };
  exec?: { command?: string[] };
  grpc?: { port: number; service?: string };
  timeoutSeconds?: number;
}

/** The container port a probe's `port` names (a number, a numeric string, or a port name). */
export function resolveProbePort(port: number | string, container: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/** An agent whose one connection is made by `dial` (a new agent per probe: nothing is kept alive). */
function relayAgent(dial: PodDialer, host: string, port: number, https: boolean): Agent {
  const agent = new Agent({ keepAlive: false });
  if (https) (agent as unknown as { protocol: string }).protocol = 'https:'; // the TLS is added on the relay's socket below
  (agent as unknown as { createConnection: (options: unknown, made: (error: Error | null, socket?: Duplex) => void) => undefined }).createConnection = (_options, made) => {
    dial(host, port).then(
      (socket) => made(null, https ? tlsConnect({ socket, rejectUnauthorized: false }) : socket),
      (error: Error) => made(error),
    );
    return undefined;
  };
  return agent;
}

function httpProbe(spec: NonNullable<ProbeSpec['httpGet']>, host: string, port: number, timeoutMs: number, dial?: PodDialer): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const https = spec.scheme === 'HTTPS';
    const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
    for (const h of spec.httpHeaders ?? []) headers[h.name] = h.value;
    const path = spec.path ? (spec.path.startsWith('/') ? spec.path : `/${spec.path}`) : '/';
    const send = https ? httpsRequest : httpRequest;
    let settled = false;
    const done = (outcome: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    // Kernel mode: the request's connection comes from the node's relay (TLS on top of it for
    // HTTPS), through an agent of its own: a request's createConnection is ignored when it has one.
    const viaRelay = dial ? { agent: relayAgent(dial, host, port, https) } : {};
    const req = send({ host, port, path, method: 'GET', headers, agent: false, timeout: timeoutMs, ...(https ? { rejectUnauthorized: false } : {}), ...viaRelay }, (res) => {
      let size = 0;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        if (size < KUBELET_PROBE_MAX_BODY_BYTES) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        const body = Buffer.concat(chunks).subarray(0, KUBELET_PROBE_MAX_BODY_BYTES).toString('utf8');
        if (code >= 200 && code < 400) done({ result: code >= 300 ? 'Warning' : 'Success', output: code >= 300 ? `Probe terminated redirects, Response body: ${body}` : body });
        else done({ result: 'Failure', output: `HTTP probe failed with statuscode: ${code}` });
      });
      res.on('error', (e) => done({ result: 'Failure', output: e.message }));
    });
    const scheme = https ? 'https' : 'http';
    req.on('timeout', () => {
      req.destroy();
      done({ result: 'Failure', output: `Get "${scheme}://${host}:${port}${path}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    });
    req.on('error', (e: NodeJS.ErrnoException) =>
      done({ result: 'Failure', output: `Get "${scheme}://${host}:${port}${path}": dial tcp ${host}:${port}: ${e.code === 'ECONNREFUSED' ? 'connect: connection refused' : e.message}` }),
    );
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number, dial?: PodDialer): Promise<ProbeOutcome> {
  if (dial) {
    // Kernel mode: the pod's address exists only inside the node's namespace; the relay connects.
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ result: 'Failure', output: `dial tcp ${host}:${port}: i/o timeout` }), timeoutMs);
      dial(host, port).then(
        (socket) => {
          clearTimeout(timer);
          socket.destroy();
          resolve({ result: 'Success', output: '' });
        },
        (e: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          resolve({ result: 'Failure', output: `dial tcp ${host}:${port}: ${e.code === 'ECONNREFUSED' ? 'connect: connection refused' : e.message}` });
        },
      );
    });
  }
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ result: 'Failure', output: `dial tcp ${host}:${port}: i/o timeout` });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ result: 'Success', output: '' });
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ result: 'Failure', output: `dial tcp ${host}:${port}: ${e.code === 'ECONNREFUSED' ? 'connect: connection refused' : e.message}` });
    });
  });
}

async function execProbe(runtime: RuntimeService, containerId: string, command: string[], timeoutSeconds: number): Promise<ProbeOutcome> {
  try {
    const reply = await runtime.execSync({ containerId, cmd: command, timeout: timeoutSeconds });
    const output = Buffer.concat([Buffer.from(reply.stdout), Buffer.from(reply.stderr)]).toString('utf8');
    if (reply.exitCode === 0) return { result: 'Success', output };
    return { result: 'Failure', output: output || `command ${JSON.stringify(command.join(' '))} exited with ${reply.exitCode}` };
  } catch (error) {
    return { result: 'Failure', output: (error as Error).message, ...(error instanceof CriError && error.code === 'FailedPrecondition' ? { notRunning: true } : {}) };
  }
}

/**
 * Runs `probe` once against the container. `runtimePort` maps a container port to the port the
 * process really listens on (the runtime's low-port remap: nginx's 80 may listen on 10080).
 */
export async function runProbe(input: {
  probe: ProbeSpec;
  container: Container;
  podIP: string;
  containerId: string;
  runtime: RuntimeService;
  runtimePort?: (containerPort: number) => number;
}): Promise<ProbeOutcome> {
  const { probe, container, podIP } = input;
  const timeoutSeconds = Math.max(1, probe.timeoutSeconds ?? 1);
  const timeoutMs = timeoutSeconds * 1000;
  const map = input.runtimePort ?? ((p: number) => p);
  if (probe.exec) return execProbe(input.runtime, input.containerId, probe.exec.command ?? [], timeoutSeconds);
  if (probe.httpGet || probe.tcpSocket) {
    const target = (probe.httpGet ?? probe.tcpSocket)!;
    const port = resolveProbePort(target.port, container);
    if (port === undefined || port < 1 || port > 65535) return { result: 'Failure', output: `couldn't find port ${String(target.port)} in container ${container.name}` };
    const host = target.host || podIP;
    if (!host) return { result: 'Failure', output: 'the pod has no IP yet' };
    const dial = input.runtime.dialPod;
    return probe.httpGet ? httpProbe(probe.httpGet, host, map(port), timeoutMs, dial) : tcpProbe(host, map(port), timeoutMs, dial);
  }
  if (probe.grpc) return { result: 'Unknown', output: 'grpc probes are not served by kubelings' };
  return { result: 'Unknown', output: 'the probe names no handler (exec, httpGet, tcpSocket)' };
}
