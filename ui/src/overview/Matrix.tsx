// The role × community matrix: communities as rows, roles as columns, a heat tint per cell.
// Above a few dozen rows only the visible ones are rendered (TanStack Virtual), so 1,000
// selected communities scroll as smoothly as ten.
import { formatNumber } from "../format";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useMemo, useRef, useState } from "react";
import { heat, type Matrix, type MatrixRow } from "./shape";

/** Below this many rows everything is rendered; above it, only what is in view. */
export const VIRTUALIZE_ABOVE = 60;
const ROW_HEIGHT = 28;

export function MatrixTable({ matrix }: { matrix: Matrix }) {
  const [q, setQ] = useState("");
  const rows = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return needle ? matrix.rows.filter((r) => r.name.toLowerCase().includes(needle)) : matrix.rows;
  }, [matrix.rows, q]);
  const colTotals = useMemo(() => matrix.columns.map((_, i) => rows.reduce((a, r) => a + r.counts[i], 0)), [matrix.columns, rows]);
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
  const shown: MatrixRow[] = virtual ? items.map((i) => rows[i.index]) : rows;
  const span = matrix.columns.length + 2;

  if (matrix.columns.length === 0) return <p className="muted small">Nobody holds a role in these communities yet.</p>;
  return (
    <div className="ov-matrix">
      {matrix.rows.length > 10 && (
        <label className="ov-matrix-filter small">
          Filter communities{" "}
          <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Name" aria-label="Filter communities in the matrix" />
          <span className="muted"> {rows.length} of {matrix.rows.length}</span>
        </label>
      )}
      <div className="ov-matrix-scroll" ref={scroller} tabIndex={0} aria-label="Role by community matrix, scrollable">
        <table aria-label="People per role and community" aria-rowcount={rows.length + 1}>
          <thead>
            <tr>
              <th scope="col" className="ov-rowhead">Community</th>
              {matrix.columns.map((c) => (
                <th key={c.id} scope="col" className="num">{c.name}</th>
              ))}
              <th scope="col" className="num">Total</th>
            </tr>
          </thead>
          <tbody>
            {before > 0 && (
              <tr aria-hidden className="ov-spacer">
                <td colSpan={span} style={{ height: before }} />
              </tr>
            )}
            {shown.map((r, i) => (
              <tr key={r.id} style={virtual ? { height: ROW_HEIGHT } : undefined} aria-rowindex={(virtual ? items[i].index : i) + 2}>
                <th scope="row" className="ov-rowhead">{r.name}</th>
                {r.counts.map((n, j) => {
                  const h = heat(n, matrix.max);
                  return (
                    <td
                      key={matrix.columns[j].id}
                      className={n ? "num" : "num zero"}
                      style={h ? { background: `color-mix(in srgb, var(--accent) ${h}%, transparent)` } : undefined}
                      title={`${r.name} · ${matrix.columns[j].name}: ${formatNumber(n)}`}
                    >
                      {formatNumber(n)}
                    </td>
                  );
                })}
                <td className="num total">{formatNumber(r.total)}</td>
              </tr>
            ))}
            {after > 0 && (
              <tr aria-hidden className="ov-spacer">
                <td colSpan={span} style={{ height: after }} />
              </tr>
            )}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" className="ov-rowhead">All shown</th>
              {colTotals.map((n, j) => (
                <td key={matrix.columns[j].id} className="num total">{formatNumber(n)}</td>
              ))}
              <td className="num total">{formatNumber(colTotals.reduce((a, b) => a + b, 0))}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      <p className="muted small">Counts are role assignments: someone holding two roles in a community counts once per role.</p>
    </div>
  );
}
