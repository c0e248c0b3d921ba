/** Keyboard shortcuts of the order list. Keys typed into a field are never shortcuts. */
export type ListShortcut =
  | 'focusSearch'
  | 'refresh'
  | 'nextPage'
  | 'prevPage'
  | 'approve'
  | 'hold'
  | 'release'
  | 'help';

export const LIST_SHORTCUTS: { key: string; action: ListShortcut }[] = [
  { key: '/', action: 'focusSearch' },
  { key: 'r', action: 'refresh' },
  { key: 'n', action: 'nextPage' },
  { key: 'p', action: 'prevPage' },
  { key: 'a', action: 'approve' },
  { key: 'h', action: 'hold' },
  { key: 'l', action: 'release' },
  { key: '?', action: 'help' },
];

export function shortcutFor(e: {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  targetTag?: string;
  /** The `type` of an input: a row's checkbox takes no text, so keys stay shortcuts there. */
  targetType?: string;
  editable?: boolean;
}): ListShortcut | null {
  if (e.ctrlKey || e.metaKey || e.altKey || e.editable) return null;
  const tag = (e.targetTag ?? '').toUpperCase();
  const choice = tag === 'INPUT' && ['checkbox', 'radio'].includes((e.targetType ?? '').toLowerCase());
  if ((tag === 'INPUT' && !choice) || tag === 'TEXTAREA' || tag === 'SELECT') return null;
  return LIST_SHORTCUTS.find((s) => s.key === e.key)?.action ?? null;
}
