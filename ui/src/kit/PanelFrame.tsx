// The side panel a member's, an invitation's or a community's details open in: labelled, closable
// with its × (which stays in view) or with Escape — from inside the panel, or from anywhere in
// its pane (focus usually stays on the row that opened it), unless a dialog or a field took it.
import { useEffect, useRef } from "react";
import { describe, HOTKEYS, matches } from "../hotkeys";
import { Hint } from "./Hint";

export function PanelFrame(props: { label: string; onClose: () => void; children: React.ReactNode; closeLabel?: string }) {
  const me = useRef<HTMLElement>(null);
  const close = useRef(props.onClose);
  close.current = props.onClose;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // The key is the registry's (`?` lists it); a hint or dialog that took it first keeps it.
      if (!matches(e, HOTKEYS.closePanel) || e.defaultPrevented || !me.current) return;
      const pane = me.current.closest(".pane");
      // With panes side by side, the focused pane's panel only.
      if (pane && !pane.classList.contains("focused")) return;
      const target = e.target as HTMLElement | null;
      // A field keeps its own Escape (a search box clears itself); elsewhere it closes the panel.
      if (target && target.closest("input, textarea, select") && !me.current.contains(target)) return;
      e.preventDefault();
      close.current();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  return (
    <aside className="side-panel" aria-label={props.label} ref={me}>
      <Hint text={<>Close <kbd>{describe(HOTKEYS.closePanel)}</kbd></>}>
        <button type="button" className="close" onClick={props.onClose} aria-label={props.closeLabel ?? "Close member details"} aria-keyshortcuts={describe(HOTKEYS.closePanel)}>
          ×
        </button>
      </Hint>
      <div className="side-panel-body">{props.children}</div>
    </aside>
  );
}
