/**
 * What every screen receives from the shell: its size, whether it has the keyboard (not while the
 * help overlay is open), and the way to move elsewhere.
 */
import type { NavAction } from './navigation.ts';

export interface ScreenProps {
  /** Columns and rows the screen fills, footer included. */
  width: number;
  height: number;
  /** False while the help overlay is open: the screen must ignore keys. */
  active: boolean;
  navigate(action: NavAction): void;
}
