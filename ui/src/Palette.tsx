import { useEffect, useMemo, useRef, useState } from "react";
import { describe, HOTKEYS, matches } from "./hotkeys";
import { useDebounced } from "./kit/useDebounced";
import { itemId, searchPalette, type PaletteItem } from "./palette";

/** People are asked for once typing pauses this long (each account's cache is searched). */
const PEOPLE_DELAY_MS = 120;

/** Ctrl+K: jump to any workspace, community or person of any signed-in account by typing part
 *  of its name (or a person's email). */
export function Palette(props: {
  items: PaletteItem[];
  /** People matching a query, from every account's cache. */
  findPeople: (query: string) => Promise<PaletteItem[]>;
  /** The focused pane's account: its matches come first among equals. */
  here?: string;
  /** More than one account is signed in: each result names its account. */
  manyAccounts: boolean;
  favourites: string[];
  recents: string[];
  onPick: (item: PaletteItem) => void;
  onToggleFavourite: (id: string) => void;
  onClose: () => void;
}) {
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const [people, setPeople] = useState<{ query: string; items: PaletteItem[] }>({ query: "", items: [] });
  const input = useRef<HTMLInputElement>(null);
  const asked = useDebounced(query.trim(), PEOPLE_DELAY_MS);
  const { findPeople } = props;
  useEffect(() => {
    if (!asked) return setPeople({ query: "", items: [] });
    let live = true;
    findPeople(asked).then((items) => live && setPeople({ query: asked, items }), () => live && setPeople({ query: asked, items: [] }));
    return () => {
      live = false;
    };
  }, [asked, findPeople]);
  const all = useMemo(() => (people.items.length ? [...props.items, ...people.items] : props.items), [props.items, people.items]);
  const results = useMemo(() => searchPalette(all, query, props.favourites, props.recents, 50, props.here), [all, query, props.favourites, props.recents, props.here]);
  const lookingForPeople = query.trim() !== "" && people.query !== query.trim();
  useEffect(() => setActive(0), [query]);
  useEffect(() => input.current?.focus(), []);

  function onKey(e: React.KeyboardEvent) {
    if (e.key === "Escape") return props.onClose();
    if (e.key === "ArrowDown") { e.preventDefault(); setActive((a) => Math.min(a + 1, results.length - 1)); }
    if (e.key === "ArrowUp") { e.preventDefault(); setActive((a) => Math.max(a - 1, 0)); }
    if (e.key === "Enter" && results[active]) { e.preventDefault(); props.onPick(results[active]); }
    if (matches(e.nativeEvent, HOTKEYS.favourite) && results[active]) { e.preventDefault(); props.onToggleFavourite(itemId(results[active])); }
  }

  return (
    <div className="palette-backdrop" onMouseDown={props.onClose}>
      <div className="palette" role="dialog" aria-label="Command palette" onMouseDown={(e) => e.stopPropagation()}>
        <input
          ref={input}
          aria-label="Go to a workspace, community or person"
          placeholder="Go to a workspace, community or person…"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={onKey}
          aria-activedescendant={results[active] ? `pal-${active}` : undefined}
          aria-controls="palette-list"
        />
        <ul id="palette-list" role="listbox" aria-busy={lookingForPeople}>
          {results.length === 0 && (
            <li className="muted empty-row">
              {!query ? "Type to search; recents and pinned items show here." : lookingForPeople ? "Searching people…" : `Nothing matches “${query}”.`}
            </li>
          )}
          {results.map((r, i) => (
            <li
              id={`pal-${i}`}
              key={itemId(r)}
              role="option"
              aria-selected={i === active}
              className={i === active ? "active" : undefined}
              data-kind={r.kind}
              onMouseEnter={() => setActive(i)}
              onClick={() => props.onPick(r)}
            >
              <span className="kind">{r.kind}</span>
              <span className="label">{r.label}</span>
              {r.alt && r.alt !== r.label && <span className="muted alt">{r.alt}</span>}
              <span className="muted detail">{r.detail}</span>
              {props.manyAccounts && r.where && <span className="where small" title="Account and server">{r.where}</span>}
              {r.favourite && <span aria-label="pinned">★</span>}
            </li>
          ))}
        </ul>
        <p className="muted hint">↑↓ to move, Enter to open, {describe(HOTKEYS.favourite)} to pin, Esc to close</p>
      </div>
    </div>
  );
}
