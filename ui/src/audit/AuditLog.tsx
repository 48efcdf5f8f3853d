// The workspace's audit log, read live from the server page by page (newest first), with
// filters over the entries loaded so far. It is never served from the cache: offline it says
// so and shows nothing, rather than a log that may be missing the latest entries.
import { useInfiniteQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import type { AuditEntry } from "../bindings/AuditEntry";
import type { ClientError } from "../bindings/ClientError";
import type { Page } from "../bindings/Page";
import { usePane } from "../context";
import { call } from "../ipc";
import { Empty, ErrorNote, Loading } from "../kit/kit";
import { useDirectory, usePeople } from "../directory";
import { formatDateTime } from "../format";
import { diffSummary, distinct, filterEntries, isFiltered, NO_FILTERS, type AuditFilters, type Names } from "./shape";
import "./audit.css";

export function AuditLog() {
  const { account, ws, offline } = usePane();
  const args = { account: account.key, workspaceId: ws.id };
  const log = useInfiniteQuery<Page<AuditEntry>, ClientError, { pages: Page<AuditEntry>[] }, unknown[], string | null>({
    queryKey: ["audit", args],
    queryFn: ({ pageParam }) => call("audit", { ...args, cursor: pageParam }),
    initialPageParam: null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled: !offline,
    // Never show an old copy: each visit reads the server again.
    staleTime: 0,
    gcTime: 0,
  });
  const entries = useMemo(() => log.data?.pages.flatMap((p) => p.items) ?? [], [log.data]);
  // Actors, and the members that member actions are about, by email.
  const people = usePeople(useMemo(() => entries.flatMap((e) => [e.actor_id, e.target_kind === "member" ? e.target_id : null]), [entries]));
  const dir = useDirectory();
  const { nameOf } = dir;
  const names = useMemo<Names>(() => (id) => nameOf(id) ?? people(id), [nameOf, people]);
  const [f, setF] = useState<AuditFilters>(NO_FILTERS);
  const shown = useMemo(() => filterEntries(entries, f, people), [entries, f, people]);
  const actions = useMemo(() => distinct(entries.map((e) => e.action)), [entries]);
  const kinds = useMemo(() => distinct(entries.map((e) => e.target_kind)), [entries]);

  if (offline || log.error?.code === "offline") {
    return (
      <div className="audit-log">
        <h2>Audit log</h2>
        <p className="au-offline" role="status">
          The audit log needs the server: it is read live and never kept in the local cache, so nothing is shown while the server cannot be reached.
        </p>
        {!offline && <button type="button" onClick={() => log.refetch()}>Try again</button>}
      </div>
    );
  }

  const set = (patch: Partial<AuditFilters>) => setF((x) => ({ ...x, ...patch }));
  return (
    <div className="audit-log">
      <h2>Audit log</h2>
      <form className="au-filters" role="search" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
        <label>
          Action
          <input type="search" list="au-actions" value={f.action} onChange={(e) => set({ action: e.target.value })} placeholder="e.g. member.role_change" />
          <datalist id="au-actions">
            {actions.map((a) => <option key={a} value={a} />)}
          </datalist>
        </label>
        <label>
          Actor
          <input type="search" value={f.actor} onChange={(e) => set({ actor: e.target.value })} placeholder="email or id" />
        </label>
        <label>
          Target
          <select value={f.targetKind} onChange={(e) => set({ targetKind: e.target.value })}>
            <option value="">Any kind</option>
            {kinds.map((k) => <option key={k} value={k}>{k}</option>)}
          </select>
        </label>
        <label>
          From
          <input type="date" value={f.from} max={f.to || undefined} onChange={(e) => set({ from: e.target.value })} />
        </label>
        <label>
          To
          <input type="date" value={f.to} min={f.from || undefined} onChange={(e) => set({ to: e.target.value })} />
        </label>
        <button type="button" disabled={!isFiltered(f)} onClick={() => setF(NO_FILTERS)}>Clear filters</button>
      </form>
      {log.isLoading ? (
        <Loading what="the audit log" />
      ) : log.error && !log.data ? (
        <ErrorNote error={log.error} onRetry={() => log.refetch()} />
      ) : entries.length === 0 ? (
        <Empty>No audit entries in this workspace yet.</Empty>
      ) : (
        <>
          <p className="muted small" role="status" aria-live="polite">
            {isFiltered(f) ? `${shown.length} of ${entries.length} loaded entries match` : `${entries.length} entries loaded`}
            {log.hasNextPage ? "; older entries are not loaded yet (filters cover loaded entries only)." : "; that is the whole log."}
          </p>
          {shown.length === 0 ? (
            <Empty>No loaded entry matches these filters.{log.hasNextPage ? " Load more to search older entries." : ""}</Empty>
          ) : (
            <table className="au-table" aria-label="Audit entries">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Change</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((e) => (
                  <Row key={e.id} e={e} actor={e.actor_id ? (people(e.actor_id) ?? e.actor_id) : "system"} names={names} />
                ))}
              </tbody>
            </table>
          )}
          <ErrorNote error={log.error} onRetry={() => log.fetchNextPage()} />
        </>
      )}
      {log.hasNextPage && (
        <div className="row">
          <button type="button" disabled={log.isFetchingNextPage} onClick={() => log.fetchNextPage()}>
            {log.isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        </div>
      )}
    </div>
  );
}

function Row({ e, actor, names }: { e: AuditEntry; actor: string; names: Names }) {
  const lines = diffSummary(e.before, e.after, 6, names);
  const target = names(e.target_id);
  return (
    <tr>
      <td className="au-time" title={e.at}>{formatDateTime(e.at)}</td>
      <td className="au-actor" title={e.actor_id ?? "system"}>{actor}</td>
      <td><code>{e.action}</code></td>
      <td>
        {e.target_kind}{" "}
        {target ? (
          <span title={e.target_id}>{target}</span>
        ) : (
          <span className="muted small" title={e.target_id}>{e.target_id.length > 12 ? `${e.target_id.slice(0, 8)}…` : e.target_id}</span>
        )}
      </td>
      <td className="au-change">
        {lines.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <ul>
            {lines.map((l, i) => <li key={i}>{l}</li>)}
          </ul>
        )}
        {(e.before !== null || e.after !== null) && (
          <details>
            <summary className="small muted">Full before/after</summary>
            <pre>{JSON.stringify({ before: e.before, after: e.after }, null, 2)}</pre>
            <p className="small muted">Request {e.request_id}</p>
          </details>
        )}
      </td>
    </tr>
  );
}
