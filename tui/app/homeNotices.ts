/**
 * The notices on the home screen: a progress file that was set aside, and each lesson pack that
 * could not be loaded with its problems (file:line: message). The issue formatter is passed in, so
 * that the course loader (with yaml and zod) is loaded only when a pack is broken.
 */
import { showPath } from '../grader/explain.ts';
import type { Course, PackIssue } from '../course/load.ts';

export interface HomeNotice {
  /** What happened, one sentence. */
  title: string;
  /** One line per problem. */
  details: string[];
}

export function homeNotices(course: Course, progressWarning: string | undefined, formatIssue: (issue: PackIssue) => string): HomeNotice[] {
  return [
    ...(progressWarning ? [{ title: progressWarning, details: [] }] : []),
    ...course.broken.map((b) => ({
      title: `The lesson pack in ${showPath(b.dir)} could not be loaded; the other packs still work:`,
      details: b.issues.map(formatIssue),
    })),
  ];
}
