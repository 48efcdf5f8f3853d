import { useCallback, useEffect, useMemo, useState } from "react";
import { getCurrentWindow } from "@tauri-apps/api/window";
import type { AccountView } from "./bindings/AccountView";
import type { Aggregate } from "./bindings/Aggregate";
import type { ClientError } from "./bindings/ClientError";
import type { DemoHint } from "./bindings/DemoHint";
import type { MemberPage } from "./bindings/MemberPage";
import type { Progress } from "./bindings/Progress";
import type { Workspace } from "./bindings/Workspace";
import { asClientError, call, onSyncProgress } from "./ipc";
import { age } from "./format";
import { useHotkey } from "./hotkeys";
import { visit, type PaletteItem } from "./palette";
import { Palette } from "./Palette";
import { permissionRows } from "./permissions";
import type { MemberDetail } from "./bindings/MemberDetail";
import type { Community } from "./bindings/Community";
import type { Role } from "./bindings/Role";
import type { UiPrefs } from "./bindings/UiPrefs";

const PAGE = 50;

export function App() {
  const [accounts, setAccounts] = useState<AccountView[] | null>(null);
  const [demo, setDemo] = useState<DemoHint | null>(null);
  const [active, setActive] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);

  const reload = useCallback(async () => {
    const list = await call("list_accounts", {});
    setAccounts(list);
    setActive((cur) => (cur && list.some((a) => a.key === cur) ? cur : (list[0]?.key ?? null)));
  }, []);

  useEffect(() => {
    reload().catch(() => setAccounts([]));
    call("demo_hint", {}).then(setDemo).catch(() => setDemo(null));
  }, [reload]);

  if (accounts === null) return <p className="loading">Opening Tenantry…</p>;
  const account = accounts.find((a) => a.key === active);
  if (!account || adding) {
    return (
      <SignIn
        demo={demo}
        canCancel={accounts.length > 0}
        onCancel={() => setAdding(false)}
        onSignedIn={async (a) => {
          setAdding(false);
          await reload();
          setActive(a.key);
        }}
      />
    );
  }
  return (
    <ConsoleView
      key={account.key}
      account={account}
      accounts={accounts}
      onSwitchAccount={setActive}
      onAddAccount={() => setAdding(true)}
      onSignedOut={reload}
    />
  );
}

function SignIn(props: { demo: DemoHint | null; canCancel: boolean; onCancel: () => void; onSignedIn: (a: AccountView) => void }) {
  const { demo } = props;
  const [server, setServer] = useState(demo?.server ?? "");
  const [email, setEmail] = useState(demo?.email ?? "");
  const [password, setPassword] = useState("");
  const [totp, setTotp] = useState("");
  const [needTotp, setNeedTotp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ClientError | null>(null);

  useEffect(() => {
    if (demo && !server) setServer(demo.server);
    if (demo && !email) setEmail(demo.email);
  }, [demo, server, email]);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const a = await call("add_account", { server, email, password, totp: needTotp ? totp : null });
      props.onSignedIn(a);
    } catch (err) {
      const ce = asClientError(err);
      if (ce.code === "totp_required") setNeedTotp(true);
      setError(ce);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="signin">
      <h1>Tenantry</h1>
      <p className="muted">Sign in to a tenancy server. Your session token is kept in the system keyring.</p>
      {demo && (
        <aside className="demo" aria-label="Demo server">
          <strong>Demo server running</strong> at <code>{demo.server}</code>. Sign in as <code>{demo.email}</code> with password{" "}
          <code>{demo.password}</code>.
          <button type="button" onClick={() => { setServer(demo.server); setEmail(demo.email); setPassword(demo.password); }}>
            Fill in
          </button>
        </aside>
      )}
      <form onSubmit={submit}>
        <label>
          Server
          <input name="server" value={server} onChange={(e) => setServer(e.target.value)} placeholder="https://tenancy.example.com" required autoFocus={!demo} />
        </label>
        <label>
          Email
          <input name="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
        </label>
        <label>
          Password
          <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} required autoFocus={!!demo} />
        </label>
        {needTotp && (
          <label>
            Two-factor code
            <input name="totp" inputMode="numeric" autoComplete="one-time-code" value={totp} onChange={(e) => setTotp(e.target.value)} maxLength={6} required autoFocus />
          </label>
        )}
        {error && <p role="alert" className="error">{error.message}</p>}
        <div className="row">
          <button type="submit" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
          {props.canCancel && <button type="button" onClick={props.onCancel}>Cancel</button>}
        </div>
      </form>
    </main>
  );
}

/** A stable colour per workspace until the user picks one. */
function colourOf(slug: string): string {
  let h = 0;
  for (const c of slug) h = (h * 31 + c.charCodeAt(0)) % 360;
  return `hsl(${h} 60% 45%)`;
}

function ConsoleView(props: { account: AccountView; accounts: AccountView[]; onSwitchAccount: (k: string) => void; onAddAccount: () => void; onSignedOut: () => void }) {
  const { account } = props;
  const [workspaces, setWorkspaces] = useState<Workspace[]>([]);
  const [wsId, setWsId] = useState<string | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [syncedAt, setSyncedAt] = useState<string | null>(account.last_sync_at);
  const [offline, setOffline] = useState<ClientError | null>(null);
  const [syncError, setSyncError] = useState<ClientError | null>(null);

  const loadWorkspaces = useCallback(async () => {
    const list = await call("workspaces", { account: account.key, search: null });
    setWorkspaces(list);
    setWsId((cur) => (cur && list.some((w) => w.id === cur) ? cur : (list[0]?.id ?? null)));
  }, [account.key]);

  const sync = useCallback(async () => {
    setSyncError(null);
    try {
      await call("sync_now", { account: account.key });
      setOffline(null);
      const st = await call("sync_status", { account: account.key });
      setSyncedAt(st.last_sync_at);
      await loadWorkspaces();
    } catch (e) {
      const ce = asClientError(e);
      if (ce.code === "offline") setOffline(ce);
      else setSyncError(ce);
    } finally {
      setProgress(null);
    }
  }, [account.key, loadWorkspaces]);

  useEffect(() => {
    const un = onSyncProgress((e) => { if (e.account === account.key) setProgress(e.progress); });
    loadWorkspaces().then(sync);
    return () => { un.then((f) => f()); };
  }, [account.key, loadWorkspaces, sync]);

  const [prefs, setPrefs] = useState<UiPrefs>({ favourites: [], recents: [], colours: {}, production: [] });
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [paletteItems, setPaletteItems] = useState<PaletteItem[]>([]);
  useEffect(() => { call("ui_prefs", {}).then(setPrefs).catch(() => {}); }, []);
  const savePrefs = useCallback((p: UiPrefs) => { setPrefs(p); call("save_ui_prefs", { prefs: p }).then(setPrefs).catch(() => {}); }, []);
  useHotkey("palette", () => setPaletteOpen(true));
  useHotkey("sync", () => { if (progress === null) sync(); });
  useEffect(() => {
    if (!paletteOpen) return;
    call("all_communities", { account: account.key })
      .then((cs) => {
        const names = new Map(workspaces.map((w) => [w.id, w.name]));
        setPaletteItems([
          ...workspaces.map((w): PaletteItem => ({ key: `workspace:${w.id}`, label: w.name, detail: w.slug, kind: "workspace" })),
          ...cs.map((c): PaletteItem => ({ key: `community:${c.id}:${c.workspace_id}`, label: c.name, detail: names.get(c.workspace_id) ?? "", kind: "community" })),
        ]);
      })
      .catch(() => setPaletteItems(workspaces.map((w) => ({ key: `workspace:${w.id}`, label: w.name, detail: w.slug, kind: "workspace" }))));
  }, [paletteOpen, account.key, workspaces]);

  const ws = workspaces.find((w) => w.id === wsId) ?? null;
  useEffect(() => {
    const title = ws ? `${ws.name} — Tenantry` : "Tenantry";
    document.title = title;
    getCurrentWindow().setTitle(title).catch(() => {});
  }, [ws]);

  const colour = ws ? (prefs.colours[ws.id] ?? colourOf(ws.slug)) : "gray";
  const production = ws ? prefs.production.includes(ws.id) : false;
  return (
    <div className="console">
      {paletteOpen && (
        <Palette
          items={paletteItems}
          favourites={prefs.favourites}
          recents={prefs.recents}
          onClose={() => setPaletteOpen(false)}
          onToggleFavourite={(k) => savePrefs({ ...prefs, favourites: prefs.favourites.includes(k) ? prefs.favourites.filter((f) => f !== k) : [...prefs.favourites, k] })}
          onPick={(item) => {
            const [kind, id, parent] = item.key.split(":");
            setWsId(kind === "workspace" ? id : parent);
            savePrefs({ ...prefs, recents: visit(prefs.recents, item.key) });
            setPaletteOpen(false);
          }}
        />
      )}
      <header style={{ borderTopColor: colour }}>
        <span className="ws-dot" style={{ background: colour }} aria-hidden />
        <label className="switcher">
          <span className="sr-only">Workspace</span>
          <select aria-label="Workspace" value={wsId ?? ""} onChange={(e) => setWsId(e.target.value)}>
            {workspaces.map((w) => <option key={w.id} value={w.id}>{w.name}</option>)}
          </select>
        </label>
        <h1 className="ws-name">{ws?.name ?? "No workspace"}</h1>
        {production && <span className="badge production" title="Marked as production: destructive changes ask for confirmation">production</span>}
        {ws && (
          <label className="muted small">
            <input type="checkbox" checked={production} onChange={(e) => savePrefs({ ...prefs, production: e.target.checked ? [...prefs.production, ws.id] : prefs.production.filter((p) => p !== ws.id) })} /> production
          </label>
        )}
        <button className="muted" onClick={() => setPaletteOpen(true)} title="Command palette (Ctrl+K)">Go to… Ctrl+K</button>
        <span className="spacer" />
        <select aria-label="Account" value={account.key} onChange={(e) => props.onSwitchAccount(e.target.value)}>
          {props.accounts.map((a) => <option key={a.key} value={a.key}>{a.email} — {a.server}</option>)}
        </select>
        <button onClick={props.onAddAccount}>Add account</button>
        <button onClick={sync} disabled={progress !== null}>Sync</button>
        <button onClick={async () => { await call("sign_out", { account: account.key }); props.onSignedOut(); }}>Sign out</button>
      </header>
      {offline && (
        <div role="status" className="banner offline">
          Offline — {offline.message} Showing data from {age(syncedAt)}.
        </div>
      )}
      {syncError && <div role="alert" className="banner error">{syncError.message}</div>}
      {progress && (
        <div className="banner" role="progressbar" aria-valuemin={0} aria-valuemax={Number(progress.total)} aria-valuenow={Number(progress.done)}>
          Syncing… {progress.done} of {progress.total} changes
          <progress max={Math.max(1, Number(progress.total))} value={Number(progress.done)} />
        </div>
      )}
      <p className="muted status">Data from {age(syncedAt)}.</p>
      {ws ? <WorkspaceView account={account.key} ws={ws} /> : <p className="empty">No workspaces yet. When you are invited to one, it appears here after a sync.</p>}
    </div>
  );
}

function WorkspaceView({ account, ws }: { account: string; ws: Workspace }) {
  const [search, setSearch] = useState("");
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<MemberPage | null>(null);
  const [agg, setAgg] = useState<Aggregate | null>(null);
  const [error, setError] = useState<ClientError | null>(null);
  const [selected, setSelected] = useState<string | null>(null);

  useEffect(() => setOffset(0), [search, ws.id]);
  useEffect(() => {
    let live = true;
    call("members", {
      account,
      query: { workspace_id: ws.id, search: search || null, workspace_role: null, communities: [], role_id: null, assignment_type: null, two_factor: null, status: "all", sort: "email", descending: false, offset, limit: PAGE },
    })
      .then((p) => { if (live) { setPage(p); setError(null); } })
      .catch((e) => live && setError(asClientError(e)));
    return () => { live = false; };
  }, [account, ws.id, search, offset]);
  useEffect(() => {
    call("communities", { account, workspaceId: ws.id, search: null })
      .then((cs) => (cs.length ? call("aggregate", { account, workspaceId: ws.id, communities: cs.map((c) => c.id) }) : null))
      .then(setAgg)
      .catch(() => setAgg(null));
  }, [account, ws.id]);

  const total = page ? Number(page.total) : 0;
  const coverage = useMemo(() => (agg && agg.members ? Math.round((100 * agg.members_with_2fa) / agg.members) : null), [agg]);
  return (
    <section className="workspace">
      {agg && (
        <dl className="totals" aria-label="Totals">
          <div><dt>Members with roles</dt><dd>{agg.members}</dd></div>
          <div><dt>Pending invitations</dt><dd>{agg.pending_invitations}</dd></div>
          <div><dt>API keys</dt><dd>{agg.api_keys}</dd></div>
          <div><dt>2FA coverage</dt><dd>{coverage === null ? "—" : `${coverage}%`}</dd></div>
          <div><dt>Plan</dt><dd>{ws.plan}</dd></div>
        </dl>
      )}
      <div className="row">
        <input type="search" aria-label="Search members" placeholder="Search members by name or email" value={search} onChange={(e) => setSearch(e.target.value)} />
        <span className="muted">{total} {total === 1 ? "person" : "people"}</span>
      </div>
      {error && <p role="alert" className="error">{error.message}</p>}
      {!page ? (
        <p className="loading">Loading members…</p>
      ) : page.rows.length === 0 ? (
        <p className="empty">{search ? `Nobody matches “${search}”.` : "This workspace has no members yet."}</p>
      ) : (
        <table className="members">
          <thead>
            <tr><th>Name</th><th>Email</th><th>Workspace role</th><th>Community roles</th><th>2FA</th></tr>
          </thead>
          <tbody>
            {page.rows.map((r) => (
              <tr
                key={r.user_id ?? r.invitation_id ?? r.email}
                className={r.user_id && r.user_id === selected ? "selected" : undefined}
                tabIndex={r.user_id ? 0 : undefined}
                onClick={() => r.user_id && setSelected(r.user_id)}
                onKeyDown={(e) => { if (e.key === "Enter" && r.user_id) setSelected(r.user_id); }}
              >
                <td>{r.display_name || <em className="muted">Invited</em>}</td>
                <td>{r.email}</td>
                <td>{r.workspace_role}{r.pending && <span className="badge">pending</span>}</td>
                <td>{r.roles.length}</td>
                <td>{r.pending ? "—" : r.two_factor_enabled ? "on" : "off"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {selected && <MemberPanel account={account} ws={ws} userId={selected} onClose={() => setSelected(null)} />}
      <div className="row pager">
        <button disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Previous</button>
        <span className="muted">{total ? `${offset + 1}–${Math.min(offset + PAGE, total)} of ${total}` : ""}</span>
        <button disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>Next</button>
      </div>
    </section>
  );
}

/** A member's roles and effective permissions, with where each comes from. */
function MemberPanel({ account, ws, userId, onClose }: { account: string; ws: Workspace; userId: string; onClose: () => void }) {
  const [detail, setDetail] = useState<MemberDetail | null | undefined>(undefined);
  const [communities, setCommunities] = useState<Community[]>([]);
  const [roles, setRoles] = useState<Role[]>([]);
  useEffect(() => {
    setDetail(undefined);
    call("member", { account, workspaceId: ws.id, userId }).then(setDetail).catch(() => setDetail(null));
    call("communities", { account, workspaceId: ws.id, search: null }).then(setCommunities).catch(() => {});
    call("roles", { account, workspaceId: ws.id }).then(setRoles).catch(() => {});
  }, [account, ws.id, userId]);
  const cname = (id: string) => communities.find((c) => c.id === id)?.name ?? "a removed community";
  const rname = (id: string) => roles.find((r) => r.id === id)?.name ?? "a removed role";
  return (
    <aside className="panel" aria-label="Member details" onKeyDown={(e) => e.key === "Escape" && onClose()}>
      <button className="close" onClick={onClose} aria-label="Close member details">×</button>
      {detail === undefined ? (
        <p className="loading">Loading…</p>
      ) : detail === null ? (
        <p className="empty">This member is no longer in the cache; sync to refresh.</p>
      ) : (
        <>
          <h2>{detail.member.display_name}</h2>
          <p className="muted">{detail.member.email} · workspace {detail.member.role} · 2FA {detail.member.two_factor_enabled ? "on" : "off"}</p>
          <h3>Community roles</h3>
          {detail.assignments.length === 0 ? (
            <p className="muted">No community roles{detail.member.role !== "member" ? `; as workspace ${detail.member.role} they hold Admin permissions everywhere` : ""}.</p>
          ) : (
            <ul>{detail.assignments.map((a) => <li key={a.id}>{rname(a.role_id)} in {cname(a.community_id)} <span className="muted">({a.assignment_type})</span></li>)}</ul>
          )}
          <h3>Effective permissions</h3>
          <table className="perms">
            <thead><tr><th>Permission</th><th>Where</th><th>Granted by</th></tr></thead>
            <tbody>
              {permissionRows(detail.permissions, cname).map((p) => (
                <tr key={`${p.permission}@${p.where}`}>
                  <td>{p.permission}{p.restricted && <span className="badge" title="Only some intakes">restricted</span>}</td>
                  <td>{p.where}</td>
                  <td>{p.sources.join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </aside>
  );
}
