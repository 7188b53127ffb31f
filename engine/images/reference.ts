/**
 * Image references as docker and containerd read them (github.com/distribution/reference):
 * `[domain/]path[:tag][@digest]`, normalised the way the kubelet and containerd do before a pull:
 * no domain means docker.io, a one-component path on docker.io gets `library/`, no tag and no
 * digest means `:latest`. `nginx` → `docker.io/library/nginx:latest`.
 * Malformed references throw an "invalid reference format" error with the reason, as upstream's
 * parser words it (the kubelet reports these as InvalidImageName).
 */

export interface ImageReference {
  /** The registry host (docker.io when none was given). */
  domain: string;
  /** The repository path inside the registry (`library/nginx`). */
  path: string;
  tag?: string;
  /** `sha256:<64 hex>`. */
  digest?: string;
  /** The fully qualified reference (`docker.io/library/nginx:latest`, `…@sha256:…`). */
  canonical: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;

function invalid(reason?: string): Error {
  return new Error(reason ? `invalid reference format: ${reason}` : 'invalid reference format');
}

export function parseImageReference(reference: string): ImageReference {
  if (reference.length === 0 || reference.length > 4096 || /\s/.test(reference)) throw invalid();
  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid();
    if (digest.startsWith('sha256:') && !/^sha256:[0-9a-f]{64}$/.test(digest)) throw invalid();
  }
  let tag: string | undefined;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) throw invalid();
  }
  const parts = rest.split('/');
  let domain = 'docker.io';
  const first = parts[0]!;
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())) {
    if (!DOMAIN.test(first)) throw invalid();
    domain = first === 'index.docker.io' ? 'docker.io' : first;
    parts.shift();
  }
  if (parts.some((p) => p.length === 0)) throw invalid();
  if (domain === 'docker.io' && parts.length === 1) parts.unshift('library');
  const path = parts.join('/');
  if (path !== path.toLowerCase()) throw invalid(`repository name (${path}) must be lowercase`);
  if (parts.some((p) => !COMPONENT.test(p))) throw invalid();
  if (domain.length + 1 + path.length > 255) throw invalid('repository name must not be more than 255 characters');
  if (!tag && !digest) tag = 'latest';
  const canonical = `${domain}/${path}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  return { domain, path, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}), canonical };
}
