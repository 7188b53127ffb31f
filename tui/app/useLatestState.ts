/**
 * useState whose current value can be read at once, also by a key handler running in the same
 * burst of input as the change (a terminal can deliver "↓ ↓ enter" in one read, and all three
 * keys are handled before React renders again).
 */
import { useCallback, useRef, useState } from 'react';

export function useLatestState<T>(initial: T | (() => T)): [T, (next: T | ((previous: T) => T)) => void, () => T] {
  const [value, setValue] = useState(initial);
  const latest = useRef(value);
  const set = useCallback((next: T | ((previous: T) => T)) => {
    latest.current = typeof next === 'function' ? (next as (previous: T) => T)(latest.current) : next;
    setValue(latest.current);
  }, []);
  const get = useCallback(() => latest.current, []);
  return [value, set, get];
}
