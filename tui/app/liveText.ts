/**
 * The "see it live" step as Markdown: what the learner will see, the command, whether it can run
 * yet, and what to try afterwards. Pure, so the wording is tested apart from the screen.
 */
import type { Lesson } from '../course/load.ts';
import type { ProbeResult } from './probe.ts';

export function liveMarkdown(live: NonNullable<Lesson['live']>, probe: ProbeResult | undefined): string {
  const parts = [`# ${live.title}`, live.text.trim(), '**The command:**', fence(`$ ${live.command}`)];
  if (!probe) parts.push('*Checking whether it can run yet…*');
  else if (probe.available) parts.push('Run it in another terminal (running it from here comes in a later version), then come back.');
  else parts.push(`✗ ${probe.reason}`, 'Keep the command for later: this step works once the engine has that verb.');
  if (live.try.length > 0) parts.push('**Then try:**', fence(live.try.map((t) => `$ ${t}`).join('\n')));
  return `${parts.join('\n\n')}\n`;
}

function fence(text: string): string {
  return `\`\`\`sh\n${text}\n\`\`\``;
}
