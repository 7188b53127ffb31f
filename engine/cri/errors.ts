/**
 * Errors of the runtime, carrying the gRPC status code a CRI runtime would answer with, so that the
 * kubelet can tell "not found" (already removed: fine) from a real failure, as it does upstream.
 * `message` is the text a person reads (it ends up in a pod's status message).
 */

/** The gRPC codes the runtime uses. */
export type CriErrorCode = 'NotFound' | 'InvalidArgument' | 'FailedPrecondition' | 'AlreadyExists' | 'DeadlineExceeded' | 'ResourceExhausted' | 'Unavailable' | 'Unknown';

export class CriError extends Error {
  override name = 'CriError';
  constructor(
    readonly code: CriErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** True when `error` is a CriError with this code. */
export function isCriError(error: unknown, code?: CriErrorCode): error is CriError {
  return error instanceof CriError && (code === undefined || error.code === code);
}

export function sandboxNotFound(id: string): CriError {
  return new CriError('NotFound', `an error occurred when try to find sandbox "${id}": not found`);
}

export function containerNotFound(id: string): CriError {
  return new CriError('NotFound', `an error occurred when try to find container "${id}": not found`);
}
