/**
 * Where the learner is in the TUI: a stack of routes (Home at the bottom) and whether the help
 * overlay is open. A pure reducer, so every flow can be tested without rendering.
 *
 * Invariants: the stack is never empty and its first route is Home; `back` on Home asks to quit
 * (`quit: true`) instead of popping it.
 */

/** One screen and what it shows. Lessons are named by their key (`<pack>/<lesson>`). */
export type Route =
  { screen: 'home' } | { screen: 'lesson'; lesson: string } | { screen: 'live'; lesson: string } | { screen: 'quiz'; lesson: string } | { screen: 'exercise'; lesson: string; exercise: string };

export type ScreenName = Route['screen'];

export interface NavState {
  stack: Route[];
  help: boolean;
  /** Set when the learner asked to leave the TUI. */
  quit: boolean;
}

export type NavAction = { type: 'open'; route: Route } | { type: 'replace'; route: Route } | { type: 'back' } | { type: 'home' } | { type: 'help'; open?: boolean };

export const initialNav: NavState = { stack: [{ screen: 'home' }], help: false, quit: false };

export function navigate(state: NavState, action: NavAction): NavState {
  switch (action.type) {
    case 'open':
      return { ...state, help: false, stack: [...state.stack, action.route] };
    case 'replace':
      return { ...state, help: false, stack: [...state.stack.slice(0, -1), action.route] };
    case 'back':
      if (state.help) return { ...state, help: false };
      if (state.stack.length === 1) return { ...state, quit: true };
      return { ...state, stack: state.stack.slice(0, -1) };
    case 'home':
      return { ...state, help: false, stack: state.stack.slice(0, 1) };
    case 'help':
      return { ...state, help: action.open ?? !state.help };
  }
}

/** The route on top of the stack: what is on screen. */
export function currentRoute(state: NavState): Route {
  return state.stack[state.stack.length - 1]!;
}
