/**
 * The TUI's pure parts: navigation, the home rows, the quiz's arithmetic and wording, line
 * wrapping, the "see it live" text and which commands the probe checks.
 */
import { describe, expect, test } from 'vitest';
import { homeRows, lessonCounts, resumeRow, windowStart } from '../../tui/app/homeRows.ts';
import { liveMarkdown } from '../../tui/app/liveText.ts';
import { currentRoute, initialNav, navigate } from '../../tui/app/navigation.ts';
import { isDrawing, wrapCode } from '../../tui/app/codeWrap.ts';
import { renderMarkdown } from '../../tui/app/markdown.ts';
import { paint } from '../../tui/app/paint.ts';
import { kubelingsArgs } from '../../tui/app/probe.ts';
import { feedbackLines, scoreLines } from '../../tui/app/quizLines.ts';
import { firstUnanswered, isRight, score } from '../../tui/app/quizModel.ts';
import { splitVisible, wrapLines } from '../../tui/app/wrapLines.ts';
import { emptyProgress } from '../../tui/progress.ts';
import { fixtureCourse } from './helpers.tsx';

const course = fixtureCourse();
const lesson = course.packs[0]!.lessons[0]!;
const c = paint(false);

describe('navigation', () => {
  test('open pushes, back pops, back on Home asks to quit', () => {
    let nav = navigate(initialNav, { type: 'open', route: { screen: 'lesson', lesson: 'fixture/00-tally' } });
    nav = navigate(nav, { type: 'open', route: { screen: 'quiz', lesson: 'fixture/00-tally' } });
    expect(currentRoute(nav), 'after opening a lesson then its quiz').toEqual({ screen: 'quiz', lesson: 'fixture/00-tally' });
    nav = navigate(nav, { type: 'replace', route: { screen: 'exercise', lesson: 'fixture/00-tally', exercise: '00-tally/01-count' } });
    expect(nav.stack.length, 'replace keeps the depth').toBe(3);
    nav = navigate(navigate(nav, { type: 'back' }), { type: 'back' });
    expect(currentRoute(nav), 'two backs').toEqual({ screen: 'home' });
    expect(nav.quit, 'back to Home is not quitting').toBe(false);
    expect(navigate(nav, { type: 'back' }).quit, 'back on Home').toBe(true);
  });

  test('back closes the help before it leaves the screen', () => {
    const nav = navigate(navigate(initialNav, { type: 'open', route: { screen: 'lesson', lesson: 'x' } }), { type: 'help' });
    const after = navigate(nav, { type: 'back' });
    expect([after.help, currentRoute(after).screen], 'help open, then back').toEqual([false, 'lesson']);
  });
});

describe('home rows', () => {
  test('counts passes, and quiz answers right (not answers given: a wrong one scores nothing)', () => {
    const progress = emptyProgress();
    progress.exercises['00-tally/01-count'] = { attempts: 2, hintsRevealed: 0, passedAt: '2025-01-01T00:00:00Z' };
    progress.exercises['00-tally/02-winner'] = { attempts: 1, hintsRevealed: 1 };
    progress.quiz['00-tally'] = { ties: 1 };
    expect(lessonCounts(lesson, progress), 'one wrong answer').toEqual({ passed: 1, exercises: 2, right: 0, answered: 1, questions: 2 });
    progress.quiz['00-tally'] = { ties: 0, empty: 1 };
    expect(lessonCounts(lesson, progress), 'two right answers').toMatchObject({ right: 2, answered: 2 });
  });

  test('resume names the exercise, the quiz or the page the learner was on', () => {
    const progress = emptyProgress();
    expect(resumeRow(course, progress), 'no current place').toBeUndefined();
    progress.current = { lesson: '00-tally', screen: 'exercise', exercise: '00-tally/02-winner' };
    expect(resumeRow(course, progress)).toEqual({
      kind: 'resume',
      label: 'Counting votes › exercise 02-winner',
      route: { screen: 'exercise', lesson: 'fixture/00-tally', exercise: '00-tally/02-winner' },
    });
    progress.current = { lesson: '00-tally', screen: 'lesson' };
    progress.pages['00-tally'] = 1;
    expect(resumeRow(course, progress)?.kind === 'resume' && resumeRow(course, progress)).toMatchObject({ label: 'Counting votes › page 2' });
    progress.current = { lesson: 'gone-lesson', screen: 'quiz' };
    expect(resumeRow(course, progress), 'a lesson that no longer exists').toBeUndefined();
  });

  test('rows: resume, gap, the pack, its lessons', () => {
    const progress = emptyProgress();
    progress.current = { lesson: '00-tally', screen: 'quiz' };
    expect(homeRows(course, progress).map((r) => r.kind)).toEqual(['resume', 'gap', 'pack', 'lesson', 'lesson']);
  });

  test('the list window keeps the chosen row in view', () => {
    expect(windowStart(3, 5, 10), 'everything fits').toBe(0);
    expect(windowStart(0, 40, 10)).toBe(0);
    expect(windowStart(20, 40, 10)).toBe(15);
    expect(windowStart(39, 40, 10)).toBe(30);
  });
});

describe('quiz', () => {
  test('right answers, the first unanswered question and the score', () => {
    const [empty, ties] = lesson.quiz;
    expect([isRight(empty!, 1), isRight(empty!, 0)]).toEqual([true, false]);
    expect(firstUnanswered(lesson.quiz, {}), 'nothing answered').toBe(0);
    expect(firstUnanswered(lesson.quiz, { empty: 0 })).toBe(1);
    expect(firstUnanswered(lesson.quiz, { empty: 0, ties: 0 }), 'all answered').toBe(-1);
    expect(score(lesson.quiz, { empty: 1, ties: 1 })).toEqual({ right: 1, answered: 2, total: 2 });
    expect(ties).toBeDefined();
  });

  test('a wrong answer explains why, names the right one and gives the explanation', () => {
    expect(feedbackLines(lesson.quiz[1]!, 1, 60, c, renderMarkdown)).toEqual([
      'Two names have three votes each. Who wins?',
      '',
      '✗ Not quite. You chose: The first name in the list',
      '  Order of arrival decides nothing here.',
      '',
      'The answer: Nobody, it is a tie',
      '  The rules here crown nobody on a tie.',
      '',
      "Why: A tie has no winner in this lesson's rules.",
    ]);
  });

  test('the score lists every question with ✓, ✗ or · (not answered)', () => {
    expect(scoreLines(lesson.quiz, { empty: 1 }, 60, c, renderMarkdown)).toEqual([
      'Score: 1/2',
      'Reread the explanations of the ones you missed: press r to',
      'try again.',
      '',
      '✓ What does counting no votes give?',
      '· Two names have three votes each. Who wins?',
    ]);
  });
});

describe('wrapping', () => {
  test('list items and marked lines wrap under their text', () => {
    expect(wrapLines('  * one two three four five six', 16, true)).toEqual(['  * one two', '    three four', '    five six']);
    expect(wrapLines('✓ Right: the answer is long', 14, true)).toEqual(['✓ Right: the', '  answer is', '  long']);
    expect(wrapLines('plain words wrap at the width', 11)).toEqual(['plain words', 'wrap at the', 'width']);
  });

  test('escape codes count for nothing and stay with their text', () => {
    const red = '\x1b[31mred\x1b[39m';
    expect(splitVisible(`ab${red}`, 3)).toEqual(['ab\x1b[31mr', 'ed\x1b[39m']);
    expect(wrapLines(`${red} ${red}`, 3).length, 'two coloured words at width 3').toBe(2);
  });
});

describe('code blocks', () => {
  test('a long line with a comment continues under its comment marker', () => {
    const yaml = 'apiVersion: apps/v1     # API group/version (apps/v1, batch/v1; core kinds: v1)';
    expect(wrapCode(yaml, 60).split('\n')).toEqual(['apiVersion: apps/v1     # API group/version (apps/v1,', '                        # batch/v1; core kinds: v1)']);
  });

  test('other long lines continue two spaces deeper; short ones are left alone', () => {
    expect(wrapCode('  const ok = 1;\n  callSomething(alpha, beta, gamma, delta, epsilon)', 30).split('\n')).toEqual(['  const ok = 1;', '  callSomething(alpha, beta,', '    gamma, delta, epsilon)']);
  });

  test('a diagram or a table is never folded', () => {
    const table = 'node-a     100 → 300     75\nnode-b     100 → 300     90 and a long tail that does not fit';
    expect(isDrawing(table.split('\n')), 'aligned columns').toBe(true);
    expect(isDrawing(['┌──┐', '└──┘']), 'box drawing').toBe(true);
    expect(isDrawing(['kind: Pod     # a comment after aligned spaces']), 'a commented line').toBe(false);
    expect(wrapCode(table, 30)).toBe(table);
    expect(renderMarkdown(`\`\`\`\n${table}\n\`\`\``, 30).at(-1), 'its row, whole, for the screen to cut').toBe('  node-b     100 → 300     90 and a long tail that does not fit');
  });
});

describe('see it live', () => {
  const live = lesson.live!;
  test('introduces the step, and says plainly when the verb is not there yet', () => {
    const text = liveMarkdown(live, { available: false, reason: '"cluster up" is not available yet.' });
    expect(text).toContain('# Count live');
    expect(text).toContain('The engine counts the votes of a running cluster.');
    expect(text).toContain('✗ "cluster up" is not available yet.');
    expect(text).toContain('Keep the command for later');
  });

  test('while checking, and once the verb exists', () => {
    expect(liveMarkdown(live, undefined)).toContain('Checking whether it can run yet');
    expect(liveMarkdown(live, { available: true })).toContain('Choose a command above and press enter: it runs here');
  });

  test('only kubelings commands are probed', () => {
    expect(kubelingsArgs('npx kubelings cluster up --impl mine')).toEqual(['cluster', 'up', '--impl', 'mine']);
    expect(kubelingsArgs('kubectl get pods'), 'another program').toBeUndefined();
  });
});
