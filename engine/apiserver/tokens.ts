/**
 * Static bearer tokens, as kube-apiserver's `--token-auth-file` (upstream:
 * k8s.io/apiserver/pkg/authentication/token/tokenfile): each token names one user. The apiserver
 * keeps one StaticTokens; `cluster up` fills it from the token file, and the cluster issues one
 * token per in-process component (the scheduler, the controller-manager, each hollow node).
 *
 *   const tokens = new StaticTokens();
 *   const token = tokens.issue({ username: 'system:kube-scheduler', groups: [] });
 *   tokens.authenticate(token)   // → { username: 'system:kube-scheduler', groups: ['system:authenticated'] }
 *
 * Invariants:
 * - a token is never compared as a string: the store keeps only its SHA-256 digest, and looking a
 *   token up hashes it and finds the digest. How long that lookup takes can at most reveal how
 *   much of a digest matched, and a digest cannot be steered byte by byte towards another (that
 *   would take a preimage), so timing says nothing about the token: the reason MACs, not secrets,
 *   are what one compares. The final check is crypto.timingSafeEqual on the two digests;
 * - every user the store returns is in `system:authenticated`, as upstream's authenticator adds it;
 * - a token is 1 to 1,024 printable ASCII characters without spaces, commas or quotes (so it can
 *   sit in an HTTP header and a CSV file unquoted); generateToken() makes 43 characters from 32
 *   random bytes.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ALL_AUTHENTICATED, type TokenAuthenticator, type UserInfo } from './auth.ts';

/** A token and the user it names (one line of a token file). */
export interface StaticToken {
  token: string;
  user: UserInfo;
}

/** Printable ASCII, no space; the quotes and the comma are refused apart. */
const TOKEN_SHAPE = /^[\x21-\x7e]{1,1024}$/;

/** True when `token` may be used as a bearer token (see the invariants above). */
export function isWellFormedToken(token: string): boolean {
  return TOKEN_SHAPE.test(token) && !/["',]/.test(token);
}

/** A new token: 32 bytes from the system's CSPRNG, base64url (43 characters). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

function digestOf(token: string): Buffer {
  return hash('sha256', token, 'buffer');
}

export class StaticTokens implements TokenAuthenticator {
  private readonly byDigest = new Map<string, { digest: Buffer; user: UserInfo }>();

  constructor(tokens: readonly StaticToken[] = []) {
    for (const { token, user } of tokens) this.add(token, user);
  }

  /** How many tokens the store knows. */
  get size(): number {
    return this.byDigest.size;
  }

  /** Makes `token` name `user` (a later add of the same token wins, as in upstream's file). */
  add(token: string, user: UserInfo): void {
    if (!isWellFormedToken(token)) throw new Error('a bearer token is 1 to 1,024 printable characters without spaces, commas or quotes');
    const groups = user.groups.includes(ALL_AUTHENTICATED) ? [...user.groups] : [...user.groups, ALL_AUTHENTICATED];
    const digest = digestOf(token);
    this.byDigest.set(digest.toString('base64'), { digest, user: Object.freeze({ ...user, groups: Object.freeze(groups) as string[] }) });
  }

  /** A fresh token for `user`, known from now on. */
  issue(user: UserInfo): string {
    const token = generateToken();
    this.add(token, user);
    return token;
  }

  authenticate(token: string): UserInfo | undefined {
    if (token.length > 1024) return undefined;
    const digest = digestOf(token);
    const entry = this.byDigest.get(digest.toString('base64'));
    return entry && timingSafeEqual(entry.digest, digest) ? entry.user : undefined;
  }
}
