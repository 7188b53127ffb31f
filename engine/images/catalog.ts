/**
 * The built-in images: programs shipped in engine/images/ and run with the Node that runs
 * kubelings, named like the real images so that manifests from the Kubernetes documentation run
 * unchanged. A reference names a built-in image when its repository path, with a leading
 * `library/` dropped, is the image's name, whatever the registry, tag or digest
 * (`nginx:1.27`, `docker.io/library/nginx:latest`, `busybox@sha256:…`); digests are not verified.
 * Anything else is not pullable: there is no registry, and the pull fails as containerd's does
 * for a missing image, naming the built-in ones.
 *
 * Each image's config plays the part of an image's config blob: its environment, its default
 * port (the program listens there unless the container declares a port), and its stop signal
 * (nginx's Dockerfile says STOPSIGNAL SIGQUIT).
 */
import { createHash } from 'node:crypto';
import { parseImageReference, type ImageReference } from './reference.ts';

export interface BuiltinImage {
  /** What a manifest writes (`nginx`, `kubelings/echo`). */
  name: string;
  /** The program in engine/images/ that runs it; none for busybox, which runs the pod's command. */
  program?: 'nginx' | 'echo' | 'crash' | 'kv';
  /** The version the image reports (nginx's Server header). */
  version: string;
  /** The port it listens on when the container declares none. */
  defaultPort?: number;
  /** The image's environment (overridden by the container's). */
  env: Record<string, string>;
  /** What runs when the container gives no command and no args (documentation for busybox). */
  defaultArgs: string[];
  stopSignal: 'SIGTERM' | 'SIGQUIT';
  /** One line for `ListImages` and error messages. */
  description: string;
}

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const BUILTIN_IMAGES: readonly BuiltinImage[] = [
  {
    name: 'busybox',
    version: '1.37.0',
    env: { PATH },
    defaultArgs: ['sh'],
    stopSignal: 'SIGTERM',
    description: "runs the container's command and args (a shell for `sh -c`); with neither, `sh`, which exits at once",
  },
  {
    name: 'nginx',
    program: 'nginx',
    version: '1.27.3',
    defaultPort: 80,
    env: { PATH, NGINX_VERSION: '1.27.3' },
    defaultArgs: ['nginx', '-g', 'daemon off;'],
    stopSignal: 'SIGQUIT',
    description: 'a static web server: the nginx welcome page on its container port (80 unless the container declares another)',
  },
  {
    name: 'kubelings/echo',
    program: 'echo',
    version: '1.0.0',
    defaultPort: 8080,
    env: { PATH },
    defaultArgs: [],
    stopSignal: 'SIGTERM',
    description: "an HTTP server answering each request with the request and its pod's name and IP, as JSON (port 8080); GET /burn?ms=N first spends N ms of CPU (for the HPA)",
  },
  {
    name: 'kubelings/crash',
    program: 'crash',
    version: '1.0.0',
    env: { PATH },
    defaultArgs: [],
    stopSignal: 'SIGTERM',
    description: 'exits after a while with an exit code: args --after=SECONDS --exit-code=N (or env CRASH_AFTER_SECONDS, CRASH_EXIT_CODE; default 5 s, code 1)',
  },
  {
    name: 'kubelings/kv',
    program: 'kv',
    version: '1.0.0',
    defaultPort: 8080,
    env: { PATH, KV_DATA_DIR: '/data' },
    defaultArgs: [],
    stopSignal: 'SIGTERM',
    description: 'a key-value server: GET, PUT and DELETE /keys/<key>, GET /keys lists; data in its working folder (port 8080)',
  },
];

/** The image's ID (`sha256:…`), the same for every reference to it. */
export function imageId(image: BuiltinImage): string {
  return `sha256:${createHash('sha256').update(`kubelings-image ${image.name} ${image.version}`).digest('hex')}`;
}

/** The repository of the image's canonical name (`docker.io/library/nginx`). */
export function imageRepository(image: BuiltinImage): string {
  return parseImageReference(image.name).canonical.replace(/:latest$/, '');
}

/** `docker.io/library/nginx@sha256:…`: the digested reference a container reports as its imageRef. */
export function imageDigestRef(image: BuiltinImage): string {
  return `${imageRepository(image)}@sha256:${createHash('sha256')
    .update(`kubelings-manifest ${imageId(image)}`)
    .digest('hex')}`;
}

/** The built-in image a parsed reference names, if any. */
export function builtinFor(reference: ImageReference): BuiltinImage | undefined {
  const path = reference.path.replace(/^library\//, '');
  return BUILTIN_IMAGES.find((image) => image.name === path);
}

/** The built-in image an image ID or reference names (IDs as the kubelet passes them back). */
export function lookupImage(text: string): BuiltinImage | undefined {
  const byId = BUILTIN_IMAGES.find((image) => imageId(image) === text || imageId(image).slice(7) === text);
  if (byId) return byId;
  try {
    return builtinFor(parseImageReference(text));
  } catch {
    return undefined;
  }
}

/** The names of the built-in images, for messages: "busybox, nginx, kubelings/crash, …". */
export function builtinNames(): string {
  const names = BUILTIN_IMAGES.map((image) => image.name);
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** The pull error for a reference that names no built-in image, worded as containerd words a missing image. */
export function pullFailure(reference: ImageReference): string {
  return (
    `failed to pull and unpack image "${reference.canonical}": failed to resolve reference "${reference.canonical}": ${reference.canonical}: not found` +
    ` (kubelings pulls from no registry: its built-in images are ${builtinNames()}, with any tag, digest or registry name)`
  );
}
