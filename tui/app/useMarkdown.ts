/**
 * Rendered Markdown rows for a screen. The renderer (markdown.ts) is imported on first use and
 * shared; until it is there the hook returns undefined and the screen shows "…". Call
 * `loadMarkdown()` ahead of time (after the first frame, or in tests) to skip that wait.
 */
import { useEffect, useState } from 'react';
import { wrapPlain } from './wrapPlain.ts';

type MarkdownModule = typeof import('./markdown.ts');

let loaded: MarkdownModule | undefined;
let loading: Promise<MarkdownModule> | undefined;

export function loadMarkdown(): Promise<MarkdownModule> {
  loading ??= import('./markdown.ts').then((m) => (loaded = m));
  return loading;
}

/** Loads the renderer for a screen; if it cannot load, the screen keeps its plain text. */
function whenLoaded(then: () => void): void {
  loadMarkdown().then(then, () => {});
}

/** Renders Markdown to rows; until the renderer is loaded, plain wrapped text. */
export type MarkdownRows = (text: string, width: number) => string[];

/** A Markdown renderer for screens that render several texts (the quiz); plain until loaded. */
export function useMarkdownRows(): MarkdownRows {
  const [, setReady] = useState(loaded !== undefined);
  useEffect(() => {
    if (!loaded) whenLoaded(() => setReady(true));
  }, []);
  return loaded ? loaded.renderMarkdown : wrapPlain;
}

/** Rows of `text` rendered at `width` (as Markdown, or as code when `code` names a language). */
export function useMarkdown(text: string | undefined, width: number, code?: string): string[] | undefined {
  const [, setReady] = useState(loaded !== undefined);
  useEffect(() => {
    if (!loaded) whenLoaded(() => setReady(true));
  }, []);
  if (!loaded || text === undefined) return undefined;
  return code ? loaded.renderCode(text, width, code) : loaded.renderMarkdown(text, width);
}
