/**
 * Grade reports as a classroom CI reads them: JUnit XML (one <testsuite> per exercise, one
 * <testcase> per hidden test, the learner's words in each <failure>) and a JSON summary.
 *
 * Invariants: the XML is well formed whatever the learner's code printed or threw (text is
 * escaped, and characters XML 1.0 cannot hold are replaced); an exercise that failed as a whole
 * (it does not compile, it changed the grader) has a testcase "the exercise as a whole" saying
 * why, so a report never shows a failing exercise without a failing testcase.
 */
import type { Failure } from './explain.ts';
import type { ExerciseVerdict, GradeReport } from './grade.ts';

export interface SubmissionResult {
  /** Per graded lesson run. */
  reports: GradeReport[];
  /** Per exercise id: where its file came from, or why the stub stayed. */
  files: Record<string, { from?: string; skipped?: string }>;
}

function xml(text: string): string {
  return text
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function failureText(failure: Failure | undefined): { message: string; detail: string } {
  if (!failure) return { message: 'failed', detail: '' };
  if (failure.kind === 'assertion') {
    const lines = [
      failure.did && `did       ${failure.did}`,
      failure.expected !== undefined && `expected  ${failure.expected}`,
      failure.got !== undefined && `got       ${failure.got}`,
      failure.message,
    ];
    return { message: failure.did ? `${failure.did}: ${failure.message}` : failure.message, detail: lines.filter(Boolean).join('\n') };
  }
  return { message: failure.message, detail: failure.message };
}

function verdicts(result: SubmissionResult): ExerciseVerdict[] {
  return result.reports.flatMap((r) => r.exercises.filter((e) => e.role === 'target'));
}

export function junitXml(result: SubmissionResult): string {
  const exercises = verdicts(result);
  const tests = exercises.reduce((n, e) => n + Math.max(e.total, 1) + (e.problem && e.total > 0 ? 1 : 0), 0);
  const failures = exercises.reduce((n, e) => n + (e.total - e.passed) + (e.problem || e.total === 0 ? 1 : 0), 0);
  const out = [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuites name="kubelings" tests="${tests}" failures="${failures}">`];
  for (const e of exercises) {
    const cases: string[] = [];
    for (const t of e.tests) {
      const head = `    <testcase classname="${xml(e.exercise.id)}" name="${xml(t.fullName)}">`;
      if (t.passed) cases.push(`${head}</testcase>`);
      else {
        const { message, detail } = failureText(t.failure);
        const output = t.console.map((l) => l.content).join('');
        cases.push(
          `${head}\n      <failure message="${xml(message)}">${xml(detail + (t.hint ? `\nhint      ${t.hint}` : ''))}</failure>` +
            (output ? `\n      <system-out>${xml(output)}</system-out>` : '') +
            '\n    </testcase>',
        );
      }
    }
    const whole = e.problem ?? e.notWritten ?? (e.total === 0 ? 'The suite could not run.' : undefined);
    if (whole && (e.problem || e.total === 0)) {
      cases.push(`    <testcase classname="${xml(e.exercise.id)}" name="the exercise as a whole">\n      <failure message="${xml(whole.split('\n')[0]!)}">${xml(whole)}</failure>\n    </testcase>`);
    }
    const source = result.files[e.exercise.id];
    const count = cases.length;
    const failed = e.total - e.passed + (e.problem || e.total === 0 ? 1 : 0);
    out.push(`  <testsuite name="${xml(`${e.exercise.id} ${e.exercise.title}`)}" tests="${count}" failures="${failed}">`);
    if (source?.skipped) out.push(`    <properties><property name="file" value="${xml(source.skipped)}"/></properties>`);
    out.push(...cases, '  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

export function summaryJson(result: SubmissionResult, submission: string) {
  const exercises = verdicts(result);
  return {
    submission,
    seed: result.reports[0]?.seed,
    passed: exercises.filter((e) => e.ok).length,
    total: exercises.length,
    exercises: exercises.map((e) => ({
      id: e.exercise.id,
      title: e.exercise.title,
      ok: e.ok,
      passed: e.passed,
      total: e.total,
      problem: e.problem,
      notWritten: e.notWritten,
      file: result.files[e.exercise.id] ?? {},
      tests: e.tests.map((t) => ({ name: t.fullName, passed: t.passed, failure: t.failure, seed: t.seed })),
    })),
  };
}
