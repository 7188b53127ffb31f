/**
 * Every tunable of kubelings in one place, one comment each (after xv6's param.h).
 * Change a value here, never inline; tests that depend on one import it from here.
 */

/** Grader: wall-clock deadline for one exercise's hidden suite, in milliseconds. */
export const GRADE_DEADLINE_MS = 10_000;

/** Grader: extra time allowed for the test runner itself to start, in milliseconds. */
export const GRADE_STARTUP_ALLOWANCE_MS = 15_000;

/** Watch mode: quiet period after the last file event before re-grading, in milliseconds. */
export const WATCH_DEBOUNCE_MS = 150;

/** Progress: version of the `.kubelings/progress.json` format this code reads and writes. */
export const PROGRESS_VERSION = 1;
