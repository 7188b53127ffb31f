/**
 * ink's useInput with a handler that is always the latest one. useInput re-subscribes a new
 * handler only after React's passive effects run, so a key typed right after another (key repeat,
 * a fast typist, a test) could reach a handler that still sees the state from before the first
 * key; here every key sees the state of the last render.
 */
import { useInput, type Key } from 'ink';
import { useCallback, useRef } from 'react';

export function useKeys(handler: (input: string, key: Key) => void, active = true): void {
  const latest = useRef(handler);
  latest.current = handler;
  const stable = useCallback((input: string, key: Key) => latest.current(input, key), []);
  useInput(stable, { isActive: active });
}
