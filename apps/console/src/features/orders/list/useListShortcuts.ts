import { useEffect, useRef } from 'react';
import { type ListShortcut, shortcutFor } from '../shortcuts.ts';

/** Calls `onShortcut` for the list's keys, except while typing or while a dialog is open. */
export function useListShortcuts(onShortcut: (a: ListShortcut) => void) {
  const latest = useRef(onShortcut);
  latest.current = onShortcut;
  useEffect(() => {
    const h = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      const a = shortcutFor({
        key: e.key,
        ctrlKey: e.ctrlKey,
        metaKey: e.metaKey,
        altKey: e.altKey,
        targetTag: target?.tagName,
        targetType: (target as HTMLInputElement | null)?.type,
        editable: target?.isContentEditable,
      });
      if (!a || document.querySelector('.ant-modal-wrap:not([style*="display: none"])')) return;
      e.preventDefault();
      latest.current(a);
    };
    document.addEventListener('keydown', h);
    return () => document.removeEventListener('keydown', h);
  }, []);
}
