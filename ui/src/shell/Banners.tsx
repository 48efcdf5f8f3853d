// What the console says about its data: one offline banner per unreachable server (however
// many panes and accounts show it), and per pane its sync failures and the progress of a
// first sign-in or a large resync.
import type { AccountView } from "../bindings/AccountView";
import type { ClientError } from "../bindings/ClientError";
import { host } from "../accounts";
import type { AccountStatus } from "./sync";
import { age, counted, formatNumber } from "../format";

export type OfflineServer = {
  server: string;
  /** The server's own words (the first offline account's). */
  error: ClientError;
  /** The oldest data shown from it: what "showing data from" must not overstate. */
  syncedAt: string | null;
  accounts: string[];
  syncing: boolean;
};

/** The unreachable servers among `accounts`, each once, in the order of the accounts. */
export function offlineServers(accounts: Pick<AccountView, "key" | "server">[], status: Record<string, AccountStatus | undefined>): OfflineServer[] {
  const out = new Map<string, OfflineServer>();
  for (const a of accounts) {
    const s = status[a.key];
    if (!s?.offline) continue;
    const o = out.get(a.server);
    if (!o) {
      out.set(a.server, { server: a.server, error: s.offline, syncedAt: s.syncedAt, accounts: [a.key], syncing: s.syncing });
      continue;
    }
    o.accounts.push(a.key);
    o.syncing ||= s.syncing;
    // Nothing cached for one account: say so rather than the other's age.
    if (!s.syncedAt || (o.syncedAt && s.syncedAt < o.syncedAt)) o.syncedAt = s.syncedAt;
  }
  return [...out.values()];
}

export function OfflineBanners({ servers, onRetry }: { servers: OfflineServer[]; onRetry: (o: OfflineServer) => void }) {
  return (
    <>
      {servers.map((o) => (
        <div key={o.server} role="status" className="banner offline" data-server={o.server}>
          <strong>Offline.</strong>
          <span>
            {o.error.message} {o.syncedAt ? `Showing data from ${age(o.syncedAt)}` : "Nothing is cached for this server yet"}
            {o.accounts.length > 1 ? ` (${counted(o.accounts.length, "account", "accounts")} of ${host(o.server)})` : ""}; changes that need the server are disabled until it is back.
          </span>
          <button type="button" onClick={() => onRetry(o)} disabled={o.syncing}>{o.syncing ? "Trying…" : "Try again"}</button>
        </div>
      ))}
    </>
  );
}

export function StatusBanners({ status, onRetry }: { status: AccountStatus; onRetry: () => void }) {
  const { error, progress } = status;
  const total = progress ? Number(progress.total) : 0;
  const done = progress ? Number(progress.done) : 0;
  return (
    <>
      {error && (
        <div role="alert" className="banner error">
          <span>Sync failed: {error.message}</span>
          <button type="button" onClick={onRetry} disabled={status.syncing}>Try again</button>
        </div>
      )}
      {progress && total > 0 && <SyncProgress done={done} total={total} />}
    </>
  );
}

export function SyncProgress({ done, total }: { done: number; total: number }) {
  return (
    <div className="banner sync-progress">
      <span>Syncing… {formatNumber(done)} of {formatNumber(total)}</span>
      <progress aria-label="Sync progress" max={Math.max(1, total)} value={done} />
    </div>
  );
}
