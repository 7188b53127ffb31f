// Types for reap.js (plain JavaScript: it also runs in the grader's child, before tsx is loaded).
export const RUN_MARKER: string;
export interface ProcInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  session: number;
  start: number;
}
export function procInfo(pid: number): ProcInfo | undefined;
export function runProcesses(rootPid: number, marker: string, rootStart?: number): number[];
export function endRunProcesses(rootPid: number, marker: string, options?: { keep?: number[]; rootStart?: number; group?: boolean }): number[];
