/**
 * Colours for text the app builds as strings (lines in a ScrollView): a chalk instance that is
 * plain when colours are off (tests, NO_COLOR, pipes).
 */
import { Chalk, type ChalkInstance } from 'chalk';

const instances = new Map<boolean, ChalkInstance>();

export function paint(color: boolean): ChalkInstance {
  let c = instances.get(color);
  if (!c) instances.set(color, (c = new Chalk({ level: color ? 1 : 0 })));
  return c;
}
