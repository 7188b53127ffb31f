// Types for spawn.js (plain JavaScript so that the bin shim can use it before tsx is registered).
import type { ChildProcess } from 'node:child_process';

export function spawnGraderChild(aliases?: { find: string; replacement: string }[]): ChildProcess;
export function prestartGraderChild(): void;
export function adoptPrestartedChild(): ChildProcess | undefined;
