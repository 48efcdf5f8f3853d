// A small hover and focus hint, instead of a native `title`: WebKitGTK leaves a `title` tooltip
// ("Alt+I") on screen after the pointer has gone and over a dialog that opened meanwhile. This
// one shows after a short pause on hover or keyboard focus and goes away on pointer leave, blur,
// a press, Escape, any scroll, the window losing focus, and whenever a dialog opens over it.
import { cloneElement, useCallback, useEffect, useId, useRef, useState, type ReactElement, type ReactNode } from "react";
import { createPortal } from "react-dom";
import "./hint.css";

/** How long the pointer rests on (or focus stays on) a control before its hint shows. */
export const HINT_DELAY_MS = 350;

/** Every mounted hint's "hide", so a dialog opening hides them all at once. */
const live = new Set<() => void>();

/** Hides every hint on screen, and those about to show (the kit's Dialog calls it as it opens). */
export function hideHints() {
  for (const hide of live) hide();
}

/** Is a dialog open that `el` is not part of (a hint inside a dialog may show)? */
function dialogOver(el: Element | null): boolean {
  return [...document.querySelectorAll('[role="dialog"], [role="alertdialog"], [aria-modal="true"]')].some((d) => !el || !d.contains(el));
}

type Place = { left: number; top?: number; bottom?: number };

/** Below the control, or above it near the bottom of the window; kept inside the window. */
function placeFor(el: Element): Place {
  const r = el.getBoundingClientRect();
  const left = Math.max(4, Math.min(r.left, window.innerWidth - 320));
  return r.bottom + 80 > window.innerHeight && r.top > 80 ? { left, bottom: window.innerHeight - r.top + 6 } : { left, top: r.bottom + 6 };
}

/**
 * Wraps one focusable element (a button) and shows `text` next to it. The element keeps its own
 * props (`aria-keyshortcuts` included); while the hint shows, it is described by it. `toggle`
 * also shows and hides it on click (a glossary "?" that does nothing else).
 */
export function Hint(props: { text: ReactNode; children: ReactElement<{ "aria-describedby"?: string }>; toggle?: boolean }) {
  const id = useId();
  const anchor = useRef<HTMLSpanElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // Pressed with the pointer: no hint until the pointer has left (the focus a click gives is
  // not a reason to show one).
  const pressed = useRef(false);
  const [place, setPlace] = useState<Place | null>(null);
  const shown = place !== null;

  const target = () => anchor.current?.firstElementChild ?? null;
  const cancel = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
  };
  const hide = useCallback(() => {
    cancel();
    setPlace(null);
  }, []);
  const showNow = () => {
    cancel();
    const el = target();
    if (el && !dialogOver(el)) setPlace(placeFor(el));
  };
  const showSoon = () => {
    cancel();
    if (pressed.current && !props.toggle) return;
    timer.current = setTimeout(showNow, HINT_DELAY_MS);
  };

  useEffect(() => {
    live.add(hide);
    return () => {
      live.delete(hide);
      cancel();
    };
  }, [hide]);

  // While shown: Escape hides it (and only it: the panel or dialog behind stays open), as do a
  // scroll anywhere, the window losing focus, and a dialog appearing (the palette is not the
  // kit's Dialog, so the document is watched too).
  useEffect(() => {
    if (!shown) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.preventDefault();
      hide();
    };
    const watch = new MutationObserver(() => dialogOver(target()) && hide());
    watch.observe(document.body, { childList: true, subtree: true });
    window.addEventListener("keydown", onKey, true);
    window.addEventListener("scroll", hide, true);
    window.addEventListener("blur", hide);
    return () => {
      watch.disconnect();
      window.removeEventListener("keydown", onKey, true);
      window.removeEventListener("scroll", hide, true);
      window.removeEventListener("blur", hide);
    };
  }, [shown, hide]);

  const child = props.children;
  const described = [child.props["aria-describedby"], shown ? id : null].filter(Boolean).join(" ") || undefined;
  return (
    <span
      ref={anchor}
      className="hint-anchor"
      onPointerEnter={showSoon}
      onPointerLeave={() => {
        pressed.current = false;
        hide();
      }}
      onFocus={showSoon}
      onBlur={hide}
      onKeyDown={(e) => e.key === "Escape" && cancel()}
      onPointerDown={
        props.toggle
          ? undefined
          : () => {
              pressed.current = true;
              hide();
            }
      }
      onClick={props.toggle ? () => (shown ? hide() : showNow()) : undefined}
    >
      {cloneElement(child, { "aria-describedby": described })}
      {shown &&
        createPortal(
          <div role="tooltip" id={id} className="hint-tip" style={{ position: "fixed", left: place.left, top: place.top, bottom: place.bottom }}>
            {props.text}
          </div>,
          document.body,
        )}
    </span>
  );
}
