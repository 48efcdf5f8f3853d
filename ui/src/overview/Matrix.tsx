// The role × community matrix: communities as rows, roles as columns, a heat tint per cell.
// Above a few dozen rows only the visible ones are rendered (TanStack Virtual), so 1,000
// selected communities scroll as smoothly as ten.
//
// It is one keyboard stop (a grid with a roving focus: Tab enters at the last cell used, the
// arrow keys move, Enter opens): a button per cell would otherwise put thousands of Tab stops
// between the filter and the rest of the page.
//
// Hints are drawn here, not native `title`s: WebKit keeps a native tooltip up while the rows
// scroll under a still pointer, so after scrolling it named a cell that had moved away (and
// virtualized rows are new elements, whose titles it shows late or not at all). This hint is
// looked up from the current rows each render and is dropped as soon as the matrix scrolls.
import { counted, formatNumber } from "../format";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useMemo, useRef, useState, type FocusEvent, type KeyboardEvent, type MouseEvent } from "react";
import { usePane } from "../context";
import { heat, NAME_ORDER, sortRows, sortsBy, type Matrix, type MatrixRow, type MatrixSort } from "./shape";

/** Below this many rows everything is rendered; above it, only what is in view. */
export const VIRTUALIZE_ABOVE = 60;
const ROW_HEIGHT = 28;
/** Rows PageUp / PageDown move by. */
const PAGE = 10;
/** The header row's index in the roving focus (body rows count from 0). */
const HEAD = -1;

/** Where the roving focus is: a row (HEAD for the column headers) and a column (0 the
 *  community names; 1… the roles; in the header row, one more: Total). */
type At = { row: number; col: number };
/** What the hint is about, by id, so it never outlives the data it names. */
type Tip = { row: number; col: number; id: string | null; left: number; top: number };

export function MatrixTable({ matrix, people }: { matrix: Matrix; people?: number }) {
  const { go } = usePane();
  const [q, setQ] = useState("");
  const [sort, setSort] = useState<MatrixSort>(NAME_ORDER);
  const filtered = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return needle ? matrix.rows.filter((r) => r.name.toLowerCase().includes(needle)) : matrix.rows;
  }, [matrix.rows, q]);
  const rows = useMemo(() => sortRows(filtered, matrix.columns, sort), [filtered, matrix.columns, sort]);
  const colTotals = useMemo(() => matrix.columns.map((_, i) => rows.reduce((a, r) => a + r.counts[i], 0)), [matrix.columns, rows]);
  const allShown = colTotals.reduce((a, b) => a + b, 0);
  const box = useRef<HTMLDivElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = rows.length > VIRTUALIZE_ABOVE;
  const v = useVirtualizer({
    count: virtual ? rows.length : 0,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 800, height: 420 },
  });
  const items = virtual ? v.getVirtualItems() : [];
  const before = virtual && items.length ? items[0].start : 0;
  const after = virtual && items.length ? v.getTotalSize() - items[items.length - 1].end : 0;
  const indices: number[] = virtual ? items.map((i) => i.index) : rows.map((_, i) => i);
  const span = matrix.columns.length + 2;
  const roles = matrix.columns.length;

  const lastCol = (row: number) => (row === HEAD ? roles + 1 : roles);
  const clamp = (at: At): At => {
    const row = Math.max(HEAD, Math.min(at.row, rows.length - 1));
    return { row, col: Math.max(0, Math.min(at.col, lastCol(row))) };
  };
  const [active, setActive] = useState<At>({ row: HEAD, col: 0 });
  const at = clamp(active);
  // The one Tab stop: the active cell, or (when it has scrolled out of the rendered window) the
  // first rendered row's name, so the grid can always be reached.
  const stop: At = at.row === HEAD || indices.includes(at.row) ? at : { row: indices[0] ?? HEAD, col: 0 };
  const focusAfterRender = useRef(false);
  useEffect(() => {
    if (!focusAfterRender.current) return;
    const el = scroller.current?.querySelector<HTMLElement>(`[data-r="${at.row}"][data-c="${at.col}"]`);
    if (el) {
      focusAfterRender.current = false;
      el.focus();
    }
  });

  const [tip, setTip] = useState<Tip | null>(null);
  const showTip = (el: HTMLElement) => {
    const { r, c } = el.dataset;
    if (r === undefined || c === undefined || !box.current) return;
    const b = box.current.getBoundingClientRect();
    const e = el.getBoundingClientRect();
    const row = Number(r);
    setTip({ row, col: Number(c), id: row === HEAD ? null : (rows[row]?.id ?? null), left: e.left - b.left, top: e.bottom - b.top + 4 });
  };
  const tipText = tip ? hint(tip, rows, matrix, sort) : null;

  const sortBy = (column: "name" | "total" | string) =>
    setSort((s) =>
      sortsBy(s, column)
        ? { ...s, desc: !s.desc }
        : // Names A→Z first; counts largest first (what an admin looks for), the next click flips it.
          { by: column === "name" || column === "total" ? column : { role: column }, desc: column !== "name" },
    );
  // A new order starts at the top: the rows in view would otherwise be arbitrary ones.
  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [sort]);

  const open = (r: MatrixRow, col: number) =>
    // The matrix counts people who joined (not pending invitations): Members shows the same.
    col === 0 ? go({ tab: "members", communities: [r.id], status: "active" }) : go({ tab: "members", communities: [r.id], roleId: matrix.columns[col - 1].id, status: "active" });

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape" && tip) {
      setTip(null);
      return;
    }
    const el = (e.target as HTMLElement).closest<HTMLElement>("[data-r]");
    if (!el) return;
    const r = Number(el.dataset.r);
    const c = Number(el.dataset.c);
    if (e.key === "Enter") {
      // Enter activates through the same click path (a button would do it natively; doing it
      // here once, with the default prevented, keeps it to one activation).
      e.preventDefault();
      el.click();
      return;
    }
    const moves: Record<string, At> = {
      ArrowUp: { row: r - 1, col: c },
      ArrowDown: { row: r + 1, col: c },
      ArrowLeft: { row: r, col: c - 1 },
      ArrowRight: { row: r, col: c + 1 },
      Home: e.ctrlKey ? { row: HEAD, col: 0 } : { row: r, col: 0 },
      End: e.ctrlKey ? { row: rows.length - 1, col: c } : { row: r, col: lastCol(r) },
      PageUp: { row: r === HEAD ? HEAD : Math.max(0, r - PAGE), col: c },
      PageDown: { row: r + PAGE, col: c },
    };
    const to = moves[e.key];
    if (!to) return;
    e.preventDefault();
    const next = clamp(to);
    setActive(next);
    setTip(null);
    focusAfterRender.current = true;
    if (virtual && next.row !== HEAD) v.scrollToIndex(next.row, { align: "auto" });
  };
  const onFocus = (e: FocusEvent) => {
    const el = (e.target as HTMLElement).closest<HTMLElement>("[data-r]");
    if (!el) return;
    setActive({ row: Number(el.dataset.r), col: Number(el.dataset.c) });
    showTip(el);
  };
  const onPointerOver = (e: MouseEvent) => {
    const el = (e.target as HTMLElement).closest<HTMLElement>("[data-r]");
    // Over a cell without a hint (a row's total, the footer): no hint rather than the last one.
    if (el) showTip(el);
    else setTip(null);
  };
  const tab = (row: number, col: number) => (stop.row === row && stop.col === col ? 0 : -1);
  const sortOf = (column: string) => (sortsBy(sort, column) ? (sort.desc ? "descending" : "ascending") : undefined);

  if (matrix.columns.length === 0) return <p className="muted small">Nobody holds a role in these communities yet.</p>;
  return (
    <div className="ov-matrix" ref={box}>
      {matrix.rows.length > 10 && (
        <label className="ov-matrix-filter small">
          Filter communities{" "}
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Name" aria-label="Filter communities in the matrix" />
          <span className="muted"> {formatNumber(rows.length)} of {formatNumber(matrix.rows.length)}</span>
        </label>
      )}
      <p id="ov-matrix-keys" className="sr-only">
        Arrow keys move between cells; Enter on a count opens those people in Members, on a community its members; Enter on a column heading sorts by it.
      </p>
      <span id="ov-cell-hint" hidden>Opens these people in Members.</span>
      <span id="ov-row-hint" hidden>Opens this community's members.</span>
      <div className="ov-matrix-scroll" ref={scroller} onScroll={() => setTip(null)}>
        <table
          role="grid"
          aria-label="People per role and community"
          aria-describedby="ov-matrix-keys"
          aria-rowcount={rows.length + 2}
          onKeyDown={onKeyDown}
          onFocus={onFocus}
          onBlur={() => setTip(null)}
          onMouseOver={onPointerOver}
          onMouseLeave={() => setTip(null)}
        >
          <thead>
            <tr aria-rowindex={1}>
              <th scope="col" className="ov-rowhead" aria-sort={sortOf("name")}>
                <button type="button" className="ov-sort" data-r={HEAD} data-c={0} tabIndex={tab(HEAD, 0)} onClick={() => sortBy("name")}>Community</button>
              </th>
              {matrix.columns.map((c, j) => (
                <th key={c.id} scope="col" className="num" aria-sort={sortOf(c.id)}>
                  <button type="button" className="ov-sort" data-r={HEAD} data-c={j + 1} tabIndex={tab(HEAD, j + 1)} onClick={() => sortBy(c.id)}>{c.name}</button>
                </th>
              ))}
              <th scope="col" className="num" aria-sort={sortOf("total")}>
                <button type="button" className="ov-sort" data-r={HEAD} data-c={roles + 1} tabIndex={tab(HEAD, roles + 1)} onClick={() => sortBy("total")}>Total</button>
              </th>
            </tr>
          </thead>
          <tbody>
            {before > 0 && (
              <tr aria-hidden className="ov-spacer">
                <td colSpan={span} style={{ height: before }} />
              </tr>
            )}
            {indices.map((ri) => {
              const r = rows[ri];
              return (
                <tr key={r.id} style={virtual ? { height: ROW_HEIGHT } : undefined} aria-rowindex={ri + 2}>
                  <th scope="row" className="ov-rowhead">
                    <button type="button" className="ov-open" data-r={ri} data-c={0} tabIndex={tab(ri, 0)} aria-describedby="ov-row-hint" onClick={() => open(r, 0)}>
                      {r.name}
                    </button>
                  </th>
                  {r.counts.map((n, j) => {
                    const h = heat(n, matrix.max);
                    return (
                      <td
                        key={matrix.columns[j].id}
                        className={n ? "num" : "num zero"}
                        style={h ? { background: `color-mix(in srgb, var(--accent) ${h}%, transparent)` } : undefined}
                      >
                        <button
                          type="button"
                          className="ov-open"
                          data-r={ri}
                          data-c={j + 1}
                          tabIndex={tab(ri, j + 1)}
                          aria-label={cellLabel(r, matrix.columns[j].name, n)}
                          aria-describedby="ov-cell-hint"
                          onClick={() => open(r, j + 1)}
                        >
                          {formatNumber(n)}
                        </button>
                      </td>
                    );
                  })}
                  <td className="num total">{formatNumber(r.total)}</td>
                </tr>
              );
            })}
            {after > 0 && (
              <tr aria-hidden className="ov-spacer">
                <td colSpan={span} style={{ height: after }} />
              </tr>
            )}
          </tbody>
          <tfoot>
            <tr aria-rowindex={rows.length + 2}>
              <th scope="row" className="ov-rowhead">All shown</th>
              {colTotals.map((n, j) => (
                <td key={matrix.columns[j].id} className="num total">{formatNumber(n)}</td>
              ))}
              <td className="num total">{formatNumber(allShown)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      {tip && tipText && (
        <div className="ov-tip" role="tooltip" style={{ left: tip.left, top: tip.top }}>
          {tipText}
        </div>
      )}
      <p className="muted small" data-testid="matrix-note">
        Each number is the people holding that role in that community. Someone with two roles counts in both columns, so the totals are role assignments
        {people !== undefined && !q.trim()
          ? `: ${counted(allShown, "role assignment", "role assignments")} held by ${counted(people, "person", "people")}.`
          : ", not people."}{" "}
        Click a number to see those people in Members.
      </p>
    </div>
  );
}

function cellLabel(r: MatrixRow, role: string, n: number): string {
  return `${r.name} · ${role}: ${n ? counted(n, "person", "people") : "nobody"}`;
}

/** The hint for the cell or heading at `t`, from the rows as they are now. */
function hint(t: Tip, rows: MatrixRow[], matrix: Matrix, sort: MatrixSort): string | null {
  if (t.row === HEAD) {
    const column = t.col === 0 ? "name" : t.col > matrix.columns.length ? "total" : matrix.columns[t.col - 1]?.id;
    if (!column) return null;
    const label = t.col === 0 ? "community name" : t.col > matrix.columns.length ? "row total" : matrix.columns[t.col - 1].name;
    if (sortsBy(sort, column)) return `Sorted by ${label}, ${column === "name" ? (sort.desc ? "Z to A" : "A to Z") : sort.desc ? "largest first" : "smallest first"}; click to reverse`;
    return `Sort by ${label}`;
  }
  // By id: the index is only where the row was when the hint opened.
  const r = rows[t.row]?.id === t.id ? rows[t.row] : rows.find((x) => x.id === t.id);
  if (!r) return null;
  if (t.col === 0) return `${r.name}: open its members`;
  const c = matrix.columns[t.col - 1];
  if (!c) return null;
  const n = r.counts[t.col - 1];
  return n ? `${cellLabel(r, c.name, n)} — click to see them in Members` : `Nobody holds ${c.name} in ${r.name}`;
}
