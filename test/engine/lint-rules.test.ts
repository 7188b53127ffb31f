/**
 * The architecture rules are lint rules (eslint.config.js), and each one fires: a snippet that breaks
 * it, linted as if it sat at a path in the repository, gets the rule's message; the same snippet
 * where the rule allows it gets none. (`npm test` runs `eslint .` over the whole tree; this shows
 * the rules are not silently off.)
 */
import { ESLint } from 'eslint';
import { describe, expect, test } from 'vitest';
import { ROOT } from '#engine/paths.ts';

const eslint = new ESLint({ cwd: ROOT });

/** An import line of a learner tree, as ESLint input only (never run): `up` folders, then the tree. */
function importOf(name: string, up: number, tree: 'exercises' | 'solutions', component: string): string {
  return `import ${name} from '${'../'.repeat(up)}${tree}/${component}/index.ts';\nexport const x = ${name};\n`;
}

async function messages(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}/${file}` });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('the one door', () => {
  test('engine/ importing a learner tree directly is refused; engine/impl.ts may', async () => {
    const code = importOf('reference', 1, 'solutions', 'objects');
    expect(await messages(code, 'engine/somewhere.ts')).toEqual([expect.stringMatching(/^no-restricted-imports: .*The one door: load a component through engine\/impl\.ts/)]);
    expect(await messages(importOf('stub', 2, 'exercises', 'etcd'), 'tui/app/x.ts')).toEqual([expect.stringMatching(/The one door/)]);
    expect(await messages(code, 'engine/impl.ts')).toEqual([]);
  });

  test('a hidden suite takes its subject from #grading, not a tree', async () => {
    const code = importOf('subject', 3, 'solutions', 'etcd');
    expect(await messages(code, 'test/grading/etcd/99-x.test.ts')).toEqual([expect.stringMatching(/#grading/)]);
  });

  test('engine/ never imports tui/', async () => {
    const code = "import { run } from '../tui/cli.ts';\nexport const r = run;\n";
    expect(await messages(code, 'engine/x.ts')).toEqual([expect.stringMatching(/engine\/ never imports tui\//)]);
  });
});

describe('tunables live in engine/params.ts', () => {
  test('a literal delay in engine/ is refused; in params.ts, or named, it is not', async () => {
    expect(await messages('setInterval(() => {}, 250);\n', 'engine/hollow/x.ts')).toEqual([expect.stringMatching(/A delay is a tunable/)]);
    expect(await messages('import { T } from "../params.ts";\nsetTimeout(() => {}, T);\n', 'engine/hollow/x.ts')).toEqual([]);
    expect(await messages('setTimeout(() => {}, 0);\n', 'engine/hollow/x.ts'), 'a zero delay (next turn) is not a tunable').toEqual([]);
  });

  test('an exported limit or timeout outside params.ts is refused; a string constant is not', async () => {
    expect(await messages('export const WATCH_TIMEOUT_MS = 5000;\n', 'engine/apiserver/x.ts')).toEqual([expect.stringMatching(/A tunable lives in engine\/params\.ts/)]);
    expect(await messages('export const WATCH_TIMEOUT_MS = 5000;\n', 'engine/params.ts')).toEqual([]);
    expect(await messages("export const ANNOTATION_RESTART_COUNT = 'io.kubernetes.container.restartCount';\n", 'engine/cri/x.ts')).toEqual([]);
  });
});
