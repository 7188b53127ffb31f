/**
 * Tail-following scrolling for a ScrollView (tailScroll.ts) with the page keys: space / PgDn and
 * b / PgUp a screen, Home / End the ends (End follows again). ↑↓ are left to the caller (the live
 * screen chooses commands with them). `scrollKey` returns true when it used the key.
 */
import type { Key } from 'ink';
import { useState } from 'react';
import { following, scrollTail, tailOffset } from './tailScroll.ts';

export interface TailScrollView {
  offset: number;
  scrollKey(input: string, key: Key): boolean;
  /** Back to the bottom, following (a new run starts). */
  follow(): void;
}

export function useTailScroll(total: number, height: number): TailScrollView {
  const [state, setState] = useState(following);
  const page = Math.max(1, height - 1);
  const scrollKey = (input: string, key: Key): boolean => {
    let delta: number | undefined;
    if (key.pageDown || input === ' ') delta = page;
    else if (key.pageUp || input === 'b') delta = -page;
    else if (key.home) delta = -total;
    else if (key.end) delta = total;
    if (delta === undefined) return false;
    const d = delta;
    setState((s) => scrollTail(s, d, total, height));
    return true;
  };
  return { offset: tailOffset(state, total, height), scrollKey, follow: () => setState(following) };
}
