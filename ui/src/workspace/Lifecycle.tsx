// A workspace's life: create it (slug rules explained as you type), rename it, change its plan,
// delete it by typing its slug, and — for platform admins — restore a deleted one.
import { useEffect, useState } from "react";
import type { AccountView } from "../bindings/AccountView";
import type { ClientError } from "../bindings/ClientError";
import type { Plan } from "../bindings/Plan";
import type { UiPrefs } from "../bindings/UiPrefs";
import type { Workspace } from "../bindings/Workspace";
import { usePane } from "../context";
import { CommunityFields, createRequest, newIdentity, useIdentityCheck, useSlugHint, type Identity } from "../CommunityFields";
import { Dialog, Empty, ErrorNote, Loading, OfflineReason, ServerButton } from "../kit/kit";
import { useChange, useCmd } from "../query";
import { toHex, workspaceColour } from "../colour";
import { counted, formatDate, formatDateTime } from "../format";

export const PLANS: { plan: Plan; label: string }[] = [
  { plan: "free", label: "Free — 5 members, 1 community" },
  { plan: "starter", label: "Starter — 25 members, 5 communities" },
  { plan: "pro", label: "Pro — 500 members, 100 communities" },
  { plan: "enterprise", label: "Enterprise — unlimited (platform admins only)" },
];

export function CreateWorkspaceDialog(props: { account: AccountView; offline: ClientError | null; onClose: () => void; onCreated: (w: Workspace) => void }) {
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [slugTouched, setSlugTouched] = useState(false);
  const [plan, setPlan] = useState<Plan>("free");
  // The first community: named after the workspace until its own fields are edited.
  const [first, setFirst] = useState<Identity>(() => newIdentity("", props.account.email));
  const [firstTouched, setFirstTouched] = useState(false);
  const firstValue: Identity = firstTouched ? first : { ...first, name, slug: slugTouched ? slug : "", slugTouched };
  const hint = useSlugHint(name, slugTouched ? slug : "");
  const firstCheck = useIdentityCheck(firstValue, plan, false);
  const effectiveSlug = slugTouched ? slug : (hint?.suggestion ?? "");
  const slugProblem = slugTouched || name ? (slugTouched ? hint?.problem : effectiveSlug.length < 3 && name ? "The slug needs at least 3 characters; type one." : null) : null;
  const create = useChange("create_workspace", { onSuccess: (w) => props.onCreated(w) });
  const blocked = props.offline ? "The server cannot be reached; creating a workspace needs it. What you typed is kept." : null;
  const ready = !!name && !slugProblem && !firstCheck.checking && firstCheck.problems.length === 0 && blocked === null;
  return (
    <Dialog title="New workspace" onClose={props.onClose} wide>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          if (ready) create.mutate({ account: props.account.key, req: { name, slug: effectiveSlug, plan, first_community: createRequest(firstValue, firstCheck) } });
        }}
      >
        <label>
          Name
          <input autoFocus required value={name} onChange={(e) => setName(e.target.value)} placeholder="Acme Security" />
        </label>
        <label>
          Slug <span className="muted small">(the workspace's address; lower-case letters, digits and single hyphens, 3–30 characters, unique on this server)</span>
          <input
            value={effectiveSlug}
            aria-invalid={!!slugProblem}
            aria-describedby="slug-hint"
            onChange={(e) => {
              setSlugTouched(true);
              setSlug(e.target.value);
            }}
          />
        </label>
        <p id="slug-hint" className={slugProblem ? "error small" : "muted small"} role={slugProblem ? "alert" : undefined}>
          {slugProblem ?? (effectiveSlug ? `Will be reachable as “${effectiveSlug}”.` : "Type a name; a slug is suggested from it.")}
        </p>
        <label>
          Plan
          <select value={plan} onChange={(e) => setPlan(e.target.value as Plan)}>
            {PLANS.map((p) => <option key={p.plan} value={p.plan}>{p.label}</option>)}
          </select>
        </label>
        <fieldset>
          <legend>First community</legend>
          <p className="muted small">Every workspace starts with one community. One is a single-tenant workspace; add more later for a client each (multi-tenant).</p>
          <CommunityFields
            value={firstValue}
            onChange={(v) => {
              setFirstTouched(true);
              setFirst(v);
            }}
            check={firstCheck}
            plan={plan}
            fixedSlug={false}
          />
        </fieldset>
        <ErrorNote error={create.error} />
        {blocked && <p className="muted small">{blocked}</p>}
        <div className="row">
          <button type="submit" disabled={create.isPending || !ready}>{create.isPending ? "Creating…" : "Create workspace"}</button>
          <button type="button" onClick={props.onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}

export function WorkspaceSettings({ prefs, onPrefs }: { prefs: UiPrefs; onPrefs: (p: UiPrefs) => void }) {
  const { account, ws, production, guard } = usePane();
  const [name, setName] = useState<string>(ws.name);
  useEffect(() => setName(ws.name), [ws.id, ws.name]);
  const rename = useChange("update_workspace");
  const plan = useChange("change_plan");
  const usage = useCmd("usage", { account: account.key, workspaceId: ws.id });
  const options = useCmd("plan_options", { account: account.key, workspaceId: ws.id });
  const [deleting, setDeleting] = useState(false);
  const [restoring, setRestoring] = useState(false);
  const colour = workspaceColour(prefs.colours, ws);
  const base = { account: account.key, workspaceId: ws.id, version: ws.version };

  return (
    <div className="settings">
      <section aria-labelledby="ws-identity">
        <h2 id="ws-identity">Workspace</h2>
        <p className="muted small">Slug <code>{ws.slug}</code> · created {formatDate(ws.created_at)}</p>
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            rename.mutate({ ...base, req: { name, security: null } });
          }}
        >
          <label>
            Name <input value={name} onChange={(e) => setName(e.target.value)} aria-label="Workspace name" />
          </label>
          <ServerButton type="submit" busy={rename.isPending} busyLabel="Renaming…" disabled={name.trim() === ws.name || !name.trim()}>Rename</ServerButton>
        </form>
        <ErrorNote error={rename.error} />
      </section>

      <section aria-labelledby="ws-look">
        <h2 id="ws-look">How it looks here</h2>
        <p className="muted small">Kept on this computer only: the colour marks every pane and the header of this workspace.</p>
        <div className="row">
          <label>
            Colour <input type="color" value={toHex(colour)} onChange={(e) => onPrefs({ ...prefs, colours: { ...prefs.colours, [ws.id]: e.target.value } })} />
          </label>
          <label>
            <input
              type="checkbox"
              checked={production}
              onChange={(e) => onPrefs({ ...prefs, production: e.target.checked ? [...prefs.production, ws.id] : prefs.production.filter((p) => p !== ws.id) })}
            />{" "}
            Production — ask before destructive changes
          </label>
        </div>
      </section>

      <section aria-labelledby="ws-plan">
        <h2 id="ws-plan">Plan</h2>
        {usage.data && (
          <p className="muted small">
            {Number(usage.data.members) + Number(usage.data.pending_invitations)} of {usage.data.limits.max_members ?? "unlimited"} member seats used (pending invitations count) ·{" "}
            {usage.data.communities} of {usage.data.limits.max_communities ?? "unlimited"} communities
          </p>
        )}
        <div className="row">
          <select
            aria-label="Plan"
            value={ws.plan}
            onChange={async (e) => {
              const next = e.target.value as Plan;
              if (await guard(`change the plan of ${ws.name} to ${next}`, { productionOnly: true })) plan.mutate({ ...base, plan: next });
            }}
            disabled={plan.isPending}
          >
            {PLANS.map((p) => {
              const refusal = options.data?.find((o) => o.plan === p.plan)?.refusal ?? null;
              return (
                <option key={p.plan} value={p.plan} disabled={refusal !== null}>
                  {p.label}
                  {refusal ? " — not available" : ""}
                </option>
              );
            })}
          </select>
        </div>
        {!!options.data?.some((o) => o.refusal) && (
          <ul className="muted small plan-refusals" aria-label="Plans not available">
            {options.data
              .filter((o) => o.refusal)
              .map((o) => (
                <li key={o.plan}>
                  {PLANS.find((p) => p.plan === o.plan)?.label.split(" — ")[0]}: {o.refusal}
                </li>
              ))}
          </ul>
        )}
        <ErrorNote error={plan.error} />
      </section>

      <section aria-labelledby="ws-danger" className="danger-zone">
        <h2 id="ws-danger">Delete</h2>
        <p className="muted small">Deleting hides the workspace from everyone at once. A platform admin can restore it for 30 days; after that it is purged.</p>
        <div className="row">
          <ServerButton type="button" className="danger" onClick={() => setDeleting(true)}>Delete workspace…</ServerButton>
          <button type="button" onClick={() => setRestoring(true)}>Deleted workspaces…</button>
        </div>
        <OfflineReason />
      </section>
      {deleting && <DeleteWorkspaceDialog onClose={() => setDeleting(false)} />}
      {restoring && <RestoreDialog account={account} onClose={() => setRestoring(false)} />}
    </div>
  );
}

function DeleteWorkspaceDialog({ onClose }: { onClose: () => void }) {
  const { account, ws, guard } = usePane();
  const usage = useCmd("usage", { account: account.key, workspaceId: ws.id });
  const u = usage.data;
  const [typed, setTyped] = useState("");
  const del = useChange("delete_workspace", { onSuccess: onClose });
  const matches = typed.trim() === ws.slug;
  return (
    <Dialog title={`Delete ${ws.name}?`} onClose={onClose}>
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (matches && (await guard(`delete ${ws.name}`, { productionOnly: true }))) del.mutate({ account: account.key, workspaceId: ws.id, version: ws.version, confirmSlug: typed.trim() });
        }}
      >
        <p>
          Everyone loses access to <strong>{ws.name}</strong>, its communities, roles and API keys at once. A platform admin can restore it within 30 days.
        </p>
        {u && (
          <ul aria-label="What would be deleted">
            <li>{counted(Number(u.members), "member", "members")} and {counted(Number(u.client_contacts), "client contact", "client contacts")} lose access</li>
            <li>{counted(Number(u.communities), "community", "communities")} with their intakes and alert volumes</li>
            <li>{counted(Number(u.api_keys), "active API key", "active API keys")} stop working</li>
            <li>{counted(Number(u.pending_invitations), "pending invitation", "pending invitations")} can no longer be accepted</li>
          </ul>
        )}
        <label className="typed-slug">
          Type <code>{ws.slug}</code> to confirm
          <input autoFocus value={typed} onChange={(e) => setTyped(e.target.value)} aria-label="Type the workspace slug to confirm" />
        </label>
        {typed && !matches && <p className="muted small">That is not the slug; it is <code>{ws.slug}</code>.</p>}
        <ErrorNote error={del.error} />
        <OfflineReason />
        <div className="row">
          <ServerButton type="submit" className="danger" disabled={!matches} busy={del.isPending} busyLabel="Deleting…">Delete workspace</ServerButton>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}

/** Platform admins: workspaces deleted in the last 30 days, restorable. */
export function RestoreDialog({ account, onClose }: { account: AccountView; onClose: () => void }) {
  // Read from the server: asked again when the dialog opens after a few seconds.
  const deleted = useCmd("deleted_workspaces", { account: account.key }, { staleTime: 5_000 });
  const restore = useChange("restore_workspace");
  return (
    <Dialog title="Deleted workspaces" onClose={onClose}>
      {deleted.isLoading ? (
        <Loading what="deleted workspaces" />
      ) : deleted.error ? (
        <ErrorNote error={deleted.error} onRetry={() => deleted.refetch()} />
      ) : !deleted.data?.length ? (
        <Empty>No workspace was deleted in the last 30 days.</Empty>
      ) : (
        <table className="grid">
          <thead>
            <tr><th>Workspace</th><th>Slug</th><th>Deleted</th><th /></tr>
          </thead>
          <tbody>
            {deleted.data.map((w) => (
              <tr key={w.id}>
                <td>{w.name}</td>
                <td><code>{w.slug}</code></td>
                <td>{formatDateTime(w.deleted_at)}</td>
                <td>
                  <button type="button" disabled={restore.isPending} onClick={() => restore.mutate({ account: account.key, workspaceId: w.id })}>
                    Restore {w.name}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorNote error={restore.error} />
      {restore.isSuccess && <p role="status">Restored {restore.data.name}.</p>}
    </Dialog>
  );
}
