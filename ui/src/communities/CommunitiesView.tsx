// The Communities view of a pane: every community of the workspace (each a client, in an MSSP)
// with its people, intakes, keys, region and time zone; searchable, virtualized (fast at
// 10,000 communities); a side panel edits one community and its intakes; "New community…"
// creates one, optionally with another's roles.
import { keepPreviousData } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef, useState } from "react";
import type { CommunityRow } from "../bindings/CommunityRow";
import { usePane } from "../context";
import { counted, formatNumber } from "../format";
import { Empty, ErrorNote, Loading, ServerButton } from "../kit/kit";
import { PanelFrame } from "../kit/PanelFrame";
import { useDebounced } from "../kit/useDebounced";
import { useCmd } from "../query";
import { CreateCommunityDialog, EditCommunity, useCommunityLimit } from "./CommunityDialogs";
import { ClientContacts } from "./Contacts";
import { Intakes } from "./Intakes";
import "./communities.css";

const ROW_HEIGHT = 30;
/** Below this many rows everything is rendered. */
const VIRTUALIZE_ABOVE = 60;

export function CommunitiesView() {
  const { account, ws } = usePane();
  const [search, setSearch] = useState("");
  const q = useDebounced(search, 150);
  const rows = useCmd("community_rows", { account: account.key, workspaceId: ws.id, search: q.trim() || null }, { placeholderData: keepPreviousData });
  const all = useCmd("community_rows", { account: account.key, workspaceId: ws.id, search: null });
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const limit = useCommunityLimit();
  const list = rows.data ?? [];
  const chosen = (all.data ?? []).find((r) => r.community.id === selected) ?? null;
  return (
    <div className={chosen ? "communities-view with-panel" : "communities-view"}>
      <div className="cm-main">
        <div className="row wrap cm-toolbar">
          <label>
            <span className="sr-only">Search communities</span>
            <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Search communities by name or slug" aria-label="Search communities" />
          </label>
          <span className="muted small" data-testid="communities-count">
            {rows.data ? (q.trim() ? `${formatNumber(list.length)} of ${counted(all.data?.length ?? 0, "community", "communities")}` : counted(list.length, "community", "communities")) : "…"}
          </span>
          <span className="spacer" />
          <ServerButton type="button" onClick={() => setCreating(true)} disabled={limit !== null} title={limit ?? undefined}>New community…</ServerButton>
        </div>
        {limit && <p className="muted small" role="note">{limit}</p>}
        {rows.isLoading ? (
          <Loading what="communities" />
        ) : rows.error ? (
          <ErrorNote error={rows.error} onRetry={() => rows.refetch()} />
        ) : list.length === 0 ? (
          <Empty>{q.trim() ? `No community matches “${q.trim()}”.` : "No communities yet: create the first one."}</Empty>
        ) : (
          <CommunityTable rows={list} selected={selected} onSelect={setSelected} />
        )}
      </div>
      {chosen && (
        <PanelFrame label="Community details" closeLabel="Close community details" onClose={() => setSelected(null)}>
          <header className="panel-head">
            <h2>{chosen.community.name}</h2>
            <p className="muted small">
              <code>{chosen.community.slug}</code> · {counted(chosen.members, "person", "people")} · {counted(chosen.api_keys, "API key", "API keys")}
            </p>
          </header>
          <EditCommunity key={`${chosen.community.id}:${chosen.community.version}`} community={chosen.community} />
          <ClientContacts community={chosen.community} />
          <Intakes communityId={chosen.community.id} communityName={chosen.community.name} />
        </PanelFrame>
      )}
      {creating && (
        <CreateCommunityDialog
          rows={all.data ?? []}
          onClose={() => setCreating(false)}
          onCreated={(c) => {
            setCreating(false);
            setSelected(c.id);
          }}
        />
      )}
    </div>
  );
}

function CommunityTable({ rows, selected, onSelect }: { rows: CommunityRow[]; selected: string | null; onSelect: (id: string) => void }) {
  const scroller = useRef<HTMLDivElement>(null);
  // A few dozen rows are all rendered; more, only those in view.
  const virtual = rows.length > VIRTUALIZE_ABOVE;
  const v = useVirtualizer({ count: virtual ? rows.length : 0, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12, initialRect: { width: 900, height: 480 } });
  const items = virtual ? v.getVirtualItems() : rows.map((_, index) => ({ index }));
  const before = virtual && items.length ? v.getVirtualItems()[0].start : 0;
  const after = virtual && items.length ? v.getTotalSize() - v.getVirtualItems()[items.length - 1].end : 0;
  return (
    <div className="cm-scroll" ref={scroller}>
      <table className="grid cm-table" aria-label="Communities" aria-rowcount={rows.length + 1}>
        <thead>
          <tr>
            <th scope="col">Community</th>
            <th scope="col">Slug</th>
            <th scope="col" className="num">People</th>
            <th scope="col" className="num">Intakes</th>
            <th scope="col" className="num">API keys</th>
            <th scope="col">Region</th>
            <th scope="col">Time zone</th>
          </tr>
        </thead>
        <tbody>
          {before > 0 && (
            <tr aria-hidden className="cm-spacer">
              <td colSpan={7} style={{ height: before }} />
            </tr>
          )}
          {items.map((i) => {
            const r = rows[i.index];
            const c = r.community;
            return (
              <tr
                key={c.id}
                style={{ height: ROW_HEIGHT }}
                aria-rowindex={i.index + 2}
                aria-selected={selected === c.id}
                className={selected === c.id ? "selected" : undefined}
                tabIndex={0}
                onClick={() => onSelect(c.id)}
                onKeyDown={(e) => {
                  if (e.key === "Enter" || e.key === " ") {
                    e.preventDefault();
                    onSelect(c.id);
                  }
                }}
              >
                <td>{c.name}</td>
                <td><code>{c.slug}</code></td>
                <td className="num">{formatNumber(r.members)}</td>
                <td className="num">{formatNumber(r.intakes)}</td>
                <td className="num">{formatNumber(r.api_keys)}</td>
                <td>{c.settings?.region ?? <Hidden />}</td>
                <td>{c.settings?.timezone ?? <Hidden />}</td>
              </tr>
            );
          })}
          {after > 0 && (
            <tr aria-hidden className="cm-spacer">
              <td colSpan={7} style={{ height: after }} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

/** A setting the person's roles do not let them read (community.read). */
function Hidden() {
  return <span className="muted" title="Your roles here do not include community.read">not shown</span>;
}
