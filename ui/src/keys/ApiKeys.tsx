// API keys of the pane's selected communities (all of the workspace when none is selected) in
// one list — community, prefix, roles, creator, dates, revoked state —, create in one chosen
// community — the secret is shown once, in the dialog only, and is gone when the dialog closes —
// and revoke. The secret never enters a query or mutation cache: the create call is made directly
// and its answer lives only in the dialog's own state.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import type { ApiKey } from "../bindings/ApiKey";
import type { ClientError } from "../bindings/ClientError";
import type { Role } from "../bindings/Role";
import { usePane } from "../context";
import { asClientError, call } from "../ipc";
import { Dialog, Empty, ErrorNote, Loading, OfflineReason, ServerButton } from "../kit/kit";
import { useChange, useCmd } from "../query";
import { orderRoles, usePeople } from "../directory";
import { counted, formatDateTime, formatNumber } from "../format";
import type { Community } from "../bindings/Community";
import "./keys.css";

export type KeyForm = { name: string; roleIds: string[]; days: string };
/** New keys expire after 90 days unless the person says otherwise: a forgotten key stops on its own. */
const DEFAULT_DAYS = "90";
const EMPTY: KeyForm = { name: "", roleIds: [], days: DEFAULT_DAYS };

/** The expiry field: empty (never) or whole days 1–3650; a sentence when it is neither. */
export function parseDays(s: string): { days: number | null; problem: string | null } {
  const t = s.trim();
  if (!t) return { days: null, problem: null };
  if (!/^\d+$/.test(t)) return { days: null, problem: "Expiry is a whole number of days; leave it empty for a key that does not expire." };
  const n = Number(t);
  if (n < 1 || n > 3650) return { days: null, problem: "Expiry must be between 1 and 3650 days." };
  return { days: n, problem: null };
}

/** The columns the list sorts by. Status is not one of them: a revoke would move the row (and
 *  put the next key's Revoke under the pointer). */
export type KeySortBy = "name" | "community" | "created" | "expires" | "last_used";
export type KeySort = { by: KeySortBy; desc: boolean };
export const NEWEST_FIRST: KeySort = { by: "created", desc: true };
/** Which way a column sorts on its first click: names A→Z, expiry soonest first, the rest newest first. */
const FIRST_DESC: Record<KeySortBy, boolean> = { name: false, community: false, expires: false, created: true, last_used: true };
/** Rows shown at first, and added by "Show more": a workspace of 1,000 communities has 1,000 keys or more. */
export const PAGE = 200;

const names = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/**
 * The keys in `sort`'s order; ties newest first (then by id), so the order is always the same.
 * Communities sort in `order` (their natural order, from the Rust side: "Client 2" before
 * "Client 10"); keys never used or never expiring go last either way round.
 */
export function sortKeys(keys: ApiKey[], sort: KeySort, order: Map<string, number>, communityName: (id: string) => string): ApiKey[] {
  const time = (t: string | null) => (t ? new Date(t).getTime() : null);
  const cmp = (a: ApiKey, b: ApiKey): number => {
    switch (sort.by) {
      case "name":
        return names.compare(a.name, b.name);
      case "community":
        return (order.get(a.community_id) ?? Infinity) - (order.get(b.community_id) ?? Infinity) || names.compare(communityName(a.community_id), communityName(b.community_id));
      case "created":
        return (time(a.created_at) ?? 0) - (time(b.created_at) ?? 0);
      case "expires":
      case "last_used":
        return 0; // handled below: an absent date is last in both directions
    }
  };
  const sign = sort.desc ? -1 : 1;
  const tie = (a: ApiKey, b: ApiKey) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id);
  return [...keys].sort((a, b) => {
    if (sort.by === "expires" || sort.by === "last_used") {
      const [x, y] = sort.by === "expires" ? [time(a.expires_at), time(b.expires_at)] : [time(a.last_used_at), time(b.last_used_at)];
      if (x === null || y === null) return x === y ? tie(a, b) : x === null ? 1 : -1;
      return sign * (x - y) || tie(a, b);
    }
    return sign * cmp(a, b) || tie(a, b);
  });
}

/** What the list covers, for its heading and the table's name. */
export function keysScope(selected: string[], all: Community[]): string {
  const known = selected.filter((id) => all.some((c) => c.id === id));
  if (known.length === 0 || known.length === all.length) return all.length === 1 ? all[0].name : `all ${formatNumber(all.length)} communities`;
  if (known.length === 1) return all.find((c) => c.id === known[0])!.name;
  return counted(known.length, "community", "communities");
}

export function keyStatus(k: ApiKey, now: Date = new Date()): { label: string; active: boolean } {
  if (k.revoked_at) return { label: `Revoked ${formatDateTime(k.revoked_at)}`, active: false };
  if (k.expires_at && new Date(k.expires_at) <= now) return { label: `Expired ${formatDateTime(k.expires_at)}`, active: false };
  return { label: "Active", active: true };
}

export function ApiKeys() {
  const { account, ws, communities: paneSelection, guard } = usePane();
  const base = { account: account.key, workspaceId: ws.id };
  const communities = useCmd("communities", { ...base, search: null });
  const roles = useCmd("roles", base);
  const list = useMemo(() => communities.data ?? [], [communities.data]);
  // Every selected community's keys in one list (the cache answers them newest first).
  const keys = useCmd("api_keys_of", communities.data ? { ...base, communities: paneSelection } : null);
  const byId = useMemo(() => new Map(list.map((c, i) => [c.id, { c, i }])), [list]);
  const order = useMemo(() => new Map(list.map((c, i) => [c.id, i])), [list]);
  const communityName = useMemo(() => (id: string) => byId.get(id)?.c.name ?? id, [byId]);
  const people = usePeople(useMemo(() => (keys.data ?? []).map((k) => k.created_by), [keys.data]));
  const roleName = useMemo(() => {
    const m = new Map((roles.data ?? []).map((r) => [r.id, r.name]));
    return (id: string) => m.get(id) ?? id;
  }, [roles.data]);
  // The community a new key is made in: one must be chosen (a key belongs to one community).
  // It starts at the first selected one and is kept, like the form, between dialogs.
  const [picked, setPicked] = useState<string>("");
  const fallback = paneSelection.find((id) => byId.has(id)) ?? list[0]?.id ?? "";
  const createIn = picked && byId.has(picked) ? picked : fallback;
  const [creating, setCreating] = useState(false);
  // The form outlives the dialog, so closing it (or a failed create) loses nothing typed.
  const [form, setForm] = useState<KeyForm>(EMPTY);
  const revoke = useChange("revoke_api_key");
  const [sort, setSort] = useState<KeySort>(NEWEST_FIRST);
  const [find, setFind] = useState("");
  const [limit, setLimit] = useState(PAGE);
  const sorted = useMemo(() => {
    const needle = find.trim().toLowerCase();
    const shown = needle
      ? (keys.data ?? []).filter((k) => k.name.toLowerCase().includes(needle) || k.prefix.toLowerCase().includes(needle) || communityName(k.community_id).toLowerCase().includes(needle))
      : (keys.data ?? []);
    // The order depends on the sort only, never on a key's state: a revoke never slides the
    // next key's Revoke under the pointer.
    return sortKeys(shown, sort, order, communityName);
  }, [keys.data, sort, order, communityName, find]);

  if (communities.isLoading) return <Loading what="communities" />;
  if (communities.error) return <ErrorNote error={communities.error} onRetry={() => communities.refetch()} />;
  if (list.length === 0) return <Empty>No communities in this workspace; API keys belong to a community.</Empty>;

  const scope = keysScope(paneSelection, list);
  const many = (keys.data?.length ?? 0) > 10;
  const sortOf = (by: KeySortBy) => (sort.by === by ? (sort.desc ? "descending" : "ascending") : undefined);
  // `wide`: a column a narrow pane drops (keys.css), so Revoke stays within reach.
  const head = (by: KeySortBy, label: string, wide = false) => (
    <th scope="col" aria-sort={sortOf(by)} className={wide ? "ak-wide" : undefined}>
      <button type="button" className="ak-sort" onClick={() => setSort((s) => (s.by === by ? { by, desc: !s.desc } : { by, desc: FIRST_DESC[by] }))}>
        {label}
      </button>
    </th>
  );

  return (
    <div className="api-keys">
      <div className="row ak-toolbar">
        <h2>API keys</h2>
        <span className="muted" data-testid="ak-scope">of {scope}</span>
        {many && (
          <label className="small">
            <span className="sr-only">Find keys</span>
            <input type="search" value={find} onChange={(e) => (setFind(e.target.value), setLimit(PAGE))} placeholder="Find by name, prefix or community" aria-label="Find keys" />
          </label>
        )}
        <span className="spacer" />
        <ServerButton type="button" onClick={() => setCreating(true)}>Create API key…</ServerButton>
      </div>
      <OfflineReason />
      <ErrorNote error={revoke.error} />
      {keys.error ? (
        <ErrorNote error={keys.error} onRetry={() => keys.refetch()} />
      ) : !keys.data ? (
        <Loading what="API keys" />
      ) : keys.data.length === 0 ? (
        <Empty>No API keys in {scope} yet.</Empty>
      ) : sorted.length === 0 ? (
        <Empty>No key of {scope} matches “{find.trim()}”.</Empty>
      ) : (
        <>
          <table className="ak-table" aria-label={`API keys of ${scope}`}>
            <thead>
              <tr>
                {head("name", "Name")}
                {head("community", "Community")}
                <th scope="col">Prefix</th>
                <th scope="col">Roles</th>
                <th scope="col" className="ak-wide">Created by</th>
                {head("created", "Created", true)}
                {head("expires", "Expires")}
                {head("last_used", "Last used", true)}
                <th scope="col">Status</th>
                <th scope="col"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {sorted.slice(0, limit).map((k) => {
                const st = keyStatus(k);
                const cname = communityName(k.community_id);
                return (
                  <tr key={k.id} className={st.active ? undefined : "ak-inactive"} data-key={k.id}>
                    <td id={`ak-name-${k.id}`}>{k.name}</td>
                    <td data-testid="ak-community">{cname}</td>
                    <td><code>{k.prefix}…</code></td>
                    <td>{k.role_ids.map(roleName).join(", ") || <span className="muted">none</span>}</td>
                    <td className="ak-wide" title={k.created_by}>{people(k.created_by) ?? <span className="muted">{k.created_by.slice(0, 8)}</span>}</td>
                    <td className="ak-wide">{formatDateTime(k.created_at)}</td>
                    <td>{k.expires_at ? formatDateTime(k.expires_at) : <span className="muted">never</span>}</td>
                    <td className="ak-wide">{k.last_used_at ? formatDateTime(k.last_used_at) : <span className="muted">never</span>}</td>
                    <td>{st.label}</td>
                    <td>
                      {!k.revoked_at && (
                        <ServerButton
                          type="button"
                          className="danger small"
                          aria-describedby={`ak-name-${k.id}`}
                          busy={revoke.isPending && revoke.variables?.apiKeyId === k.id}
                          busyLabel="Revoking…"
                          onClick={async () => {
                            if (await guard(`revoke the API key ${k.name} (${k.prefix}…) of ${cname}`, { consequence: "Integrations using it stop working at once. A revoked key cannot be restored; you would create a new one." }))
                              revoke.mutate({ ...base, communityId: k.community_id, apiKeyId: k.id });
                          }}
                        >
                          Revoke
                        </ServerButton>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {sorted.length > limit && (
            <div className="row ak-more">
              <span className="muted small">Showing {formatNumber(limit)} of {counted(sorted.length, "key", "keys")}.</span>
              <button type="button" onClick={() => setLimit((n) => n + PAGE)}>Show {formatNumber(Math.min(PAGE, sorted.length - limit))} more</button>
            </div>
          )}
        </>
      )}
      {creating && (
        <CreateKeyDialog
          communities={list}
          communityId={createIn}
          setCommunityId={setPicked}
          roles={orderRoles(roles.data ?? [])}
          form={form}
          setForm={setForm}
          onCreated={() => setForm(EMPTY)}
          onClose={() => setCreating(false)}
        />
      )}
    </div>
  );
}

function CreateKeyDialog(props: {
  communities: Community[];
  communityId: string;
  setCommunityId: (id: string) => void;
  roles: Role[];
  form: KeyForm;
  setForm: (f: KeyForm) => void;
  onCreated: () => void;
  onClose: () => void;
}) {
  const { account, ws } = usePane();
  const qc = useQueryClient();
  const { form, setForm } = props;
  // The one place the secret lives; unmounting the dialog drops it.
  const [created, setCreated] = useState<{ name: string; prefix: string; secret: string } | null>(null);
  const [error, setError] = useState<ClientError | null>(null);
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const secretField = useRef<HTMLInputElement>(null);
  const days = parseDays(form.days);
  const chosen = new Set(form.roleIds);
  const communityName = props.communities.find((c) => c.id === props.communityId)?.name ?? "a community";
  const problem = !props.communityId ? "Choose the community the key belongs to." : !form.name.trim() ? "Give the key a name." : form.roleIds.length === 0 ? "Choose at least one role for the key." : days.problem;

  useEffect(() => {
    if (created) {
      secretField.current?.focus();
      secretField.current?.select();
    }
  }, [created]);

  const submit = async () => {
    if (problem) return;
    setBusy(true);
    setError(null);
    try {
      const out = await call("create_api_key", {
        account: account.key,
        workspaceId: ws.id,
        communityId: props.communityId,
        req: { name: form.name.trim(), role_ids: form.roleIds, expires_in_days: days.days },
      });
      setCreated({ name: out.key.name, prefix: out.key.prefix, secret: out.secret });
      props.onCreated();
      // The list shows the new key; the secret is not part of anything cached.
      void qc.invalidateQueries();
    } catch (e) {
      setError(asClientError(e));
    } finally {
      setBusy(false);
    }
  };

  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied("yes");
    } catch {
      secretField.current?.select();
      setCopied("failed");
    }
  };

  if (created) {
    return (
      <Dialog key="secret" title={`API key “${created.name}” created`} onClose={props.onClose}>
        <p className="ak-once" role="note"><strong>This is the only time the secret is shown. Store it now.</strong> Tenantry keeps only a hash; a lost secret means revoking the key and creating a new one.</p>
        <div className="row">
          <label className="ak-secret">
            Secret
            <input ref={secretField} readOnly value={created.secret} aria-label="Secret" spellCheck={false} onFocus={(e) => e.currentTarget.select()} />
          </label>
          <button type="button" onClick={copy}>Copy</button>
        </div>
        <p className="small" role="status" aria-live="polite">
          {copied === "yes" ? "Copied" : copied === "failed" ? "Could not copy automatically; the secret is selected — press Ctrl+C." : ""}
        </p>
        <div className="row">
          <button type="button" onClick={props.onClose}>Done</button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog key="form" title={`New API key for ${communityName}`} onClose={props.onClose}>
      <form
        className="ak-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label>
          Name
          <input data-autofocus autoFocus value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} placeholder="SIEM forwarder" />
        </label>
        <label>
          Community
          <select value={props.communityId} onChange={(e) => props.setCommunityId(e.target.value)} aria-describedby="ak-community-hint">
            {props.communities.map((c) => (
              <option key={c.id} value={c.id}>{c.name}</option>
            ))}
          </select>
        </label>
        <p id="ak-community-hint" className="muted small">A key works in one community only; its roles apply there.</p>
        <fieldset>
          <legend>Roles</legend>
          <div className="ak-roles">
            {props.roles.map((r) => (
              <label key={r.id}>
                <input
                  type="checkbox"
                  checked={chosen.has(r.id)}
                  onChange={() => setForm({ ...form, roleIds: chosen.has(r.id) ? form.roleIds.filter((x) => x !== r.id) : [...form.roleIds, r.id] })}
                />{" "}
                {r.name}
              </label>
            ))}
          </div>
        </fieldset>
        <label>
          Expires after (days)
          <input inputMode="numeric" value={form.days} onChange={(e) => setForm({ ...form, days: e.target.value })} placeholder="never" aria-describedby="ak-days-hint" />
        </label>
        <p id="ak-days-hint" className="muted small">90 days unless you change it; empty it for a key that does not expire (integrations then keep it until someone revokes it).</p>
        {problem && (form.name || form.roleIds.length || form.days) ? <p className="small ak-problem">{problem}</p> : null}
        <ErrorNote error={error} />
        <OfflineReason />
        <div className="row">
          <ServerButton type="submit" disabled={!!problem} title={problem ?? undefined} busy={busy} busyLabel="Creating…">Create key</ServerButton>
          <button type="button" onClick={props.onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}
