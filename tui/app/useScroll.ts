/**
 * Scrolling state for a ScrollView: the offset, kept inside [0, total - height] as the text or the
 * window changes, and the keys that move it (↑↓ j k a line, space / b / PgDn / PgUp a screen,
 * Home / End the ends). `scrollKey` returns true when it used the key.
 */
import type { Key } from 'ink';
import { useCallback, useEffect, useState } from 'react';

export interface Scroll {
  offset: number;
  scrollTo(offset: number): void;
  scrollKey(input: string, key: Key): boolean;
}

export function clampOffset(offset: number, total: number, height: number): number {
  return Math.max(0, Math.min(offset, total - height));
}

export function useScroll(total: number, height: number): Scroll {
  const [offset, setOffset] = useState(0);
  useEffect(() => setOffset((o) => clampOffset(o, total, height)), [total, height]);
  const scrollTo = useCallback((o: number) => setOffset(clampOffset(o, total, height)), [total, height]);
  const scrollKey = useCallback(
    (input: string, key: Key): boolean => {
      const page = Math.max(1, height - 1);
      let delta: number | undefined;
      if (key.upArrow || input === 'k') delta = -1;
      else if (key.downArrow || input === 'j') delta = 1;
      else if (key.pageDown || input === ' ') delta = page;
      else if (key.pageUp || input === 'b') delta = -page;
      else if (key.home) delta = -total;
      else if (key.end) delta = total;
      if (delta === undefined) return false;
      const d = delta;
      setOffset((o) => clampOffset(o + d, total, height));
      return true;
    },
    [total, height],
  );
  return { offset, scrollTo, scrollKey };
}
