// The members table: TanStack Table owns the columns and the sort state (the sort itself is
// the cache's, through the `members` query), TanStack Virtual renders only the rows on screen.
// The row count comes from the query's total, so the scrollbar is right before any row loads.
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable, type SortingState } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useImperativeHandle, useLayoutEffect, useMemo, useRef, useState, type ReactNode, type Ref } from "react";
import type { MemberRow } from "../bindings/MemberRow";
import type { MemberSort } from "../bindings/MemberSort";
import { usePane } from "../context";
import type { Directory } from "../directory";
import { formatDate } from "../format";
import type { Pages, Sort } from "./pages";
import { useWidth } from "../kit/useWidth";
import { rowsRendered } from "../perf";

export const ROW_HEIGHT = 30;
/** How many community roles a cell names before "+N more". */
const ROLES_SHOWN = 2;

export function rowKey(r: Pick<MemberRow, "user_id" | "invitation_id" | "email">): string {
  return r.user_id ? `u:${r.user_id}` : `i:${r.invitation_id ?? r.email}`;
}

/** "Analyst in Acme, Guest in Globex +3 more", with the full list as a tooltip. */
function RolesCell({ row, dir }: { row: MemberRow; dir: Directory }) {
  const { communities: selected } = usePane();
  if (row.workspace_role === "client") return <span>portal of {row.contact_of ? dir.communityName(row.contact_of) : "a community"}</span>;
  if (row.roles.length === 0) return <span className="muted">none</span>;
  // The roles in the pane's selected communities first, and marked: they are what was asked for.
  const picked = new Set(selected);
  const ordered = [...row.roles].sort((a, b) => Number(picked.has(b.community_id)) - Number(picked.has(a.community_id)));
  const names = ordered.map((r) => dir.grant(r));
  const more = names.length - ROLES_SHOWN;
  return (
    <span title={names.join("\n")}>
      <span className="count" aria-label={`${names.length} community role${names.length === 1 ? "" : "s"}`}>{names.length}</span>
      {ordered.slice(0, ROLES_SHOWN).map((r, i) => (
        <span key={`${r.community_id}:${r.role_id}`} className={picked.has(r.community_id) ? "in-selection" : undefined}>
          {i > 0 ? ", " : ""}
          {names[i]}
        </span>
      ))}
      {more > 0 && <span className="muted"> +{more} more</span>}
    </span>
  );
}

/** `priority`: which columns stay as the table narrows (1 always; 2 from DROP_3 down to DROP_2;
 *  3 only at full width). A half-width pane keeps who and which roles. */
type ColumnMeta = { sort?: MemberSort; width: string; priority?: 1 | 2 | 3; render: (r: MemberRow, dir: Directory) => ReactNode };
/** Below this table width the third-priority columns go; below DROP_2 the second's too. */
const DROP_3 = 760;
const DROP_2 = 540;
const col = createColumnHelper<MemberRow>();
/** Column ids double as the `members` sort for the sortable ones. */
const COLUMNS = [
  col.display({
    id: "name",
    header: "Name",
    meta: { sort: "name", width: "minmax(8rem, 1.2fr)", render: (r) => (r.pending ? <em className="muted">Invited</em> : r.display_name || <span className="muted">—</span>) } satisfies ColumnMeta,
  }),
  col.display({ id: "email", header: "Email", meta: { sort: "email", width: "minmax(10rem, 1.5fr)", render: (r) => r.email } satisfies ColumnMeta }),
  col.display({
    id: "role",
    header: "Workspace role",
    meta: {
      sort: "role",
      priority: 2,
      // Room for "member" and its "pending" badge side by side.
      width: "10.5rem",
      render: (r, dir) => (
        <>
          {r.workspace_role === "client" ? <span title={r.contact_of ? `Client contact of ${dir.communityName(r.contact_of)}` : "Client contact"}>client contact</span> : r.workspace_role}
          {r.pending && <span className="badge pending">pending</span>}
        </>
      ),
    } satisfies ColumnMeta,
  }),
  col.display({ id: "roles", header: "Community roles", meta: { width: "minmax(10rem, 2fr)", render: (r, dir) => <RolesCell row={r} dir={dir} /> } satisfies ColumnMeta }),
  col.display({
    id: "2fa",
    header: "2FA",
    meta: { width: "3.5rem", priority: 3, render: (r) => (r.pending ? <span className="muted">—</span> : r.two_factor_enabled ? "on" : <span className="warn">off</span>) } satisfies ColumnMeta,
  }),
  col.display({
    id: "joined",
    header: "Joined / invited",
    meta: { sort: "joined", width: "8rem", priority: 3, render: (r) => <time dateTime={r.since}>{formatDate(r.since)}</time> } satisfies ColumnMeta,
  }),
];
const NO_DATA: MemberRow[] = [];

type RowProps = {
  row: MemberRow | undefined;
  index: number;
  start: number;
  active: boolean;
  selected: boolean;
  grid: string;
  shown: typeof COLUMNS;
  dir: Directory;
  onActive: (index: number) => void;
  onOpen: (row: MemberRow) => void;
};

/** One row of the table; rendered again only when what it shows changes (a keystroke in the
 *  search box often keeps most rows as they were). */
const Row = memo(function Row({ row: r, index, start, active, selected, grid, shown, dir, onActive, onOpen }: RowProps) {
  return (
    <tr
      data-index={index}
      aria-rowindex={index + 2}
      aria-selected={selected}
      className={[active ? "active" : "", selected ? "selected" : "", r ? "" : "placeholder"].join(" ").trim() || undefined}
      tabIndex={active ? 0 : -1}
      style={{ transform: `translateY(${start}px)`, gridTemplateColumns: grid, height: ROW_HEIGHT }}
      onClick={() => {
        onActive(index);
        if (r) onOpen(r);
      }}
      onFocus={() => onActive(index)}
    >
      {r ? (
        shown.map((c) => <td key={c.id}>{(c.meta as ColumnMeta).render(r, dir)}</td>)
      ) : (
        <td className="muted" style={{ gridColumn: "1 / -1" }}>Loading…</td>
      )}
    </tr>
  );
});

export type MembersTableHandle = {
  /** Moves the keyboard focus into the table (to the active row). */
  focus: () => void;
  /** Moves the active row by `delta` rows (a screenful for the page hotkeys). */
  move: (delta: number | "page" | "-page") => void;
};

export function MembersTable(props: {
  pages: Pages;
  dir: Directory;
  sort: Sort;
  onSort: (s: Sort) => void;
  /** The virtual window changed: which rows are on screen. */
  onRange: (first: number, last: number) => void;
  selected: string | null;
  onOpen: (row: MemberRow) => void;
  /** Changes whenever the filters do: the list starts again from the top. */
  resetKey: string;
  handle?: Ref<MembersTableHandle>;
}) {
  const { pages, dir, sort } = props;
  const total = pages.total ?? 0;
  const scroller = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  /** The row to focus once rendered, after a keyboard move. */
  const focusWanted = useRef<number | null>(null);

  const width = useWidth(scroller);
  const level = width === 0 || width >= DROP_3 ? 3 : width >= DROP_2 ? 2 : 1;
  const columnVisibility = Object.fromEntries(COLUMNS.map((c) => [c.id, ((c.meta as ColumnMeta).priority ?? 1) <= level]));
  const shown = useMemo(() => COLUMNS.filter((c) => ((c.meta as ColumnMeta).priority ?? 1) <= level), [level]);
  const GRID = shown.map((c) => (c.meta as ColumnMeta).width).join(" ");
  const sorting: SortingState = [{ id: COLUMNS.find((c) => (c.meta as ColumnMeta).sort === sort.by)?.id ?? "email", desc: sort.descending }];
  const table = useReactTable({
    data: NO_DATA, // rows are rendered from the pages, never held by the table
    columns: COLUMNS,
    state: { sorting, columnVisibility },
    manualSorting: true,
    enableSortingRemoval: false,
    getCoreRowModel: getCoreRowModel(),
    onSortingChange: (updater) => {
      const next = typeof updater === "function" ? updater(sorting) : updater;
      const s = next[0];
      const by = s && (table.getColumn(s.id)?.columnDef.meta as ColumnMeta | undefined)?.sort;
      if (by) props.onSort({ by, descending: s.desc });
    },
  });

  const virtual = useVirtualizer({
    count: total,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtual.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  const { onRange } = props;
  useEffect(() => onRange(first, last), [first, last, onRange]);
  // The rows of a new question are in the DOM: timed to their paint (`make bench`).
  useLayoutEffect(() => {
    if (pages.current) rowsRendered();
  }, [pages.current]);

  // New filters or sort: back to the top, as the old positions mean nothing any more.
  useEffect(() => {
    setActive(0);
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [props.resetKey]);
  useEffect(() => {
    if (active >= total && total > 0) setActive(total - 1);
  }, [active, total]);

  // After a keyboard move, focus the row once the virtualizer has rendered it.
  useEffect(() => {
    if (focusWanted.current === null) return;
    const el = scroller.current?.querySelector<HTMLElement>(`tr[data-index="${focusWanted.current}"]`);
    if (el) {
      el.focus({ preventScroll: true });
      focusWanted.current = null;
    }
  });

  const moveTo = (i: number) => {
    if (total === 0) return;
    const next = Math.max(0, Math.min(total - 1, i));
    focusWanted.current = next;
    setActive(next);
    virtual.scrollToIndex(next, { align: "auto" });
  };
  const screenful = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);
  useImperativeHandle(props.handle, () => ({
    focus: () => moveTo(active),
    move: (d) => moveTo(active + (d === "page" ? screenful : d === "-page" ? -screenful : d)),
  }));

  const onKeyDown = (e: React.KeyboardEvent) => {
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(active + 1),
      ArrowUp: () => moveTo(active - 1),
      PageDown: () => moveTo(active + screenful),
      PageUp: () => moveTo(active - screenful),
      Home: () => moveTo(0),
      End: () => moveTo(total - 1),
      Enter: () => {
        const r = pages.row(active);
        if (r) props.onOpen(r);
      },
    };
    const f = keys[e.key];
    if (f && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      f();
    }
  };

  return (
    <div className="members-scroll" ref={scroller}>
      <table className="members-grid" role="grid" aria-label="Members" aria-rowcount={total + 1} aria-busy={pages.loading}>
        <thead>
          {table.getHeaderGroups().map((hg) => (
            <tr key={hg.id} style={{ gridTemplateColumns: GRID }} aria-rowindex={1}>
              {hg.headers.map((h) => {
                const meta = h.column.columnDef.meta as ColumnMeta;
                const current = sorting[0].id === h.id;
                return (
                  <th key={h.id} scope="col" aria-sort={meta.sort && current ? (sort.descending ? "descending" : "ascending") : undefined}>
                    {meta.sort ? (
                      <button
                        type="button"
                        className="sort"
                        title={`Sort by ${String(h.column.columnDef.header).toLowerCase()}`}
                        // First click on a column sorts ascending; the next one flips it.
                        onClick={() => table.setSorting([{ id: h.id, desc: current ? !sort.descending : false }])}
                      >
                        {flexRender(h.column.columnDef.header, h.getContext())}
                        <span aria-hidden className="arrow">{current ? (sort.descending ? "▼" : "▲") : ""}</span>
                      </button>
                    ) : (
                      flexRender(h.column.columnDef.header, h.getContext())
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody style={{ height: virtual.getTotalSize() }} onKeyDown={onKeyDown}>
          {items.map((v) => {
            const r = pages.row(v.index);
            const key = r ? rowKey(r) : null;
            return (
              <Row
                key={v.key}
                row={r}
                index={v.index}
                start={v.start}
                active={v.index === active}
                selected={key !== null && key === props.selected}
                grid={GRID}
                shown={shown}
                dir={dir}
                onActive={setActive}
                onOpen={props.onOpen}
              />
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
