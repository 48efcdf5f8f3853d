import { useEffect, useState, type RefObject } from "react";

/** The element's width in CSS pixels as it changes; 0 until measured (or where the platform
 *  cannot measure, as in unit tests: callers treat 0 as "wide"). */
export function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [w, setW] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver((entries) => {
      const next = Math.round(entries[entries.length - 1].contentRect.width);
      setW((cur) => (cur === next ? cur : next));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return w;
}
