/**
 * What every built-in image program shares: where to listen and where its files are. The runtime
 * tells a program, through its environment:
 *   KUBELINGS_POD_IP        the pod's address (the program binds it, never 0.0.0.0);
 *   KUBELINGS_POD_NAMESPACE the pod's namespace (echo reports it when the manifest sets no POD_NAMESPACE);
 *   KUBELINGS_LISTEN_PORT   the port to bind (the container port, or that port moved above 1024
 *                           when the runtime may not bind low ports: see engine/cri/ports.ts);
 *   KUBELINGS_CONTAINER_PORT the port the pod spec asked for (for messages);
 *   KUBELINGS_ROOTFS        the container's folder: absolute paths the program uses (/data,
 *                           /usr/share/nginx/html) are taken inside it, as inside a container.
 * Programs import only node: modules, so that the bundle is small and starts fast.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join, normalize } from 'node:path';

export interface ListenAddress {
  host: string;
  port: number;
  containerPort: number;
}

export function listenAddress(defaultPort: number): ListenAddress {
  const port = Number(process.env.KUBELINGS_LISTEN_PORT ?? defaultPort);
  return {
    host: process.env.KUBELINGS_POD_IP ?? '127.0.0.1',
    port,
    containerPort: Number(process.env.KUBELINGS_CONTAINER_PORT ?? port),
  };
}

/** A path of the container's file system, inside its folder on the host. */
export function containerPath(path: string): string {
  const root = process.env.KUBELINGS_ROOTFS ?? process.cwd();
  return join(root, normalize(`/${path}`));
}

/** Prints a failure on stderr and exits with 1. */
export function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/**
 * Starts an HTTP server on the pod's address; resolves once it listens. Ends the process with a
 * clear message when the address cannot be bound.
 */
export function serveHttp(address: ListenAddress, handler: (req: IncomingMessage, res: ServerResponse) => void, name: string): Promise<Server> {
  const server = createServer(handler);
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'EACCES'
          ? `permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)`
          : error.code === 'EADDRINUSE'
            ? 'the address is already in use'
            : error.code === 'EADDRNOTAVAIL'
              ? 'the address is not configured on this machine'
              : error.message;
      fail(`${name}: cannot listen on ${address.host}:${address.port}: ${why}`);
    });
    server.listen({ host: address.host, port: address.port }, () => resolve(server));
  });
}

/** Closes the server and exits with `code` on each of `signals`. */
export function exitOn(server: Server | undefined, signals: NodeJS.Signals[], onSignal: (signal: NodeJS.Signals) => void, code = 0): void {
  for (const signal of signals) {
    process.on(signal, () => {
      onSignal(signal);
      server?.close();
      server?.closeAllConnections();
      process.exit(code);
    });
  }
}

/** The body of a request, at most `limit` bytes (undefined when larger). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
