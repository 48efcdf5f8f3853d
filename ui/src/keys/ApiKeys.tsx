// API keys of one community: list (prefix, roles, creator, dates, revoked state), create —
// the secret is shown once, in the dialog only, and is gone when the dialog closes — and
// revoke. The secret never enters a query or mutation cache: the create call is made directly
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
import { formatDateTime } from "../format";
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
  const list = communities.data ?? [];
  const [picked, setPicked] = useState<string>("");
  const fallback = paneSelection.find((id) => list.some((c) => c.id === id)) ?? list[0]?.id ?? "";
  const communityId = picked && list.some((c) => c.id === picked) ? picked : fallback;
  const community = list.find((c) => c.id === communityId);
  const keys = useCmd("api_keys", communityId ? { account: account.key, communityId } : null);
  const people = usePeople(useMemo(() => (keys.data ?? []).map((k) => k.created_by), [keys.data]));
  const roleName = useMemo(() => {
    const m = new Map((roles.data ?? []).map((r) => [r.id, r.name]));
    return (id: string) => m.get(id) ?? id;
  }, [roles.data]);
  const [creating, setCreating] = useState(false);
  // The form outlives the dialog, so closing it (or a failed create) loses nothing typed.
  const [form, setForm] = useState<KeyForm>(EMPTY);
  useEffect(() => setForm(EMPTY), [communityId]);
  const revoke = useChange("revoke_api_key");
  const sorted = useMemo(
    // Newest first, revoked ones in place: a revoke never slides the next key's Revoke under the pointer.
    () => [...(keys.data ?? [])].sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id)),
    [keys.data],
  );

  if (communities.isLoading) return <Loading what="communities" />;
  if (communities.error) return <ErrorNote error={communities.error} onRetry={() => communities.refetch()} />;
  if (list.length === 0) return <Empty>No communities in this workspace; API keys belong to a community.</Empty>;

  return (
    <div className="api-keys">
      <div className="row ak-toolbar">
        <h2>API keys</h2>
        <label>
          Community{" "}
          <select value={communityId} onChange={(e) => setPicked(e.target.value)} aria-label="Community">
            {list.map((c) => (
              <option key={c.id} value={c.id}>{c.name}</option>
            ))}
          </select>
        </label>
        <span className="spacer" />
        <ServerButton type="button" onClick={() => setCreating(true)}>Create API key…</ServerButton>
      </div>
      <OfflineReason />
      <ErrorNote error={revoke.error} />
      {keys.isLoading ? (
        <Loading what="API keys" />
      ) : keys.error ? (
        <ErrorNote error={keys.error} onRetry={() => keys.refetch()} />
      ) : sorted.length === 0 ? (
        <Empty>No API keys in {community?.name ?? "this community"} yet.</Empty>
      ) : (
        <table className="ak-table" aria-label={`API keys of ${community?.name ?? "the community"}`}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Prefix</th>
              <th scope="col">Roles</th>
              <th scope="col">Created by</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">Status</th>
              <th scope="col"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((k) => {
              const st = keyStatus(k);
              return (
                <tr key={k.id} className={st.active ? undefined : "ak-inactive"}>
                  <td id={`ak-name-${k.id}`}>{k.name}</td>
                  <td><code>{k.prefix}…</code></td>
                  <td>{k.role_ids.map(roleName).join(", ") || <span className="muted">none</span>}</td>
                  <td title={k.created_by}>{people(k.created_by) ?? <span className="muted">{k.created_by.slice(0, 8)}</span>}</td>
                  <td>{formatDateTime(k.created_at)}</td>
                  <td>{k.expires_at ? formatDateTime(k.expires_at) : <span className="muted">never</span>}</td>
                  <td>{k.last_used_at ? formatDateTime(k.last_used_at) : <span className="muted">never</span>}</td>
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
                          if (await guard(`revoke the API key ${k.name} (${k.prefix}…) of ${community?.name ?? "this community"}`, { consequence: "Integrations using it stop working at once. A revoked key cannot be restored; you would create a new one." }))
                            revoke.mutate({ ...base, communityId, apiKeyId: k.id });
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
      )}
      {creating && community && (
        <CreateKeyDialog
          communityId={communityId}
          communityName={community.name}
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
  communityId: string;
  communityName: string;
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
  const problem = !form.name.trim() ? "Give the key a name." : form.roleIds.length === 0 ? "Choose at least one role for the key." : days.problem;

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
    <Dialog key="form" title={`New API key for ${props.communityName}`} onClose={props.onClose}>
      <form
        className="ak-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label>
          Name
          <input autoFocus value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} placeholder="SIEM forwarder" />
        </label>
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
          <ServerButton type="submit" disabled={!!problem} busy={busy} busyLabel="Creating…">Create key</ServerButton>
          <button type="button" onClick={props.onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}
