// Small building blocks every view uses, so errors, empty states, dialogs and server-bound
// buttons look and behave the same everywhere.
import { useEffect, useId, useRef, type ReactNode } from "react";
import type { ClientError } from "../bindings/ClientError";
import { serverBlocked, usePane } from "../context";
import { hideHints } from "./Hint";

/** A failure in the server's (or client's) own words, with what to do next for the codes the UI acts on. */
export function ErrorNote({ error, onRetry }: { error: ClientError | null | undefined; onRetry?: () => void }) {
  if (!error) return null;
  return (
    <div role="alert" className={`error-note ${error.code}`}>
      <span>{error.message}</span>
      {error.code === "precondition_failed" && <span className="muted"> Someone changed this meanwhile; the view now shows their version.</span>}
      {onRetry && <button type="button" onClick={onRetry}>Try again</button>}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return <p className="loading" aria-busy="true">Loading {what}…</p>;
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/**
 * A button for an action that needs the server. While offline it is disabled and says why
 * (visibly, not only in a tooltip), so nobody wonders why nothing happens.
 */
export function ServerButton(props: React.ButtonHTMLAttributes<HTMLButtonElement> & { busy?: boolean; busyLabel?: string }) {
  const pane = usePane();
  const blocked = serverBlocked(pane);
  const { busy, busyLabel, children, disabled, title, ...rest } = props;
  return (
    <button {...rest} disabled={disabled || busy || blocked !== null} title={blocked ?? title} aria-disabled={disabled || busy || blocked !== null}>
      {busy ? (busyLabel ?? "Working…") : children}
    </button>
  );
}

/** Shown next to server actions when offline. */
export function OfflineReason() {
  const blocked = serverBlocked(usePane());
  return blocked ? <p className="muted small offline-reason" role="note">{blocked}</p> : null;
}

/** Open dialogs, innermost last: Escape closes the last. */
const open: (() => void)[] = [];
if (typeof window !== "undefined") {
  window.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && open.length > 0 && !e.defaultPrevented) {
      e.preventDefault();
      open[open.length - 1]();
    }
  });
}

/**
 * A modal dialog: focus moves in, Escape closes, focus returns to where it was. Its content is
 * kept by the caller's state, so closing on an error loses nothing.
 */
export function Dialog(props: { title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const id = useId();
  const box = useRef<HTMLDivElement>(null);
  const close = useRef(props.onClose);
  close.current = props.onClose;
  useEffect(() => {
    // No hint of the view behind ("Alt+I") stays on screen over the dialog.
    hideHints();
    const before = document.activeElement as HTMLElement | null;
    // The control the dialog names (`data-autofocus`: React's autoFocus leaves no attribute to
    // find), else its first field or button.
    const first =
      box.current?.querySelector<HTMLElement>("[data-autofocus]") ?? box.current?.querySelector<HTMLElement>("input, select, textarea, button:not(.close)");
    first?.focus();
    // Escape closes the topmost dialog wherever focus is (a button that just became disabled
    // drops focus to the page).
    const mine = () => close.current();
    open.push(mine);
    return () => {
      open.splice(open.indexOf(mine), 1);
      before?.focus?.();
    };
  }, []);
  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && props.onClose()}>
      <div
        ref={box}
        role="dialog"
        aria-modal="true"
        aria-labelledby={id}
        className={props.wide ? "dialog wide" : "dialog"}
      >
        <h2 id={id}>{props.title}</h2>
        <button type="button" className="close" aria-label="Close" onClick={props.onClose}>×</button>
        {props.children}
      </div>
    </div>
  );
}
