// Keeping each open account's cache current: a sync on start, on demand and every minute; the
// outcome says whether the server can be reached and how old the data is.
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import type { ClientError } from "../bindings/ClientError";
import type { Progress } from "../bindings/Progress";
import { asClientError, call, on } from "../ipc";

export type AccountStatus = {
  /** Set while the server cannot be reached. */
  offline: ClientError | null;
  /** A sync failure other than being offline (e.g. signed out elsewhere). */
  error: ClientError | null;
  /** While a sync runs. */
  progress: Progress | null;
  syncing: boolean;
  syncedAt: string | null;
};

export const IDLE: AccountStatus = { offline: null, error: null, progress: null, syncing: false, syncedAt: null };

/** How often open accounts catch up with their servers. */
export const SYNC_EVERY_MS = 60_000;
/** While offline, how often to look for the server again. */
export const RETRY_OFFLINE_MS = 10_000;

export function useAccountSync(accounts: string[]) {
  const qc = useQueryClient();
  const [status, setStatus] = useState<Record<string, AccountStatus>>({});
  const running = useRef(new Set<string>());
  const patch = useCallback((key: string, p: Partial<AccountStatus>) => setStatus((s) => ({ ...s, [key]: { ...IDLE, ...s[key], ...p } })), []);

  const sync = useCallback(
    async (key: string) => {
      if (running.current.has(key)) return;
      running.current.add(key);
      patch(key, { syncing: true, error: null });
      try {
        const outcome = await call("sync_now", { account: key });
        const st = await call("sync_status", { account: key });
        patch(key, { offline: null, error: null, syncedAt: st.last_sync_at });
        // What is on screen is read again only when the sync changed the cache; otherwise the
        // answers are only marked old, and read again when a view asks for them next (the sync
        // on start does not compete with the first view's reads, and the one every minute does
        // not reload the view on screen for nothing).
        const changed = outcome.applied > 0 || outcome.full_resync;
        await qc.invalidateQueries(changed ? undefined : { refetchType: "none" });
      } catch (e) {
        const ce = asClientError(e);
        const st = await call("sync_status", { account: key }).catch(() => null);
        if (ce.code === "offline") patch(key, { offline: ce, syncedAt: st?.last_sync_at ?? null });
        else patch(key, { error: ce, syncedAt: st?.last_sync_at ?? null });
      } finally {
        running.current.delete(key);
        patch(key, { syncing: false, progress: null });
      }
    },
    [patch, qc],
  );

  useEffect(() => {
    const un = on("sync-progress", (e) => patch(e.account, { progress: e.progress }));
    return () => {
      un.then((f) => f()).catch(() => {});
    };
  }, [patch]);

  const list = accounts.join("\n");
  useEffect(() => {
    const keys = list ? list.split("\n") : [];
    for (const k of keys) void sync(k);
    const timer = setInterval(() => keys.forEach((k) => void sync(k)), SYNC_EVERY_MS);
    return () => clearInterval(timer);
  }, [list, sync]);

  // Offline accounts are retried sooner, so the banner clears soon after the server is back.
  const offlineKeys = Object.entries(status).filter(([, s]) => s.offline).map(([k]) => k).join("\n");
  useEffect(() => {
    if (!offlineKeys) return;
    const timer = setInterval(() => offlineKeys.split("\n").forEach((k) => void sync(k)), RETRY_OFFLINE_MS);
    return () => clearInterval(timer);
  }, [offlineKeys, sync]);

  return { status, sync };
}
