/**
 * What the operator has selected and focused, and how keys change it (pure): the terminal
 * layer only maps key names to actions and draws the result.
 */

export type FocusPanel = 'clusters' | 'members' | 'log';
export type Overlay = 'none' | 'help' | 'member';

export interface ViewState {
  focus: FocusPanel;
  clusterIndex: number;
  memberIndex: number;
  /** The member `enter` focused: the charts show only it and its detail box opens. */
  focusedMemberId?: string;
  overlay: Overlay;
  /** Lines scrolled back from the newest in the log (0 = follow). */
  logScroll: number;
}

export type ViewAction =
  | 'up'
  | 'down'
  | 'next-panel'
  | 'previous-panel'
  | 'enter'
  | 'escape'
  | 'help'
  | 'page-up'
  | 'page-down';

export const INITIAL_VIEW: ViewState = {
  focus: 'clusters',
  clusterIndex: 0,
  memberIndex: 0,
  overlay: 'none',
  logScroll: 0,
};

const PANEL_ORDER: FocusPanel[] = ['clusters', 'members', 'log'];

export interface ViewContext {
  clusterCount: number;
  memberIds: readonly string[];
  logLength: number;
}

/** Key names (as blessed reports them) to actions; `q`, Ctrl-C and `c` are the app's own. */
export const KEY_ACTIONS: Record<string, ViewAction> = {
  up: 'up',
  k: 'up',
  down: 'down',
  j: 'down',
  tab: 'next-panel',
  right: 'next-panel',
  'S-tab': 'previous-panel',
  left: 'previous-panel',
  // blessed reports Enter (\r) twice, as `return` and as `enter`: only one may act.
  enter: 'enter',
  linefeed: 'enter',
  escape: 'escape',
  '?': 'help',
  pageup: 'page-up',
  pagedown: 'page-down',
};

export function reduceView(state: ViewState, action: ViewAction, context: ViewContext): ViewState {
  // Any key closes an open overlay; `?` toggles help.
  if (state.overlay !== 'none') {
    if (action === 'help' && state.overlay !== 'help') return { ...state, overlay: 'help' };
    return action === 'escape' && state.overlay === 'member'
      ? withoutMemberFocus({ ...state, overlay: 'none' })
      : { ...state, overlay: 'none' };
  }
  switch (action) {
    case 'help':
      return { ...state, overlay: 'help' };
    case 'escape':
      return withoutMemberFocus(state);
    case 'next-panel':
    case 'previous-panel': {
      const step = action === 'next-panel' ? 1 : PANEL_ORDER.length - 1;
      const focus = PANEL_ORDER[(PANEL_ORDER.indexOf(state.focus) + step) % PANEL_ORDER.length];
      return { ...state, focus: focus ?? 'clusters' };
    }
    case 'up':
    case 'down':
    case 'page-up':
    case 'page-down':
      return move(state, action, context);
    case 'enter':
      if (state.focus === 'clusters') return { ...state, focus: 'members', memberIndex: 0 };
      if (state.focus === 'members') {
        const memberId = context.memberIds[state.memberIndex];
        return memberId === undefined
          ? state
          : { ...state, focusedMemberId: memberId, overlay: 'member' };
      }
      return { ...state, logScroll: 0 };
  }
}

function move(state: ViewState, action: ViewAction, context: ViewContext): ViewState {
  const delta = action === 'up' ? -1 : action === 'down' ? 1 : action === 'page-up' ? -10 : 10;
  if (state.focus === 'clusters') {
    const clusterIndex = clamp(state.clusterIndex + delta, context.clusterCount);
    if (clusterIndex === state.clusterIndex) return state;
    // Another cluster: its members are not the focused member's.
    return withoutMemberFocus({ ...state, clusterIndex, memberIndex: 0 });
  }
  if (state.focus === 'members')
    return { ...state, memberIndex: clamp(state.memberIndex + delta, context.memberIds.length) };
  // The log scrolls back in time with up.
  return { ...state, logScroll: Math.max(0, Math.min(context.logLength, state.logScroll - delta)) };
}

function withoutMemberFocus(state: ViewState): ViewState {
  const { focusedMemberId, ...rest } = state;
  return rest;
}

/** Keeps an index inside a list that may have shrunk since it was chosen. */
export function clamp(index: number, length: number): number {
  return length <= 0 ? 0 : Math.max(0, Math.min(length - 1, index));
}
