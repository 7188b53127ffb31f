/**
 * The `kubelings/crash` image: waits, then exits with a chosen code, to watch restarts and
 * CrashLoopBackOff. Arguments `--after=SECONDS` and `--exit-code=N` (or `--after 3`), else the
 * environment's CRASH_AFTER_SECONDS and CRASH_EXIT_CODE, else 5 seconds and code 1. A malformed
 * value is refused on stderr with exit code 2 (as a command-line tool does).
 */
function option(name: string, env: string, fallback: number): number {
  const args = process.argv.slice(2);
  let text: string | undefined = process.env[env];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) text = args[i + 1];
    else if (args[i]!.startsWith(`--${name}=`)) text = args[i]!.slice(name.length + 3);
  }
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    process.stderr.write(`kubelings/crash: --${name} must be a number at least 0, not "${text}"\n`);
    process.exit(2);
  }
  return value;
}

const after = option('after', 'CRASH_AFTER_SECONDS', 5);
const code = option('exit-code', 'CRASH_EXIT_CODE', 1);
if (!Number.isInteger(code) || code > 255) {
  process.stderr.write(`kubelings/crash: --exit-code must be a whole number from 0 to 255, not ${code}\n`);
  process.exit(2);
}
process.stdout.write(`kubelings/crash: started; exiting with code ${code} in ${after} s\n`);
setTimeout(() => {
  (code === 0 ? process.stdout : process.stderr).write(`kubelings/crash: exiting with code ${code}\n`);
  process.exit(code);
}, after * 1000);
