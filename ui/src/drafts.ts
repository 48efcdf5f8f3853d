// Unsent input (a pasted CSV, a half-made role change) outlives the component that shows it:
// closing a panel, switching tabs or a failed call must never lose what the user typed.
// Kept in memory for the session, keyed by account, workspace and what is being edited.
import { useCallback, useState } from "react";

const drafts = new Map<string, unknown>();

export function useDraft<T>(key: string, initial: () => T): [T, (next: T | ((prev: T) => T)) => void, () => void] {
  const [value, setValue] = useState<T>(() => (drafts.has(key) ? (drafts.get(key) as T) : initial()));
  const set = useCallback(
    (next: T | ((prev: T) => T)) =>
      setValue((prev) => {
        const v = typeof next === "function" ? (next as (p: T) => T)(prev) : next;
        drafts.set(key, v);
        return v;
      }),
    [key],
  );
  const clear = useCallback(() => {
    drafts.delete(key);
    setValue(initial());
  }, [key]); // eslint-disable-line react-hooks/exhaustive-deps
  return [value, set, clear];
}

/** For tests: start from a clean slate. */
export function clearDrafts() {
  drafts.clear();
}
