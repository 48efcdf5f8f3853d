// Every keyboard shortcut of the console, in one place: the help overlay and the handlers read
// this table, so a shortcut cannot be bound twice or documented wrong.
import { createContext, useContext, useEffect, useRef } from "react";

export type Hotkey = { key: string; mod?: boolean; shift?: boolean; alt?: boolean; label: string };

export const HOTKEYS = {
  palette: { key: "k", mod: true, label: "Open the command palette" },
  sync: { key: "r", mod: true, shift: true, label: "Sync now" },
  search: { key: "/", label: "Search members" },
  favourite: { key: "d", mod: true, label: "Pin or unpin the highlighted palette item" },
  nextPage: { key: "ArrowRight", mod: true, label: "Next page of members" },
  previousPage: { key: "ArrowLeft", mod: true, label: "Previous page of members" },
  tabOverview: { key: "1", alt: true, label: "Overview of the focused pane" },
  tabCommunities: { key: "2", alt: true, label: "Communities" },
  tabMembers: { key: "3", alt: true, label: "Members" },
  tabRoles: { key: "4", alt: true, label: "Roles" },
  tabKeys: { key: "5", alt: true, label: "API keys" },
  tabAudit: { key: "6", alt: true, label: "Audit log" },
  tabSettings: { key: "7", alt: true, label: "Workspace settings" },
  communities: { key: "c", alt: true, label: "Choose communities" },
  invite: { key: "i", alt: true, label: "Invite members" },
  changeRoles: { key: "r", label: "Change the roles of the member in the side panel" },
  closePanel: { key: "Escape", label: "Close the side panel" },
  split: { key: "\\", mod: true, label: "Open another pane side by side" },
  nextPane: { key: "F6", label: "Focus the next pane" },
  previousPane: { key: "F6", shift: true, label: "Focus the previous pane" },
  help: { key: "?", shift: true, label: "Show keyboard shortcuts" },
} as const satisfies Record<string, Hotkey>;

export type HotkeyId = keyof typeof HOTKEYS;

/** Does `e` press `h`? Ctrl on Linux and Windows, Cmd on macOS. */
export function matches(e: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "shiftKey" | "altKey"> & { code?: string }, h: Hotkey): boolean {
  const mod = e.ctrlKey || e.metaKey;
  if (Boolean(h.mod) !== mod || Boolean(h.alt) !== e.altKey) return false;
  // "?" is typed with Shift on most layouts: for printable symbols, the key itself decides.
  const symbol = h.key.length === 1 && !/[a-z0-9]/i.test(h.key);
  if (!symbol && Boolean(h.shift) !== e.shiftKey) return false;
  if (h.alt && "code" in e && typeof e.code === "string" && /^Digit\d$/.test(e.code)) return e.code === `Digit${h.key}`;
  return e.key.toLowerCase() === h.key.toLowerCase();
}

/** "Ctrl+Shift+R" for display. */
export function describe(h: Hotkey): string {
  return [h.mod ? "Ctrl" : null, h.alt ? "Alt" : null, h.shift ? "Shift" : null, h.key.length === 1 ? h.key.toUpperCase() : h.key].filter(Boolean).join("+");
}

/** Binds one registered shortcut for the lifetime of the component. Plain keys (no modifier)
 *  are ignored while the user types in a field. */
/** Whether the hotkeys of the tree below answer: off under a screen laid over them (the
 *  console kept mounted, with its panes' tabs, while another account signs in). */
export const HotkeysOn = createContext(true);

export function useHotkey(id: HotkeyId, handler: (e: KeyboardEvent) => void, enabled = true) {
  const ref = useRef(handler);
  ref.current = handler;
  const on = useContext(HotkeysOn);
  enabled = enabled && on;
  useEffect(() => {
    if (!enabled) return;
    const h: Hotkey = HOTKEYS[id];
    const listener = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLElement && e.target.closest("input, textarea, select, [contenteditable]") !== null;
      if (!h.mod && !h.alt && typing && !h.key.startsWith("F")) return;
      if (matches(e, h)) {
        e.preventDefault();
        ref.current(e);
      }
    };
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, [id, enabled]);
}
