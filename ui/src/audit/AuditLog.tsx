// The workspace's audit log, read live from the server page by page (newest first). Its
// filters are searched by the server over the whole history, and the pages follow what matches.
// It is never served from the cache: offline it says so and shows nothing, rather than a log
// that may be missing the latest entries.
import { useInfiniteQuery, useMutation } from "@tanstack/react-query";
import type { ExportFormat } from "../bindings/ExportFormat";
import type { ExportResult } from "../bindings/ExportResult";
import { exportedSentence } from "../overview/ExportButtons";
import { useMemo, useState } from "react";
import type { AuditEntry } from "../bindings/AuditEntry";
import type { AuditSearch } from "../bindings/AuditSearch";
import type { ClientError } from "../bindings/ClientError";
import type { Page } from "../bindings/Page";
import { usePane } from "../context";
import { call } from "../ipc";
import { Empty, ErrorNote, Loading } from "../kit/kit";
import { useDebounced } from "../kit/useDebounced";
import { useDirectory, usePeople } from "../directory";
import { formatDateTime } from "../format";
import { useCmd } from "../query";
import { AUDIT_TARGETS, dayRange, diffSummary, distinct, entryNames, isFiltered, NO_FILTERS, type AuditFilters, type Names } from "./shape";
import "./audit.css";

/** Typing pauses this long before the server is asked. */
const TYPING_MS = 300;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function AuditLog() {
  const { account, ws, offline } = usePane();
  const args = { account: account.key, workspaceId: ws.id };
  const [f, setF] = useState<AuditFilters>(NO_FILTERS);
  const typed = useDebounced(f, TYPING_MS);
  // The actor by email, among the workspace's people in the cache (or an id pasted as is).
  const actorText = typed.actor.trim();
  const actorMatch = useCmd(
    "members",
    actorText && !UUID.test(actorText)
      ? { account: account.key, query: { workspace_id: ws.id, search: actorText, workspace_role: null, communities: [], role_id: null, assignment_type: null, two_factor: null, status: "active", sort: "email", descending: false, offset: 0, limit: 5 } }
      : null,
  );
  const actorId = !actorText ? null : UUID.test(actorText) ? actorText : (actorMatch.data?.rows.find((r) => r.email.toLowerCase() === actorText.toLowerCase())?.user_id ?? null);
  const byEmail = actorText !== "" && !UUID.test(actorText);
  // Until the email is resolved the log is not searched (it would be searched without the actor).
  const actorPending = byEmail && actorMatch.data === undefined;
  const actorUnknown = byEmail && actorMatch.data !== undefined && actorId === null;
  const search: AuditSearch = useMemo(() => {
    const [from, to] = dayRange(typed.from, typed.to);
    return {
      action: typed.action.trim() || null,
      actor_id: actorId,
      target_kind: typed.targetKind || null,
      target_id: null,
      community_id: typed.community || null,
      from,
      to,
    };
  }, [typed, actorId]);
  const log = useInfiniteQuery<Page<AuditEntry>, ClientError, { pages: Page<AuditEntry>[] }, unknown[], string | null>({
    queryKey: ["audit", args, search],
    queryFn: ({ pageParam }) => call("audit", { ...args, search, cursor: pageParam }),
    initialPageParam: null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled: !offline && !actorUnknown && !actorPending,
    // Never show an old copy: each visit reads the server again.
    staleTime: 0,
    gcTime: 0,
  });
  const entries = useMemo(() => log.data?.pages.flatMap((p) => p.items) ?? [], [log.data]);
  // Actors, and the members that member actions are about, by email: from the cache for the
  // entries that did not keep their names (older ones).
  const people = usePeople(
    useMemo(() => entries.flatMap((e) => [e.actor_id, e.target_kind === "member" ? e.target_id : null].filter((id) => id && !e.names?.[id])), [entries]),
  );
  const dir = useDirectory();
  const { nameOf } = dir;
  const names = useMemo<Names>(() => (id) => nameOf(id) ?? people(id), [nameOf, people]);
  const actions = useMemo(() => distinct(entries.map((e) => e.action)), [entries]);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const exporting = useMutation<ExportResult, ClientError, ExportFormat>({ mutationFn: (format) => call("audit_export", { ...args, search, format }) });

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
  const filtered = isFiltered(f);
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
          <input type="search" value={f.actor} onChange={(e) => set({ actor: e.target.value })} placeholder="email or user id" aria-invalid={actorUnknown} />
        </label>
        <label>
          Target
          <select value={f.targetKind} onChange={(e) => set({ targetKind: e.target.value })}>
            <option value="">Any kind</option>
            {AUDIT_TARGETS.map((k) => <option key={k} value={k}>{k}</option>)}
          </select>
        </label>
        <label>
          Community
          <select value={f.community} onChange={(e) => set({ community: e.target.value })}>
            <option value="">Any community</option>
            {dir.communities.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
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
        <button type="button" disabled={!filtered} onClick={() => setF(NO_FILTERS)}>Clear filters</button>
      </form>
      <div className="row au-export" role="group" aria-label="Export the matching entries">
        {(["csv", "json"] as const).map((format) => (
          <button
            key={format}
            type="button"
            disabled={exporting.isPending || actorUnknown || actorPending}
            title={actorUnknown ? "Fix the actor first: no member has that email." : undefined}
            onClick={() => exporting.mutate(format)}
          >
            {exporting.isPending && exporting.variables === format ? "Exporting…" : `Export ${filtered ? "matches" : "the log"} as ${format.toUpperCase()}`}
          </button>
        ))}
        {exporting.isSuccess && <span role="status" className="ok small">{exportedSentence(exporting.data, "audit")}</span>}
        <ErrorNote error={exporting.error} />
      </div>
      <p className="muted small">Times and days in your time zone, {zone}. Filters search the whole log on the server.</p>
      {actorUnknown && <p className="warn small" role="note">No member of {ws.name} has the email “{actorText}”. For someone who has left, paste their user id.</p>}
      {actorUnknown ? null : log.isLoading || actorPending ? (
        <Loading what="the audit log" />
      ) : log.error && !log.data ? (
        <ErrorNote error={log.error} onRetry={() => log.refetch()} />
      ) : entries.length === 0 ? (
        <Empty>{filtered ? "No entry in the whole log matches these filters." : "No audit entries in this workspace yet."}</Empty>
      ) : (
        <>
          <p className="muted small" role="status" aria-live="polite">
            {`${entries.length} ${filtered ? "matching " : ""}entr${entries.length === 1 ? "y" : "ies"} shown`}
            {log.hasNextPage ? "; older ones match too: Load more." : filtered ? "; that is every match." : "; that is the whole log."}
          </p>
          <table className="au-table" aria-label="Audit entries">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">What happened</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <Row key={e.id} e={e} names={entryNames(e.names ?? {}, names)} />
              ))}
            </tbody>
          </table>
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

/**
 * One entry: who, when, what (the sentence Rust wrote, naming ids as they were), and behind
 * "Details" the target, the changed fields and the raw before/after.
 */
function Row({ e, names }: { e: AuditEntry; names: Names }) {
  const lines = diffSummary(e.before, e.after, 6, names);
  const target = names(e.target_id);
  const actor = e.actor_id ? (names(e.actor_id) ?? e.actor_id) : "system";
  const short = e.target_id.length > 12 ? `${e.target_id.slice(0, 8)}…` : e.target_id;
  const sentence = e.summary || `${e.action} on ${e.target_kind} ${target ?? short}`;
  return (
    <tr data-entry={e.id}>
      <td className="au-time" title={e.at}>{formatDateTime(e.at)}</td>
      <td className="au-actor" title={e.actor_id ?? "system"}>{actor}</td>
      <td><code>{e.action}</code></td>
      <td className="au-change">
        <p className="au-summary">{sentence}</p>
        <details className="au-details">
          <summary className="small">Details</summary>
          <p className="small">
            {e.target_kind}{" "}
            {target ? <span title={e.target_id}>{target}</span> : <span className="muted" title={e.target_id}>{short}</span>}
          </p>
          {lines.length === 0 ? (
            <p className="muted small">No fields changed.</p>
          ) : (
            <ul aria-label="Changed fields">
              {lines.map((l, i) => <li key={i}>{l}</li>)}
            </ul>
          )}
          {(e.before !== null || e.after !== null) && <pre aria-label="Before and after">{JSON.stringify({ before: e.before, after: e.after }, null, 2)}</pre>}
          <p className="small muted">Request {e.request_id}</p>
        </details>
      </td>
    </tr>
  );
}
