// Placeholder until exercise 03-quantities is written (being written now).
import { NotImplemented } from '#engine/errors.ts';
import type { Quantity } from '#engine/objects/types.ts';

const todo = (what: string) => new NotImplemented('00-objects/03-quantities', 'lessons/core/00-objects/05-quantities.md', what);
export function parseQuantity(text: string): Quantity { throw todo('parseQuantity()'); }
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 { throw todo('compareQuantities()'); }
export function addQuantities(a: Quantity, b: Quantity): Quantity { throw todo('addQuantities()'); }
export function formatQuantity(q: Quantity): string { throw todo('formatQuantity()'); }
export function milliValue(q: Quantity): number { throw todo('milliValue()'); }
export function value(q: Quantity): number { throw todo('value()'); }
