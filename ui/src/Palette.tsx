import { useEffect, useMemo, useRef, useState } from "react";
import { describe, HOTKEYS, matches } from "./hotkeys";
import { searchPalette, type PaletteItem } from "./palette";

/** Ctrl+K: jump to any workspace or community by typing part of its name. */
export function Palette(props: {
  items: PaletteItem[];
  favourites: string[];
  recents: string[];
  onPick: (item: PaletteItem) => void;
  onToggleFavourite: (key: string) => void;
  onClose: () => void;
}) {
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const results = useMemo(() => searchPalette(props.items, query, props.favourites, props.recents), [props.items, query, props.favourites, props.recents]);
  useEffect(() => setActive(0), [query]);
  useEffect(() => input.current?.focus(), []);

  function onKey(e: React.KeyboardEvent) {
    if (e.key === "Escape") return props.onClose();
    if (e.key === "ArrowDown") { e.preventDefault(); setActive((a) => Math.min(a + 1, results.length - 1)); }
    if (e.key === "ArrowUp") { e.preventDefault(); setActive((a) => Math.max(a - 1, 0)); }
    if (e.key === "Enter" && results[active]) { e.preventDefault(); props.onPick(results[active]); }
    if (matches(e.nativeEvent, HOTKEYS.favourite) && results[active]) { e.preventDefault(); props.onToggleFavourite(results[active].key); }
  }

  return (
    <div className="palette-backdrop" onMouseDown={props.onClose}>
      <div className="palette" role="dialog" aria-label="Command palette" onMouseDown={(e) => e.stopPropagation()}>
        <input
          ref={input}
          aria-label="Go to workspace or community"
          placeholder="Go to a workspace or community…"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={onKey}
          aria-activedescendant={results[active] ? `pal-${active}` : undefined}
          aria-controls="palette-list"
        />
        <ul id="palette-list" role="listbox">
          {results.length === 0 && <li className="muted empty-row">{query ? `Nothing matches “${query}”.` : "Type to search; recents and pinned items show here."}</li>}
          {results.map((r, i) => (
            <li
              id={`pal-${i}`}
              key={r.key}
              role="option"
              aria-selected={i === active}
              className={i === active ? "active" : undefined}
              onMouseEnter={() => setActive(i)}
              onClick={() => props.onPick(r)}
            >
              <span className="kind">{r.kind}</span>
              <span className="label">{r.label}</span>
              <span className="muted detail">{r.detail}</span>
              {r.favourite && <span aria-label="pinned">★</span>}
            </li>
          ))}
        </ul>
        <p className="muted hint">↑↓ to move, Enter to open, {describe(HOTKEYS.favourite)} to pin, Esc to close</p>
      </div>
    </div>
  );
}
