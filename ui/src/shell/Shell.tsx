// The console window: one or more panes side by side (each its own account, server and
// workspace), the command palette, the compare view, accounts, and the keyboard help.
import { getCurrentWindow } from "@tauri-apps/api/window";
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from "react";
import type { AccountView } from "../bindings/AccountView";
import type { PaneRef } from "../bindings/PaneRef";
import type { UiPrefs } from "../bindings/UiPrefs";
import type { Workspace } from "../bindings/Workspace";
import { call } from "../ipc";
import { describe, HOTKEYS, useHotkey } from "../hotkeys";
import { Dialog } from "../kit/kit";
import { itemId, visit, type PaletteItem } from "../palette";
import { accountName } from "../accounts";
import type { Intent } from "../context";
import { Palette } from "../Palette";
import { Pane, TABS, type Tab } from "./Pane";
import { InvitationsDialog, useOffers } from "./Invitations";
import { useAccountSync } from "./sync";
import { OfflineBanners, offlineServers } from "./Banners";
import { AccountsDialog } from "./Accounts";
import { firstPrefs } from "../early";

/** Opened on demand: loaded then (and its script not parsed before the first screen). */
const Compare = lazy(() => import("../compare/Compare").then((m) => ({ default: m.Compare })));

const EMPTY_PREFS: UiPrefs = { favourites: [], recents: [], colours: {}, production: [], panes: [], last_workspace: {}, labels: {} };
type Slot = { account: string; workspace_id: string | null; intent: (Intent & { at: number }) | null };

export function Shell(props: { accounts: AccountView[]; onAddAccount: () => void; onAccountsChanged: () => void }) {
  const { accounts } = props;
  const [prefs, setPrefs] = useState<UiPrefs | null>(null);
  const [slots, setSlots] = useState<Slot[]>([]);
  const [focused, setFocused] = useState(0);
  const [shown, setShown] = useState<Record<number, { ws: Workspace; communities: string[] } | null>>({});
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [comparing, setComparing] = useState(false);
  const [accountsOpen, setAccountsOpen] = useState(false);
  const [help, setHelp] = useState(false);
  const [invitationsOpen, setInvitationsOpen] = useState(false);
  const offers = useOffers(accounts);

  useEffect(() => {
    firstPrefs()
      .then((p) => setPrefs(p))
      .catch(() => setPrefs(EMPTY_PREFS));
  }, []);
  // Panes come back as they were left, minus those whose account was signed out.
  useEffect(() => {
    if (!prefs) return;
    setSlots((cur) => {
      const known = new Set(accounts.map((a) => a.key));
      const base: Slot[] = cur.length ? cur : prefs.panes.map((p) => ({ ...p, intent: null }));
      const kept = base.filter((s) => known.has(s.account));
      return kept.length ? kept : accounts.length ? [{ account: accounts[0].key, workspace_id: prefs.last_workspace[accounts[0].key] ?? null, intent: null }] : [];
    });
  }, [prefs !== null, accounts]); // eslint-disable-line react-hooks/exhaustive-deps

  const savePrefs = useCallback((p: UiPrefs) => {
    setPrefs(p);
    call("save_ui_prefs", { prefs: p }).catch(() => {});
  }, []);
  // Remember the layout whenever a pane's workspace settles.
  useEffect(() => {
    if (!prefs || !slots.length) return;
    const panes: PaneRef[] = slots.flatMap((s, i) => {
      const id = shown[i]?.ws.id ?? s.workspace_id;
      return id ? [{ account: s.account, workspace_id: id }] : [];
    });
    const last = { ...prefs.last_workspace };
    for (const p of panes) last[p.account] = p.workspace_id;
    if (JSON.stringify(panes) !== JSON.stringify(prefs.panes) || JSON.stringify(last) !== JSON.stringify(prefs.last_workspace)) {
      savePrefs({ ...prefs, panes, last_workspace: last });
    }
  }, [slots, shown]); // eslint-disable-line react-hooks/exhaustive-deps

  // Every signed-in account keeps its cache current, shown in a pane or not: one just added
  // syncs at once (its progress shows in Accounts), and the palette finds what it holds.
  const { status, sync } = useAccountSync(useMemo(() => [...new Set([...accounts.filter((a) => a.signed_in).map((a) => a.key), ...slots.map((s) => s.account)])].sort(), [accounts, slots]));

  const focusedSlot = slots[Math.min(focused, slots.length - 1)];
  const focusedWs = shown[Math.min(focused, slots.length - 1)]?.ws ?? null;
  useEffect(() => {
    const title = focusedWs ? `${focusedWs.name} — Tenantry` : "Tenantry";
    document.title = title;
    getCurrentWindow().setTitle(title).catch(() => {});
  }, [focusedWs]);

  const setSlot = (i: number, s: Partial<Slot>) => setSlots((cur) => cur.map((x, j) => (j === i ? { ...x, ...s } : x)));
  const split = () => {
    if (slots.length >= 4 || !focusedSlot) return;
    setSlots([...slots, { ...focusedSlot, intent: null }]);
    setFocused(slots.length);
  };
  const closePane = (i: number) => {
    setSlots(slots.filter((_, j) => j !== i));
    setShown({});
    setFocused(0);
  };

  useHotkey("palette", () => setPaletteOpen(true));
  useHotkey("sync", () => focusedSlot && sync(focusedSlot.account));
  useHotkey("split", split);
  useHotkey("nextPane", () => setFocused((f) => (f + 1) % Math.max(1, slots.length)));
  useHotkey("previousPane", () => setFocused((f) => (f - 1 + Math.max(1, slots.length)) % Math.max(1, slots.length)));
  useHotkey("help", () => setHelp(true));

  // The palette lists every signed-in account's workspaces and communities (read when it
  // opens) and their people (asked as the user types), each named with its account.
  const labels = prefs?.labels ?? {};
  const [paletteItems, setPaletteItems] = useState<PaletteItem[]>([]);
  const [wsNames, setWsNames] = useState<Map<string, string>>(new Map());
  const signedIn = useMemo(() => accounts.filter((a) => a.signed_in), [accounts]);
  useEffect(() => {
    if (!paletteOpen) return;
    let live = true;
    Promise.all(
      signedIn.map(async (a) => {
        const [ws, cs] = await Promise.all([call("workspaces", { account: a.key, search: null }).catch(() => []), call("all_communities", { account: a.key }).catch(() => [])]);
        return { a, ws, cs };
      }),
    ).then((per) => {
      if (!live) return;
      const names = new Map<string, string>();
      // The views of the focused pane, by name ("audit" opens its audit log).
      const items: PaletteItem[] = TABS.map((t) => ({ key: `view:${t.id}`, label: t.label, detail: `view of the focused pane · ${describe(HOTKEYS[t.hotkey])}`, kind: "action" }));
      for (const { a, ws, cs } of per) {
        const where = accountName(a, labels);
        for (const w of ws) names.set(`${a.key}|${w.id}`, w.name);
        items.push(...ws.map((w): PaletteItem => ({ key: `workspace:${w.id}`, label: w.name, detail: w.slug, kind: "workspace", account: a.key, where })));
        items.push(...cs.map((c): PaletteItem => ({ key: `community:${c.id}:${c.workspace_id}`, label: c.name, detail: names.get(`${a.key}|${c.workspace_id}`) ?? "", kind: "community", account: a.key, where })));
      }
      setWsNames(names);
      setPaletteItems(items);
    });
    return () => {
      live = false;
    };
  }, [paletteOpen, signedIn]); // eslint-disable-line react-hooks/exhaustive-deps
  const findPeople = useCallback(
    async (query: string) => {
      const per = await Promise.all(signedIn.map((a) => call("find_people", { account: a.key, query, limit: 20 }).then((hits) => ({ a, hits }), () => ({ a, hits: [] }))));
      return per.flatMap(({ a, hits }) =>
        hits.map((h): PaletteItem => ({
          key: `person:${h.user_id}:${h.workspace_id}`,
          label: h.display_name || h.email,
          alt: h.email,
          detail: `${wsNames.get(`${a.key}|${h.workspace_id}`) ?? "a workspace"} · ${h.workspace_role}`,
          kind: "person",
          account: a.key,
          where: accountName(a, labels),
        })),
      );
    },
    [signedIn, wsNames, labels],
  );
  /** Opens `item` in the pane showing its account (the focused one first), or in the focused
   *  pane, which then switches to that account. */
  const openItem = (item: PaletteItem) => {
    const [kind, id, parent] = item.key.split(":");
    const f = Math.min(focused, slots.length - 1);
    const account = item.account ?? slots[f]?.account;
    const i = slots[f]?.account === account ? f : Math.max(0, slots.findIndex((s) => s.account === account));
    const at = Date.now();
    const into = slots[i]?.account === account ? i : f;
    const to: Partial<Slot> =
      kind === "view"
        ? { intent: { tab: id as Tab, at } }
        : kind === "workspace"
          ? { account, workspace_id: id, intent: null }
          : kind === "community"
            ? { account, workspace_id: parent, intent: { communities: [id], at } }
            : { account, workspace_id: parent, intent: { tab: "members", member: id, at } };
    setSlot(into, to);
    setFocused(into);
  };

  if (!prefs) return <p className="loading">Opening Tenantry…</p>;
  const byKey = new Map(accounts.map((a) => [a.key, a]));
  return (
    <div className="console">
      <div className="topbar">
        <strong className="brand">Tenantry</strong>
        <button type="button" onClick={() => setPaletteOpen(true)} title="Jump to a workspace or community">Go to… <kbd>{describe(HOTKEYS.palette)}</kbd></button>
        <button type="button" onClick={split} disabled={slots.length >= 4} title={`Open another pane side by side (${describe(HOTKEYS.split)})`}>Split pane</button>
        <button type="button" onClick={() => setComparing(true)} disabled={slots.length < 2} title={slots.length < 2 ? "Split the window first: compare needs two panes" : "Who is in one pane's workspace and not the other's"}>
          Compare panes
        </button>
        <span className="spacer" />
        {offers.count > 0 && (
          <button type="button" className="badge-button" onClick={() => setInvitationsOpen(true)}>
            Invitations ({offers.count})
          </button>
        )}
        <button type="button" onClick={() => setAccountsOpen(true)}>Accounts ({accounts.length})</button>
        <button type="button" onClick={() => setHelp(true)} aria-label="Keyboard shortcuts">?</button>
      </div>
      <OfflineBanners
        servers={offlineServers(
          accounts.filter((a) => slots.some((s) => s.account === a.key)),
          status,
        )}
        onRetry={(o) => o.accounts.forEach((k) => void sync(k))}
      />
      <div className="panes" data-count={slots.length}>
        {slots.map((s, i) => {
          const account = byKey.get(s.account);
          if (!account) return null;
          return (
            <Pane
              key={`${i}:${s.account}`}
              index={i}
              account={account}
              workspaceId={s.workspace_id}
              intent={s.intent}
              status={status[s.account]}
              prefs={prefs}
              focused={i === focused}
              closable={slots.length > 1}
              onFocus={() => setFocused(i)}
              onWorkspace={(id) => setSlot(i, { workspace_id: id, intent: null })}
              onClose={() => closePane(i)}
              onSync={() => sync(s.account)}
              onPrefs={savePrefs}
              onShown={(ws, communities) =>
                setShown((cur) => {
                  const was = cur[i];
                  if (was?.ws.id === ws?.id && was?.ws.name === ws?.name && was?.communities.join(",") === communities.join(",")) return cur;
                  return { ...cur, [i]: ws ? { ws, communities } : null };
                })
              }
            />
          );
        })}
      </div>
      {paletteOpen && (
        <Palette
          items={paletteItems}
          findPeople={findPeople}
          here={focusedSlot?.account}
          manyAccounts={signedIn.length > 1}
          favourites={prefs.favourites}
          recents={prefs.recents}
          onClose={() => setPaletteOpen(false)}
          onToggleFavourite={(k) => savePrefs({ ...prefs, favourites: prefs.favourites.includes(k) ? prefs.favourites.filter((f) => f !== k) : [...prefs.favourites, k] })}
          onPick={(item) => {
            openItem(item);
            savePrefs({ ...prefs, recents: visit(prefs.recents, itemId(item)) });
            setPaletteOpen(false);
          }}
        />
      )}
      {comparing && (
        <Suspense fallback={null}>
          <Compare
            panes={slots.flatMap((s, i) => {
              const sh = shown[i];
              const a = byKey.get(s.account);
              return sh && a ? [{ account: a, ws: sh.ws, communities: sh.communities }] : [];
            })}
            onClose={() => setComparing(false)}
          />
        </Suspense>
      )}
      {accountsOpen && (
        <AccountsDialog
          accounts={accounts}
          status={status}
          labels={labels}
          onLabel={(key, label) => savePrefs({ ...prefs, labels: { ...prefs.labels, [key]: label } })}
          onClose={() => setAccountsOpen(false)}
          onAdd={() => {
            setAccountsOpen(false);
            props.onAddAccount();
          }}
          onOpenInPane={(key) => {
            setSlots([...slots, { account: key, workspace_id: prefs.last_workspace[key] ?? null, intent: null }].slice(-4));
            setFocused(Math.min(slots.length, 3));
            setAccountsOpen(false);
          }}
          onSignedOut={props.onAccountsChanged}
        />
      )}
      {help && <HelpDialog onClose={() => setHelp(false)} />}
      {invitationsOpen && <InvitationsDialog offers={offers.all} offline={(key) => status[key]?.offline != null} onClose={() => setInvitationsOpen(false)} />}
    </div>
  );
}

function HelpDialog({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <table className="grid">
        <tbody>
          {Object.values(HOTKEYS).map((h) => (
            <tr key={h.label}>
              <td><kbd>{describe(h)}</kbd></td>
              <td>{h.label}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
