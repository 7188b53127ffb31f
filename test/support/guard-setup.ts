/**
 * The grader's vitest setup file: loads the guard (guard.js) in the test worker before every
 * hidden suite, and so before the learner's module.
 *
 * The grader child tells vitest to leave guard.js to Node's own module loader (server.deps.external
 * in child.js), not to transform it: vite would keep a transformed copy in the on-disk transform
 * cache (a folder the learner's code can write), and transforming it afresh on every check costs
 * more than the whole guard. A file Node loads itself is only ever what is on disk, and the CLI
 * puts back any change a run makes to it (tamper.ts).
 */
import './guard.js';
