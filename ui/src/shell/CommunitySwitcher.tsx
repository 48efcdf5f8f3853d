// Choose several communities at once; every view of the pane (members, overview, export) then
// covers just those. Type to narrow; Space toggles; Escape closes.
import { useMemo, useState } from "react";
import type { Community } from "../bindings/Community";
import { fuzzyScore } from "../palette";

const SHOWN = 200;

export function CommunitySwitcher(props: { communities: Community[]; selected: string[]; onChange: (ids: string[]) => void }) {
  const { communities, selected } = props;
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState("");
  const chosen = useMemo(() => new Set(selected), [selected]);
  const matching = useMemo(
    () => (q ? communities.filter((c) => fuzzyScore(q, `${c.name} ${c.slug}`) !== null) : communities),
    [communities, q],
  );
  const label =
    selected.length === 0
      ? `All communities (${communities.length})`
      : selected.length === 1
        ? (communities.find((c) => c.id === selected[0])?.name ?? "1 community")
        : `${selected.length} of ${communities.length} communities`;
  const toggle = (id: string) => props.onChange(chosen.has(id) ? selected.filter((s) => s !== id) : [...selected, id]);
  return (
    <div className="community-switcher" onKeyDown={(e) => e.key === "Escape" && (e.stopPropagation(), setOpen(false))}>
      <button type="button" aria-haspopup="listbox" aria-expanded={open} onClick={() => setOpen(!open)} aria-label={`Communities: ${label}`}>
        {label} ▾
      </button>
      {open && (
        <div className="popover" role="group" aria-label="Choose communities">
          <input type="search" autoFocus aria-label="Find a community" placeholder="Find a community" value={q} onChange={(e) => setQ(e.target.value)} />
          <div className="row small">
            <button type="button" onClick={() => props.onChange([])}>All</button>
            <button type="button" disabled={!q} onClick={() => props.onChange([...new Set([...selected, ...matching.map((c) => c.id)])])}>
              Select {matching.length} matching
            </button>
            <button type="button" onClick={() => setOpen(false)}>Done</button>
          </div>
          <ul role="listbox" aria-multiselectable="true" aria-label="Communities">
            {matching.slice(0, SHOWN).map((c) => (
              <li key={c.id} role="option" aria-selected={chosen.has(c.id)}>
                <label>
                  <input type="checkbox" checked={chosen.has(c.id)} onChange={() => toggle(c.id)} /> {c.name}
                  {c.settings && <span className="muted small"> {c.settings.region}</span>}
                </label>
              </li>
            ))}
          </ul>
          {matching.length > SHOWN && <p className="muted small">{matching.length - SHOWN} more; type to narrow.</p>}
          {matching.length === 0 && <p className="muted small">No community matches “{q}”.</p>}
        </div>
      )}
    </div>
  );
}
