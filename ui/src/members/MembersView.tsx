// The Members view of a pane: search and filters, the virtualized table of members and
// pending invitations, the side panel of the selected person, and the invite dialog.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useDebounced } from "../kit/useDebounced";
import type { MemberRow } from "../bindings/MemberRow";
import { usePane } from "../context";
import { describe, HOTKEYS, useHotkey } from "../hotkeys";
import { counted } from "../format";
import { Empty, ErrorNote, Loading } from "../kit/kit";
import { Hint } from "../kit/Hint";
import { useDirectory } from "../directory";
import { InviteDialog } from "./InviteDialog";
import { InvitationPanel } from "./InvitationPanel";
import { MemberPanel } from "./MemberPanel";
import { MembersTable, rowKey, type MembersTableHandle } from "./MembersTable";
import { isFiltered, memberQuery, NO_FILTERS, useMemberPages, type Filters, type Sort } from "./pages";
import { Toolbar } from "./Toolbar";
import { filterQueried } from "../perf";
import "./members.css";

const SCROLL_SETTLE_MS = 60;


/** With panes side by side, plain-key shortcuts belong to the focused pane only. Outside a
 *  pane (tests, a single view) they always apply. */
function inFocusedPane(el: HTMLElement | null): boolean {
  const pane = el?.closest(".pane");
  return !pane || pane.classList.contains("focused");
}

export function MembersView() {
  const { account, ws, communities, intent } = usePane();
  const dir = useDirectory();
  // Opened from the palette or a matrix cell: start filtered to that role, on that person.
  const mine = intent?.tab === "members" ? intent : null;
  const asked = (i: typeof mine): Filters => ({ ...NO_FILTERS, roleId: i?.roleId ?? "", status: i?.status ?? NO_FILTERS.status });
  const [filters, setFilters] = useState<Filters>(asked(mine));
  const [sort, setSort] = useState<Sort>({ by: "email", descending: false });
  const [range, setRange] = useState<[number, number]>([0, 0]);
  // A row picked in the table, or a person named by an intent (only their id is known then;
  // invitations are opened from the table only, so an invitation is always a whole row).
  const [selected, setSelected] = useState<Pick<MemberRow, "user_id" | "invitation_id" | "email"> | null>(mine?.member ? { user_id: mine.member, invitation_id: null, email: "" } : null);
  const followed = useRef(intent?.at ?? 0);
  useEffect(() => {
    if (!mine || mine.at === followed.current) return;
    followed.current = mine.at;
    setFilters(asked(mine));
    if (mine.member) setSelected({ user_id: mine.member, invitation_id: null, email: "" });
  }, [mine?.at]); // eslint-disable-line react-hooks/exhaustive-deps
  const [inviting, setInviting] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const search = useRef<HTMLInputElement>(null);
  const table = useRef<MembersTableHandle>(null);

  // Each keystroke asks its question at once, with no pause in typing: the previous answer
  // stays on screen while the cache answers (pages.ts), and a question asked before is
  // answered from the query cache.
  const searchText = filters.search;
  // The render that asks the new question (before the table's effects may paint an answer
  // already in the query cache), for `make bench`.
  const queried = useRef(searchText);
  if (queried.current !== searchText) {
    queried.current = searchText;
    filterQueried();
  }
  const base = useMemo(() => memberQuery(ws.id, filters, communities, sort), [ws.id, filters, communities, sort]);
  // While the scrollbar is dragged across thousands of rows, fetch only where it settles.
  const settled = useDebounced(range, SCROLL_SETTLE_MS);
  const pages = useMemberPages(account.key, base, settled[0], settled[1]);
  const resetKey = JSON.stringify(base);
  const onRange = useCallback((a: number, b: number) => setRange((r) => (r[0] === a && r[1] === b ? r : [a, b])), []);
  // A new question starts at the top: forget the old window so page 0 is what loads.
  useEffect(() => setRange((r) => (r[0] === 0 && r[1] === 0 ? r : [0, 0])), [resetKey]);

  useHotkey("search", () => inFocusedPane(root.current) && search.current?.focus());
  useHotkey("invite", () => inFocusedPane(root.current) && setInviting(true));
  useHotkey("nextPage", () => inFocusedPane(root.current) && table.current?.move("page"));
  useHotkey("previousPage", () => inFocusedPane(root.current) && table.current?.move("-page"));

  const total = pages.total;
  const filtered = isFiltered(filters, communities);
  const closePanel = () => {
    setSelected(null);
    table.current?.focus();
  };

  return (
    <div className={selected ? "members-view with-panel" : "members-view"} ref={root}>
      <div className="members-main">
        <Toolbar filters={filters} onChange={setFilters} dir={dir} searchRef={search} onDown={() => table.current?.focus()} />
        <div className="members-summary">
          <span aria-live="polite" data-testid="members-total">
            {total === null ? "…" : counted(total, "person", "people")}
          </span>
          {communities.length > 0 && (
            <span className="muted small">
              {" "}
              with a role in {communities.length === 1 ? dir.communityName(communities[0]) : `${communities.length} selected communities`}
            </span>
          )}
          <span className="spacer" />
          <span className="muted small hint">↑/↓ move · Enter opens · {describe(HOTKEYS.search)} searches</span>
          <Hint text={<>Invite members <kbd>{describe(HOTKEYS.invite)}</kbd></>}>
            <button type="button" onClick={() => setInviting(true)} aria-keyshortcuts={describe(HOTKEYS.invite)}>
              Invite…
            </button>
          </Hint>
        </div>
        {pages.error ? (
          <ErrorNote error={pages.error} onRetry={pages.retry} />
        ) : pages.loading && total === null ? (
          <Loading what="members" />
        ) : total === 0 ? (
          <Empty>
            {filtered ? (
              <>
                Nobody matches these filters{communities.length > 0 ? " in the selected communities" : ""}.{" "}
                <button type="button" className="link" onClick={() => setFilters(NO_FILTERS)}>Clear filters</button>
              </>
            ) : (
              <>
                This workspace has no members or pending invitations yet.{" "}
                <button type="button" className="link" onClick={() => setInviting(true)}>Invite someone</button>
              </>
            )}
          </Empty>
        ) : (
          <MembersTable
            pages={pages}
            dir={dir}
            sort={sort}
            onSort={setSort}
            onRange={onRange}
            selected={selected ? rowKey(selected) : null}
            onOpen={setSelected}
            resetKey={resetKey}
            handle={table}
          />
        )}
      </div>
      {selected &&
        (selected.user_id ? (
          <MemberPanel key={selected.user_id} userId={selected.user_id} dir={dir} onClose={closePanel} />
        ) : (
          <InvitationPanel key={selected.invitation_id ?? selected.email} row={selected as MemberRow} dir={dir} onClose={closePanel} />
        ))}
      {inviting && <InviteDialog dir={dir} onClose={() => setInviting(false)} />}
    </div>
  );
}
