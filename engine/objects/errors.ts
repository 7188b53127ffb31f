/**
 * The errors of the objects component: what a malformed label selector or resource quantity
 * throws. They are given (not exercises): the learner's code throws them, the suites check them,
 * and the apiserver turns them into `400 Bad Request` Status objects.
 *
 * Invariants:
 * - `position` is a 0-based index into `input`: the first character of the offending token, or
 *   `input.length` when the input ended too early;
 * - the message is built here from the fields, so every thrower words it the same way, after
 *   apimachinery's parser ("found ',', expected: identifier after ','"), plus where it happened.
 */
import { KubelingsError } from '../errors.ts';

/** What an error points at: a token's text, or `null` for the end of the input. */
export type Found = string | null;

/** Renders where in `input` something went wrong: the input, then a caret under `position`. */
export function pointAt(input: string, position: number): string {
  return `  ${input}\n  ${' '.repeat(Math.max(0, Math.min(position, input.length)))}^`;
}

function showFound(found: Found): string {
  return found === null ? 'end of string' : `'${found}'`;
}

/**
 * A structured LabelSelector that Kubernetes would refuse to convert (metav1.LabelSelectorAsSelector):
 * an unknown operator, `In`/`NotIn` without values, `Exists`/`DoesNotExist` with values.
 */
export class InvalidSelectorError extends KubelingsError {
  override name = 'InvalidSelectorError';
  /** Where in the selector, as a field path: `matchExpressions[1].values`. */
  readonly field: string;

  constructor(field: string, problem: string) {
    super(`invalid label selector: ${field}: ${problem}`);
    this.field = field;
  }
}

/** The string form of a label selector (`kubectl get -l ...`) could not be parsed. */
export class SelectorSyntaxError extends KubelingsError {
  override name = 'SelectorSyntaxError';
  /** The whole selector text as given. */
  readonly input: string;
  /** 0-based index of the offending token in `input` (`input.length` at the end). */
  readonly position: number;
  /** The offending token, or null when the text ended too early. */
  readonly found: Found;
  /** What would have been accepted there, in words: "',' or end of string". */
  readonly expected: string;

  constructor(input: string, position: number, found: Found, expected: string) {
    super(`unable to parse label selector "${input}": found ${showFound(found)} at position ${position}, ` + `expected: ${expected}\n${pointAt(input, position)}`);
    this.input = input;
    this.position = position;
    this.found = found;
    this.expected = expected;
  }
}

/** A resource quantity (`100m`, `1Gi`) that does not follow the grammar of resource.Quantity. */
export class InvalidQuantityError extends KubelingsError {
  override name = 'InvalidQuantityError';
  /** The text as given. */
  readonly input: string;
  /** 0-based index of the first character that does not fit (`input.length` at the end). */
  readonly position: number;
  /** The characters found there, or null when the text ended too early. */
  readonly found: Found;
  /** What would have been accepted there, in words. */
  readonly expected: string;

  constructor(input: string, position: number, found: Found, expected: string) {
    super(`"${input}" is not a quantity: found ${showFound(found)} at position ${position}, ` + `expected: ${expected}\n${pointAt(input, position)}`);
    this.input = input;
    this.position = position;
    this.found = found;
    this.expected = expected;
  }
}
