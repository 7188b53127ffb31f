/**
 * Scrolling that follows new output, as a terminal does: while the view is at the bottom, new
 * lines keep it at the bottom; scrolling up stops following (so what you read stays put while a
 * watch goes on printing), and scrolling back to the bottom follows again. Pure.
 */
import { clampOffset } from './useScroll.ts';

export interface TailScroll {
  /** The first line shown, when not following. */
  offset: number;
  /** Keep the last lines in view as more arrive. */
  follow: boolean;
}

export const following: TailScroll = { offset: 0, follow: true };

/** The first line shown for `total` lines in a window of `height`. */
export function tailOffset(s: TailScroll, total: number, height: number): number {
  return s.follow ? Math.max(0, total - height) : clampOffset(s.offset, total, height);
}

/** Moves by `delta` lines from what is shown now; reaching the bottom follows again. */
export function scrollTail(s: TailScroll, delta: number, total: number, height: number): TailScroll {
  const offset = clampOffset(tailOffset(s, total, height) + delta, total, height);
  return { offset, follow: offset >= total - height };
}
