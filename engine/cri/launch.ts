/**
 * What a container runs: its argv and environment, from its image and its config.
 * - busybox runs the container's command and args as a container would (command, else args,
 *   else `sh`), the executable found on the container's PATH as exec does, so that
 *   `command: [sh, -c, "..."]` runs the machine's /bin/sh; a name not found fails the start as
 *   runc does (`executable file not found in $PATH`, StartError).
 * - the other images run their program with the same Node; a `command` must name the program
 *   (nginx's `nginx …`, `/docker-entrypoint.sh …`), since they cannot run anything else: anything
 *   else is refused at CreateContainer with a sentence pointing at busybox.
 * The environment is the image's, then the container's envs, then the runtime's own (pod address
 * and namespace, listen port, the container's folder, and the markers by which cleanupOrphans finds stray
 * processes), which the container cannot override.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import type { BuiltinImage } from '../images/catalog.ts';
import type { ImagePrograms } from '../images/bundle.ts';
import type { ContainerConfig, ListenAddress } from './api.ts';
import { CriError } from './errors.ts';
import { RUNTIME_ID_ENV } from './orphans.ts';
import { ANNOTATION_CONTAINER_PORTS } from './pod/configs.ts';
import { listenPort, type LowPorts } from './ports.ts';

export const CONTAINER_ID_ENV = 'KUBELINGS_CONTAINER_ID';

/** Throws at CreateContainer when the image cannot run what the config asks. */
export function checkRunnable(image: BuiltinImage, config: ContainerConfig): void {
  if (!image.program || !config.command || config.command.length === 0) return;
  const accepted = new Set([image.program, basename(image.defaultArgs[0] ?? image.program), 'docker-entrypoint.sh']);
  if (!accepted.has(basename(config.command[0]!))) {
    throw new CriError(
      'InvalidArgument',
      `image "${image.name}" is built into kubelings and runs only its own program, so it cannot run the command ${JSON.stringify(config.command)}; use the busybox image to run commands`,
    );
  }
}

/** The port a built-in program listens on: the container's first TCP port, else the image's default. */
export function listenAddressFor(image: BuiltinImage, config: ContainerConfig, podIP: string, lowPorts: LowPorts): ListenAddress | undefined {
  if (!image.program || image.defaultPort === undefined) return undefined;
  let containerPort = image.defaultPort;
  const declared = config.annotations?.[ANNOTATION_CONTAINER_PORTS];
  if (declared) {
    try {
      const ports = JSON.parse(declared) as { containerPort?: number; protocol?: string }[];
      const tcp = ports.find((p) => Number.isInteger(p.containerPort) && (p.protocol ?? 'TCP') === 'TCP');
      if (tcp) containerPort = tcp.containerPort!;
    } catch {
      // a malformed annotation: the image's default port
    }
  }
  return { ip: podIP, containerPort, port: listenPort(containerPort, lowPorts) };
}

/** `name` found on `pathVariable` as execvp would (a name with a slash is taken as it is). */
export function findExecutable(name: string, pathVariable: string, cwd: string): string | undefined {
  const executable = (file: string) => {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  };
  if (name.includes('/')) {
    const file = isAbsolute(name) ? name : join(cwd, name);
    return executable(file) ? file : undefined;
  }
  for (const dir of pathVariable.split(':')) {
    if (!dir) continue;
    const file = join(dir, name);
    if (executable(file)) return file;
  }
  return undefined;
}

export interface LaunchInputs {
  image: BuiltinImage;
  config: ContainerConfig;
  containerId: string;
  runtimeId: string;
  hostname: string;
  rootfs: string;
  workDir: string;
  podIP: string;
  /** The pod's namespace (the sandbox's metadata), for the built-in images that report it. */
  podNamespace: string;
  listen?: ListenAddress;
  programs: ImagePrograms;
}

/** The container's environment (see the header for the order). */
export function containerEnv(inputs: LaunchInputs): Record<string, string> {
  const env: Record<string, string> = { ...inputs.image.env, HOSTNAME: inputs.hostname, HOME: inputs.rootfs };
  // busybox's nslookup and wget are the engine's, which use the pod's DNS settings (engine/images/programs/resolver.ts).
  if (!inputs.image.program && inputs.programs.toolsBin && env.PATH) env.PATH = `${inputs.programs.toolsBin}:${env.PATH}`;
  for (const { key, value } of inputs.config.envs ?? []) env[key] = value;
  env.KUBELINGS_POD_IP = inputs.podIP;
  env.KUBELINGS_POD_NAMESPACE = inputs.podNamespace;
  env.KUBELINGS_ROOTFS = inputs.rootfs;
  env[CONTAINER_ID_ENV] = inputs.containerId;
  env[RUNTIME_ID_ENV] = inputs.runtimeId;
  if (inputs.listen) {
    env.KUBELINGS_LISTEN_PORT = String(inputs.listen.port);
    env.KUBELINGS_CONTAINER_PORT = String(inputs.listen.containerPort);
  }
  return env;
}

/** The argv to start; throws a StartError sentence when busybox's executable is not found. */
export function containerArgv(inputs: LaunchInputs, env: Record<string, string>): string[] {
  const { image, config } = inputs;
  if (!image.program) {
    const argv = config.command && config.command.length > 0 ? [...config.command, ...(config.args ?? [])] : config.args && config.args.length > 0 ? [...config.args] : [...image.defaultArgs];
    const file = findExecutable(argv[0]!, env.PATH ?? '', inputs.workDir);
    if (!file) throw new Error(`exec: "${argv[0]}": executable file not found in $PATH`);
    return [file, ...argv.slice(1)];
  }
  const args = config.command && config.command.length > 0 ? [...config.command.slice(1), ...(config.args ?? [])] : config.args ? [...config.args] : image.defaultArgs.slice(1);
  return [process.execPath, ...inputs.programs.launch(image.program).nodeArgs, ...args];
}
