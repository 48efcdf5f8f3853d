// The comparison as one table: a row per person, each side's workspace role and community roles
// (what differs marked), filtered by status chips and by text. The people who are the same on
// both sides are hidden until asked for. Long comparisons render only the rows in view.
import { useVirtualizer } from "@tanstack/react-virtual";
import { useMemo, useRef, useState } from "react";
import type { CompareRow } from "../bindings/CompareRow";
import type { CompareStatus } from "../bindings/CompareStatus";
import type { Comparison } from "../bindings/Comparison";
import type { SideRoles } from "../bindings/SideRoles";
import { counted, formatNumber } from "../format";
import { DEFAULT_SHOWN, filterRows, STATUSES, statusWord } from "./shape";

/** Below this many rows everything is rendered; above it, only what is in view. */
export const VIRTUALIZE_ABOVE = 60;
const LINE = 19;
const COLUMNS = 7;
/** A row's height: a line per role of its longer side (at least two, for name and email), so
 *  the rows in view are known without measuring them (styles keep every line one high). */
export const rowHeight = (r: CompareRow) => 9 + LINE * Math.max(2, r.left?.roles.length ?? 0, r.right?.roles.length ?? 0);

const countOf = (c: Comparison, s: CompareStatus) =>
  s === "only_left" ? c.only_left : s === "only_right" ? c.only_right : s === "differ" ? c.differing : c.same;

export function CompareTable({ comparison: c, left: L, right: R }: { comparison: Comparison; left: string; right: string }) {
  const [shown, setShown] = useState<ReadonlySet<CompareStatus>>(() => new Set(DEFAULT_SHOWN));
  const [text, setText] = useState("");
  const rows = useMemo(() => filterRows(c.rows, shown, text), [c.rows, shown, text]);
  const toggle = (s: CompareStatus) =>
    setShown((old) => {
      const next = new Set(old);
      if (next.has(s)) next.delete(s);
      else next.add(s);
      return next;
    });

  const scroller = useRef<HTMLDivElement>(null);
  const virtual = rows.length > VIRTUALIZE_ABOVE;
  const v = useVirtualizer({
    count: virtual ? rows.length : 0,
    getScrollElement: () => scroller.current,
    estimateSize: (i) => rowHeight(rows[i]),
    overscan: 10,
    initialRect: { width: 900, height: 480 },
  });
  const items = virtual ? v.getVirtualItems() : [];
  const before = virtual && items.length ? items[0].start : 0;
  const after = virtual && items.length ? v.getTotalSize() - items[items.length - 1].end : 0;
  const visible: { row: CompareRow; index: number }[] = virtual ? items.map((i) => ({ row: rows[i.index], index: i.index })) : rows.map((row, index) => ({ row, index }));
  const hiddenSame = !shown.has("same") && c.same > 0;

  return (
    <div className="cmp-table">
      <div className="cmp-filters">
        <div role="group" aria-label="Show people by status" className="cmp-chips">
          {STATUSES.map((s) => (
            <button
              key={s}
              type="button"
              className={`cmp-chip cmp-${s}`}
              aria-pressed={shown.has(s)}
              title={s === "same" ? "People with the same workspace role and roles on both sides (hidden unless chosen)" : undefined}
              onClick={() => toggle(s)}
            >
              {statusWord(s, L, R)} <span className="cmp-chip-n">{formatNumber(countOf(c, s))}</span>
            </button>
          ))}
        </div>
        <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="Email, name or role" aria-label="Filter people in the comparison" />
        <span className="muted small" aria-live="polite">
          {formatNumber(rows.length)} of {counted(c.rows.length, "person", "people")} shown
        </span>
      </div>
      {rows.length === 0 ? (
        <p className="empty">
          {c.rows.length === 0 ? "Nobody on either side." : "Nobody matches these filters."}{" "}
          {hiddenSame && (
            <button type="button" className="link" onClick={() => toggle("same")}>
              Show the {counted(c.same, "person", "people")} with the same roles
            </button>
          )}
        </p>
      ) : (
        <div className="cmp-scroll" ref={scroller} tabIndex={0} aria-label="Comparison, scrollable">
          <table aria-label="People compared" aria-rowcount={rows.length + 2}>
            <thead>
              <tr>
                <th scope="col" rowSpan={2}>Person</th>
                <th scope="col" rowSpan={2}>Status</th>
                <th scope="colgroup" colSpan={2} className="cmp-side">{L}</th>
                <th scope="colgroup" colSpan={2} className="cmp-side">{R}</th>
              </tr>
              <tr>
                <th scope="col">Workspace role</th>
                <th scope="col">Roles</th>
                <th scope="col">Workspace role</th>
                <th scope="col">Roles</th>
              </tr>
            </thead>
            <tbody>
              {before > 0 && (
                <tr aria-hidden className="cmp-spacer">
                  <td colSpan={COLUMNS} style={{ height: before }} />
                </tr>
              )}
              {visible.map(({ row, index }) => (
                <tr key={row.email} style={virtual ? { height: rowHeight(row) } : undefined} aria-rowindex={index + 3} className={`cmp-row cmp-${row.status}`}>
                  <th scope="row" className="cmp-person">
                    <div>{row.display_name || <em className="muted">Invited</em>}</div>
                    <div className="muted small">{row.email}</div>
                  </th>
                  {/* The side columns are headed by their names: the cell says which, briefly. */}
                  <td className="cmp-status" title={statusWord(row.status, L, R)}>{statusWord(row.status, "left", "right").replace(/^Only in (left|right)$/, (_, s: string) => `${s[0].toUpperCase()}${s.slice(1)} only`)}</td>
                  <SideCells side={row.left} other={row.right} only={row.only_left} />
                  <SideCells side={row.right} other={row.left} only={row.only_right} />
                </tr>
              ))}
              {after > 0 && (
                <tr aria-hidden className="cmp-spacer">
                  <td colSpan={COLUMNS} style={{ height: after }} />
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** One side's two cells: its workspace role (marked when the other side's differs) and its
 *  roles (those the other side lacks marked). Absent from this side: a dash. */
function SideCells({ side, other, only }: { side: SideRoles | null; other: SideRoles | null; only: string[] }) {
  if (!side)
    return (
      <>
        <td className="cmp-absent" aria-label="Not here">—</td>
        <td className="cmp-absent" />
      </>
    );
  const wsDiffers = other !== null && other.workspace_role !== side.workspace_role;
  const differs = new Set(only);
  return (
    <>
      <td>
        {wsDiffers ? <mark title="Differs from the other side">{side.workspace_role}</mark> : side.workspace_role}
        {side.pending && <span className="muted small"> · invited</span>}
      </td>
      <td className="cmp-roles">
        {side.roles.length === 0 ? (
          <span className="muted small">No roles</span>
        ) : (
          side.roles.map((x) => <div key={x}>{differs.has(x) ? <mark title="Not held on the other side">{x}</mark> : x}</div>)
        )}
      </td>
    </>
  );
}
