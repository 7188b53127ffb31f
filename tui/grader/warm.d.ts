// Types for warm.js (plain JavaScript so that the bin shim can use it before tsx is registered).

/** True when this command line should go through the warm grader. */
export function warmGraderWanted(argv: string[], env?: NodeJS.ProcessEnv, stdoutIsTTY?: boolean): boolean;
/** Runs the check through a warm server; the exit code, or undefined to check in this process. */
export function checkThroughWarmGrader(argv: string[]): Promise<number | undefined>;
/** This user's private folder for grader sockets, or why there is none. */
export function privateFolder(base?: string): { dir?: string; problem?: string };
/** Where the server for a check listens, or why there is none. */
export function socketFor(env?: NodeJS.ProcessEnv, cwd?: string): { path?: string; problem?: string };
/** Size, mtime and inode of every file under the folders (and the single files), by path. */
export function stampFiles(root: string, folders: string[], files?: string[]): Map<string, string>;
/** The paths whose stamp differs between two stampFiles results. */
export function changedStamps(before: Map<string, string>, after: Map<string, string>): string[];
export const ROOT: string;
export const PROTOCOL: number;
export const PROJECT_FOLDERS: string[];
export const PROJECT_FILES: string[];
/** Pids of the warm servers whose socket is under `folder` (for tests and the bench, which end them). */
export function warmServerPids(folder: string): number[];
