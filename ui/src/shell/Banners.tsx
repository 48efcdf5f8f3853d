// What every pane says about its data: offline (and how old the data is), sync failures, and
// sync progress on first sign-in and large resyncs.
import type { AccountStatus } from "./sync";
import { age, formatNumber } from "../format";

export function StatusBanners({ status, onRetry }: { status: AccountStatus; onRetry: () => void }) {
  const { offline, error, progress, syncedAt } = status;
  const total = progress ? Number(progress.total) : 0;
  const done = progress ? Number(progress.done) : 0;
  return (
    <>
      {offline && (
        <div role="status" className="banner offline">
          <strong>Offline.</strong>
          <span>
            {offline.message} {syncedAt ? `Showing data from ${age(syncedAt)}` : "Nothing is cached for this account yet"}; changes that need the server are disabled until it is back.
          </span>
          <button type="button" onClick={onRetry} disabled={status.syncing}>{status.syncing ? "Trying…" : "Try again"}</button>
        </div>
      )}
      {error && (
        <div role="alert" className="banner error">
          <span>Sync failed: {error.message}</span>
          <button type="button" onClick={onRetry} disabled={status.syncing}>Try again</button>
        </div>
      )}
      {progress && total > 0 && (
        <div className="banner sync-progress">
          <span>Syncing… {formatNumber(done)} of {formatNumber(total)}</span>
          <progress aria-label="Sync progress" max={Math.max(1, total)} value={done} />
        </div>
      )}
    </>
  );
}
