// Types for spawn.js (plain JavaScript so that the bin shim can use it before tsx is registered).
import type { ChildProcess } from 'node:child_process';

/** The launching shell of a grader child, with what spawn.js records about it. */
export type GraderChild = ChildProcess & {
  kubelingsMarker?: string;
  kubelingsStart?: number;
  kubelingsReady?: boolean;
  /** The node process's own pid (the shell's child), once it said 'ready'. */
  kubelingsGraderPid?: number;
  /** Set when nothing but the launcher and grader ran since the last look (endStrays). */
  kubelingsQuiet?: boolean;
  kubelingsEnded?: boolean;
};

export function spawnGraderChild(aliases?: { find: string; replacement: string }[]): GraderChild;
export function endGraderChild(child: GraderChild): void;
export function endStrays(child: GraderChild): number[];
export function markBusy(child: GraderChild): void;
export function prestartGraderChild(): void;
export function adoptPrestartedChild(): GraderChild | undefined;
export function graderHeapLimitMb(): number;
