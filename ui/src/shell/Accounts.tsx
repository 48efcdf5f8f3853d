// The Accounts dialog: every account of this console, the label the user gave it, how fresh
// its cache is (a sync running shows its progress: an account just added syncs at once, in a
// pane or not), and its actions.
import { useState } from "react";
import type { AccountView } from "../bindings/AccountView";
import { host } from "../accounts";
import { age } from "../format";
import { asClientError, call } from "../ipc";
import { Dialog } from "../kit/kit";
import { useCmd } from "../query";
import { RestoreDialog } from "../workspace/Lifecycle";
import { SyncProgress } from "./Banners";
import type { AccountStatus } from "./sync";

export function AccountsDialog(props: {
  accounts: AccountView[];
  status: Record<string, AccountStatus | undefined>;
  labels: Partial<Record<string, string>>;
  onLabel: (key: string, label: string) => void;
  onClose: () => void;
  onAdd: () => void;
  onOpenInPane: (key: string) => void;
  onSignedOut: () => void;
}) {
  // The accounts are the console's; what is known of each (e.g. platform admin, known after
  // its first sync) is read fresh when the dialog opens.
  const fresh = useCmd("list_accounts", {}, { staleTime: 0 });
  const accounts = props.accounts.map((a) => fresh.data?.find((f) => f.key === a.key) ?? a);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [restoreFor, setRestoreFor] = useState<AccountView | null>(null);
  const [naming, setNaming] = useState<{ key: string; text: string } | null>(null);
  return (
    <Dialog title="Accounts" onClose={props.onClose} wide>
      <p className="muted small">Each account's session token is kept in the system keyring; signing out deletes it. A label names the account in panes and search results.</p>
      <table className="grid accounts">
        <thead>
          <tr><th>Account</th><th>Server</th><th>Data</th><th /></tr>
        </thead>
        <tbody>
          {accounts.map((a) => {
            const st = props.status[a.key];
            const label = props.labels[a.key];
            const syncedAt = st?.syncedAt ?? a.last_sync_at;
            return (
              <tr key={a.key} data-account={a.key}>
                <td>
                  {naming?.key === a.key ? (
                    <form
                      className="row"
                      onSubmit={(e) => {
                        e.preventDefault();
                        props.onLabel(a.key, naming.text.trim());
                        setNaming(null);
                      }}
                    >
                      <input
                        autoFocus
                        aria-label={`Label for ${a.email} on ${host(a.server)}`}
                        maxLength={40}
                        placeholder="e.g. Acme production"
                        value={naming.text}
                        onChange={(e) => setNaming({ key: a.key, text: e.target.value })}
                        onKeyDown={(e) => {
                          if (e.key === "Escape") {
                            // Cancels the label, not the dialog (which closes on an Escape not taken).
                            e.preventDefault();
                            setNaming(null);
                          }
                        }}
                      />
                      <button type="submit">Save</button>
                    </form>
                  ) : (
                    <>
                      {label && <strong className="account-label">{label} </strong>}
                      <span>{a.email}</span>
                      {a.user?.platform_admin && <span className="badge">platform admin</span>}
                    </>
                  )}
                </td>
                <td><code>{host(a.server)}</code></td>
                <td data-testid="account-sync">
                  {st?.progress && Number(st.progress.total) > 0 ? (
                    <SyncProgress done={Number(st.progress.done)} total={Number(st.progress.total)} />
                  ) : st?.syncing && !syncedAt ? (
                    "Syncing for the first time…"
                  ) : st?.offline ? (
                    <span title={st.offline.message}>Offline{syncedAt ? `; data from ${age(syncedAt)}` : "; nothing cached yet"}</span>
                  ) : st?.error ? (
                    <span className="error">Sync failed: {st.error.message}</span>
                  ) : syncedAt ? (
                    `From ${age(syncedAt)}`
                  ) : !a.signed_in ? (
                    "Signed out"
                  ) : (
                    "Not synced yet"
                  )}
                </td>
                <td>
                  <div className="row wrap account-actions">
                    <button type="button" onClick={() => props.onOpenInPane(a.key)}>Open in a new pane</button>
                    <button type="button" onClick={() => setNaming({ key: a.key, text: label ?? "" })} aria-label={`Label ${a.email} on ${host(a.server)}`}>
                      {label ? "Rename" : "Label…"}
                    </button>
                    {a.user?.platform_admin && <button type="button" onClick={() => setRestoreFor(a)}>Deleted workspaces…</button>}
                    <button
                      type="button"
                      disabled={busy === a.key}
                      onClick={async () => {
                        setBusy(a.key);
                        setError(null);
                        try {
                          await call("sign_out", { account: a.key });
                          props.onSignedOut();
                        } catch (e) {
                          setError(asClientError(e).message);
                        } finally {
                          setBusy(null);
                        }
                      }}
                      aria-label={`Sign out ${a.email}`}
                    >
                      Sign out
                    </button>
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {error && <p role="alert" className="error">{error}</p>}
      <div className="row">
        <button type="button" onClick={props.onAdd}>Add an account…</button>
      </div>
      {restoreFor && <RestoreDialog account={restoreFor} onClose={() => setRestoreFor(null)} />}
    </Dialog>
  );
}
