// Every keyboard shortcut of the console, in one place: the help overlay and the handlers read
// this table, so a shortcut cannot be bound twice or documented wrong.
import { useEffect, useRef } from "react";

export type Hotkey = { key: string; mod?: boolean; shift?: boolean; label: string };

export const HOTKEYS = {
  palette: { key: "k", mod: true, label: "Open the command palette" },
  sync: { key: "r", mod: true, shift: true, label: "Sync now" },
  search: { key: "/", label: "Search members" },
  favourite: { key: "d", mod: true, label: "Pin or unpin the highlighted palette item" },
  nextPage: { key: "ArrowRight", mod: true, label: "Next page of members" },
  previousPage: { key: "ArrowLeft", mod: true, label: "Previous page of members" },
} as const satisfies Record<string, Hotkey>;

export type HotkeyId = keyof typeof HOTKEYS;

/** Does `e` press `h`? Ctrl on Linux and Windows, Cmd on macOS. */
export function matches(e: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "shiftKey" | "altKey">, h: Hotkey): boolean {
  const mod = e.ctrlKey || e.metaKey;
  if (Boolean(h.mod) !== mod || Boolean(h.shift) !== e.shiftKey || e.altKey) return false;
  return e.key.toLowerCase() === h.key.toLowerCase();
}

/** "Ctrl+Shift+R" for display. */
export function describe(h: Hotkey): string {
  return [h.mod ? "Ctrl" : null, h.shift ? "Shift" : null, h.key.length === 1 ? h.key.toUpperCase() : h.key].filter(Boolean).join("+");
}

/** Binds one registered shortcut for the lifetime of the component. Plain keys (no modifier)
 *  are ignored while the user types in a field. */
export function useHotkey(id: HotkeyId, handler: (e: KeyboardEvent) => void, enabled = true) {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    if (!enabled) return;
    const h: Hotkey = HOTKEYS[id];
    const listener = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLElement && e.target.closest("input, textarea, select, [contenteditable]") !== null;
      if (!h.mod && typing) return;
      if (matches(e, h)) {
        e.preventDefault();
        ref.current(e);
      }
    };
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, [id, enabled]);
}
