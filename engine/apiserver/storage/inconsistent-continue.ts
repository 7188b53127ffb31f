/**
 * The "inconsistent" continue token of an expired list (k8s.io/apiserver/pkg/storage/etcd3/errors.go,
 * handleCompactedErrorForPaging): when the revision a continue token was made at has been
 * compacted, upstream answers 410 Expired and puts in the Status's `metadata.continue` a token for
 * the same start key at resourceVersion -1, which means "go on from that key, at the latest
 * revision". A client may use it to finish its list (knowing the pages may not be one snapshot) or
 * start again.
 *
 * The token has the wire format of every continue token (base64url of
 * `{"v":"meta.k8s.io/v1","rv":N,"start":"key"}`, storage.EncodeContinue). The learner's
 * decodeContinue (04-list-watch) reads tokens of one snapshot and refuses an rv that is not
 * positive, as its page says; the engine therefore recognises rv -1 itself, reads the store at its
 * latest revision and hands the learner's paginate an ordinary token at that revision.
 */

const TOKEN_VERSION = 'meta.k8s.io/v1';

/** The token that continues from `startKey` at the latest revision (rv -1). */
export function inconsistentContinueToken(startKey: string): string {
  return Buffer.from(JSON.stringify({ v: TOKEN_VERSION, rv: -1, start: startKey })).toString('base64url');
}

/** The start key of an rv -1 token; undefined for any other token (the learner's code reads those). */
export function inconsistentStartKey(token: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; rv?: unknown; start?: unknown };
    return t.v === TOKEN_VERSION && t.rv === -1 && typeof t.start === 'string' && t.start !== '' ? t.start : undefined;
  } catch {
    return undefined;
  }
}

/** An ordinary token for `startKey` at `revision`, for the learner's paginate to read. */
export function continueTokenAt(startKey: string, revision: number): string {
  return Buffer.from(JSON.stringify({ v: TOKEN_VERSION, rv: revision, start: startKey })).toString('base64url');
}

/** The message of the 410 that carries such a token (errors.go, inconsistentContinue). */
export const INCONSISTENT_CONTINUE_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';
