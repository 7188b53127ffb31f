/**
 * Loads lesson packs from disk into the course model the CLI and TUI use.
 *
 * Every problem in a pack (bad YAML, a schema error, a missing page or suite) is collected with the
 * file, line and column it comes from, and the pack is reported as broken; the other packs still
 * load. The built-in pack is `lessons/core`; extra packs come from `--pack DIR` and from
 * KUBELINGS_PACKS (folders joined with the platform's path delimiter).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, delimiter, join, relative, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { ZodType } from 'zod';
import { CORE_PACK_DIR, ROOT } from '#engine/paths.ts';
import { outsideFolder } from './confine.ts';
import { lessonSchema, packSchema, type ExerciseEntry, type LessonFile, type QuizQuestion } from './schema.ts';

/** One problem found in a pack, located as precisely as the source allows. */
export interface PackIssue {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export interface Page {
  title: string;
  /** Absolute path of the Markdown file. */
  path: string;
  /** The file name as written in lesson.yaml. */
  file: string;
}

export interface Exercise {
  /** Qualified id, `<lesson>/<exercise>`, as the learner types it. */
  id: string;
  /** The id within its lesson, such as `01-selectors`. */
  localId: string;
  /** 1-based position in the lesson. */
  number: number;
  title: string;
  task: string;
  hints: string[];
  lessonId: string;
  packId: string;
  component: string;
  /** Absolute paths of the learner's file, the reference and the hidden suite. */
  file: string;
  solution: string;
  suite: string;
  /** The file as written in lesson.yaml, relative to exercises/ and solutions/. */
  relativeFile: string;
  /** The page to reread. */
  page: Page;
  /** Qualified ids of the earlier exercises this one builds on, as lesson.yaml's builds_on lists them. */
  buildsOn: string[];
}

export interface Lesson {
  id: string;
  title: string;
  component: string;
  summary: string;
  packId: string;
  dir: string;
  /** The pack's code folders (see Pack). */
  exercisesRoot: string;
  solutionsRoot: string;
  pages: Page[];
  quiz: QuizQuestion[];
  exercises: Exercise[];
  live?: LessonFile['live'];
}

export interface Pack {
  id: string;
  title: string;
  version: number;
  description: string;
  dir: string;
  exercisesRoot: string;
  solutionsRoot: string;
  suitesRoot: string;
  lessons: Lesson[];
}

/** A pack that could not be loaded, and why. */
export interface BrokenPack {
  dir: string;
  issues: PackIssue[];
}

export interface Course {
  packs: Pack[];
  broken: BrokenPack[];
}

export class PackLoadError extends Error {
  constructor(readonly issues: PackIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'PackLoadError';
  }
}

/** `file:line:column: message`, with the file relative to the project when it is inside it. */
export function formatIssue(issue: PackIssue): string {
  const rel = relative(process.cwd(), issue.file);
  const where = rel.startsWith('..') ? issue.file : rel || issue.file;
  const pos = issue.line ? `:${issue.line}${issue.column ? `:${issue.column}` : ''}` : '';
  return `${where}${pos}: ${issue.message}`;
}

/** The pack folders to load: the core pack, then KUBELINGS_PACKS, then `extra` (from --pack). */
export function packDirs(extra: readonly string[] = []): string[] {
  const fromEnv = (process.env.KUBELINGS_PACKS ?? '').split(delimiter).filter(Boolean);
  const dirs = [CORE_PACK_DIR, ...fromEnv, ...extra].map((d) => resolve(d));
  return [...new Set(dirs)];
}

/** Loads every pack; broken ones are listed in `broken` and the rest load normally. */
export function loadCourse(extraPackDirs: readonly string[] = []): Course {
  const course: Course = { packs: [], broken: [] };
  for (const dir of packDirs(extraPackDirs)) {
    try {
      const pack = loadPack(dir);
      const clash = course.packs.find((p) => p.id === pack.id);
      if (clash) throw new PackLoadError([{ file: join(dir, 'pack.yaml'), message: `pack id "${pack.id}" is already used by ${clash.dir}` }]);
      course.packs.push(pack);
    } catch (error) {
      const issues = error instanceof PackLoadError ? error.issues : [{ file: dir, message: String((error as Error).message ?? error) }];
      course.broken.push({ dir, issues });
    }
  }
  return course;
}

/** Loads and validates one pack, throwing a PackLoadError that lists every problem found. */
export function loadPack(dir: string): Pack {
  const packDir = resolve(dir);
  const packFile = join(packDir, 'pack.yaml');
  if (!existsSync(packFile)) {
    throw new PackLoadError([{ file: packDir, message: 'no pack.yaml here: is this a lesson pack? (npx kubelings pack new DIR makes one)' }]);
  }
  const issues: PackIssue[] = [];
  const meta = readYaml(packFile, packSchema, issues);
  if (!meta) throw new PackLoadError(issues);

  // The core pack keeps its code at the repository's top level; other packs inside their folder.
  const roots = {
    exercisesRoot: resolve(packDir, meta.code.exercises),
    solutionsRoot: resolve(packDir, meta.code.solutions),
    suitesRoot: resolve(packDir, meta.code.suites),
  };
  // A pack stays in its folder; the core pack's code is the project's own, at its top level.
  const boundary = packDir === resolve(CORE_PACK_DIR) ? ROOT : packDir;
  for (const [key, root] of [
    ['exercises', roots.exercisesRoot],
    ['solutions', roots.solutionsRoot],
    ['suites', roots.suitesRoot],
  ] as const) {
    const outside = outsideFolder(root, boundary, meta.code[key], boundary === ROOT ? 'the kubelings project' : 'the pack folder');
    if (outside) issues.push({ file: packFile, ...locate(packFile, ['code', key]), message: `code.${key}: ${outside}` });
  }
  if (issues.length > 0) throw new PackLoadError(issues);
  const pack: Pack = { id: meta.id, title: meta.title, version: meta.version, description: meta.description, dir: packDir, ...roots, lessons: [] };
  meta.lessons.forEach((lessonId, index) => {
    const lesson = loadLesson(pack, lessonId, index, issues);
    if (lesson) pack.lessons.push(lesson);
  });
  if (issues.length > 0) throw new PackLoadError(issues);
  return pack;
}

function loadLesson(pack: Pack, lessonId: string, index: number, issues: PackIssue[]): Lesson | undefined {
  const dir = join(pack.dir, lessonId);
  const file = join(dir, 'lesson.yaml');
  const outside = outsideFolder(dir, pack.dir, lessonId, 'the pack folder');
  if (outside) {
    issues.push({ file: join(pack.dir, 'pack.yaml'), ...locate(join(pack.dir, 'pack.yaml'), ['lessons', index]), message: `lesson ${outside}` });
    return undefined;
  }
  if (!existsSync(file)) {
    issues.push({ file: join(pack.dir, 'pack.yaml'), message: `lesson "${lessonId}" is listed but ${relative(pack.dir, file)} does not exist` });
    return undefined;
  }
  const data = readYaml(file, lessonSchema, issues);
  if (!data) return undefined;
  const located = (message: string, path: (string | number)[]): PackIssue => ({ file, ...locate(file, path), message });

  if (data.id !== lessonId) issues.push(located(`id "${data.id}" must match its folder name "${lessonId}"`, ['id']));
  const pages: Page[] = data.pages.map((p) => ({ title: p.title, file: p.file, path: join(dir, p.file) }));
  pages.forEach((p, i) => {
    const outside = outsideFolder(p.path, pack.dir, p.file, 'the pack folder');
    if (outside) issues.push(located(`pages[${i}].file: ${outside}`, ['pages', i, 'file']));
    else if (!isFile(p.path)) issues.push(located(`page ${p.file} does not exist in ${relative(pack.dir, dir)}/`, ['pages', i, 'file']));
  });

  const exercises = data.exercises.map((ex: ExerciseEntry, i): Exercise => {
    const exercise: Exercise = {
      id: `${lessonId}/${ex.id}`,
      localId: ex.id,
      number: i + 1,
      title: ex.title,
      task: ex.task,
      hints: ex.hints,
      lessonId,
      packId: pack.id,
      component: data.component,
      file: join(pack.exercisesRoot, ex.file),
      solution: join(pack.solutionsRoot, ex.file),
      suite: join(pack.suitesRoot, ex.suite),
      relativeFile: ex.file,
      page: pages.find((p) => p.file === ex.page) ?? pages[0]!,
      buildsOn: ex.builds_on.map((earlier) => `${lessonId}/${earlier}`),
    };
    for (const [what, path, key, root, rootName] of [
      ['exercise file', exercise.file, 'file', pack.exercisesRoot, "the pack's exercises folder"],
      ['reference file', exercise.solution, 'file', pack.solutionsRoot, "the pack's solutions folder"],
      ['hidden suite', exercise.suite, 'suite', pack.suitesRoot, "the pack's suites folder"],
    ] as const) {
      const outside = outsideFolder(path, root, ex[key], rootName);
      const said = issues.some((issue) => issue.message.startsWith(`exercises[${i}].${key}: `) && issue.file === file);
      if (outside && !said) issues.push(located(`exercises[${i}].${key}: ${outside}`, ['exercises', i, key]));
      else if (outside) continue;
      else if (!isFile(path)) issues.push(located(`${what} ${relative(ROOT, path)} does not exist`, ['exercises', i, key]));
    }
    return exercise;
  });
  if (exercises.length > 0) {
    for (const root of [pack.exercisesRoot, pack.solutionsRoot]) {
      const index = join(root, data.component, 'index.ts');
      if (!isFile(index)) issues.push(located(`component ${data.component} has no ${relative(ROOT, index)}`, ['component']));
    }
  }
  return {
    id: lessonId,
    title: data.title,
    component: data.component,
    summary: data.summary,
    packId: pack.id,
    dir,
    exercisesRoot: pack.exercisesRoot,
    solutionsRoot: pack.solutionsRoot,
    pages,
    quiz: data.quiz,
    exercises,
    live: data.live,
  };
}

/** Parses a YAML file and validates it, pushing located issues; undefined when anything is wrong. */
function readYaml<T>(file: string, schema: ZodType<T>, issues: PackIssue[]): T | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    issues.push({ file, message: `cannot be read: ${(error as Error).message}` });
    return undefined;
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const pos = e.linePos?.[0];
      const what = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      issues.push({ file, line: pos?.line, column: pos?.col, message: `YAML syntax: ${what}` });
    }
    return undefined;
  }
  const parsed = schema.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const base = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    // One issue per unknown key, located at the key itself.
    const located =
      issue.code === 'unrecognized_keys' ? issue.keys.map((k) => ({ path: [...base, k], message: `unknown key "${k}": is it misspelled?` })) : [{ path: base, message: readable(issue.message) }];
    for (const { path, message } of located) {
      const node = nearestNode(doc.contents as YamlNode | null, path, issue.code === 'unrecognized_keys');
      const pos = node?.range ? lineCounter.linePos(node.range[0]) : undefined;
      const field = path.length > 0 && issue.code !== 'unrecognized_keys' ? `${formatPath(path)}: ` : '';
      issues.push({ file, line: pos?.line, column: pos?.col, message: `${field}${message}` });
    }
  }
  return undefined;
}

/** zod's wording, made plain for instructors. */
function readable(message: string): string {
  if (/received undefined$/.test(message)) return 'is required';
  return message.replace(/^Invalid input: /, '');
}

/** The deepest YAML node along `path` (the key's value, or its parent when the key is missing). */
function nearestNode(root: YamlNode | null, path: (string | number)[], atKey = false): YamlNode | undefined {
  let node: YamlNode | null | undefined = root;
  let last: YamlNode | undefined = root ?? undefined;
  for (const [i, step] of path.entries()) {
    if (isMap(node)) {
      const pair: { key: unknown; value: unknown } | undefined = node.items.find((p) => isScalar(p.key) && p.key.value === step);
      if (!pair) return (node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step))?.key as YamlNode) ?? last;
      if (atKey && i === path.length - 1) return pair.key as YamlNode;
      node = (pair.value as YamlNode | null) ?? (pair.key as YamlNode);
    } else if (isSeq(node) && typeof step === 'number') {
      node = node.items[step] as YamlNode | undefined;
    } else {
      return last;
    }
    if (node) last = node;
  }
  return last;
}

/** `exercises[0].hints`, the way the path reads in the file. */
export function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Line and column of the node at `path` in a YAML file (1-based), for issues found after parsing. */
export function locate(file: string, path: (string | number)[]): { line?: number; column?: number } {
  try {
    const lineCounter = new LineCounter();
    const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter });
    const node = nearestNode(doc.contents as YamlNode | null, path);
    if (!node?.range) return {};
    const pos = lineCounter.linePos(node.range[0]);
    return { line: pos.line, column: pos.col };
  } catch {
    return {};
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Every exercise of every pack, in course order. */
export function allExercises(course: Course): Exercise[] {
  return course.packs.flatMap((p) => p.lessons.flatMap((l) => l.exercises));
}

/** Every lesson of every pack, in course order. */
export function allLessons(course: Course): Lesson[] {
  return course.packs.flatMap((p) => p.lessons);
}

/** What a learner's argument names: one exercise, or a whole lesson. */
export type Target = { kind: 'exercise'; exercise: Exercise; lesson: Lesson } | { kind: 'lesson'; lesson: Lesson };

/**
 * Finds what `name` names: `00-objects/01-selectors`, `core/00-objects/01-selectors`, a lesson id
 * (`00-objects`), or an unambiguous exercise id alone (`01-selectors`). Throws with the candidates
 * when it is unknown or ambiguous.
 */
export function findTarget(course: Course, name: string): Target {
  const wanted = name.replace(/\/+$/, '');
  const lessons = allLessons(course);
  const matches: Target[] = [];
  for (const lesson of lessons) {
    const qualified = `${lesson.packId}/${lesson.id}`;
    if (wanted === lesson.id || wanted === qualified) matches.push({ kind: 'lesson', lesson });
    for (const exercise of lesson.exercises) {
      if ([exercise.id, `${lesson.packId}/${exercise.id}`, exercise.localId].includes(wanted)) {
        matches.push({ kind: 'exercise', exercise, lesson });
      }
    }
  }
  if (matches.length === 1) return matches[0]!;
  const names = (ts: Target[]) => ts.map((t) => (t.kind === 'lesson' ? `${t.lesson.packId}/${t.lesson.id}` : `${t.lesson.packId}/${t.exercise.id}`));
  if (matches.length > 1) {
    throw new Error(`"${name}" could mean ${names(matches).join(' or ')}: write it in full.`);
  }
  const all = allExercises(course).map((e) => e.id);
  const close = all.filter((id) => id.includes(basename(wanted)) || wanted.includes(id.split('/')[1] ?? id)).slice(0, 3);
  throw new Error(`There is no lesson or exercise "${name}".` + (close.length ? ` Did you mean ${close.join(', ')}?` : ' Run npx kubelings list to see them all.'));
}
