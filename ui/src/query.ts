// TanStack Query over the typed commands. Reads are keyed by command and arguments; every
// successful change invalidates them all, because the Rust side has already pulled the delta
// into the cache by the time a change command returns.
import { QueryClient, useMutation, useQuery, useQueryClient, type UseQueryOptions } from "@tanstack/react-query";
import type { ClientError } from "./bindings/ClientError";
import type { CommandArgs } from "./bindings/CommandArgs";
import type { CommandResults } from "./bindings/CommandResults";
import { call, type CommandName } from "./ipc";

export function newQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // The cache is local and fast; the server is not involved in reads. No retries: a failed
      // read shows its reason at once. An answer stays good until it is invalidated: the cache
      // changes only by a sync or a change, and both invalidate every query (below, and
      // shell/sync.ts), so a view visited again is shown from its answers at once instead of
      // asking for them again (large ones — the Overview's aggregate, the API keys — are
      // what made the web process grow when the views were switched round and round). The reads
      // that need the server say how long theirs last.
      queries: { retry: false, staleTime: Infinity, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}

type Args<C extends CommandName> = CommandArgs[C];
type Out<C extends CommandName> = CommandResults[C];

/** A read command as a query. `enabled: false` (or null args) waits. */
export function useCmd<C extends CommandName>(
  cmd: C,
  args: Args<C> | null,
  opts: Omit<UseQueryOptions<Out<C>, ClientError>, "queryKey" | "queryFn"> = {},
) {
  return useQuery<Out<C>, ClientError>({
    queryKey: [cmd, args],
    queryFn: () => call(cmd, args as Args<C>),
    enabled: args !== null && (opts.enabled ?? true),
    ...opts,
  });
}

/**
 * A change command. On success the caller's `onSuccess` runs first (a dialog closes at once),
 * then every read is refreshed from the (already updated) cache. The other order left a closing
 * dialog on screen over views that had already refreshed behind it, until the slowest read came
 * back.
 */
export function useChange<C extends CommandName>(cmd: C, opts: { onSuccess?: (out: Out<C>, args: Args<C>) => void } = {}) {
  const qc = useQueryClient();
  return useMutation<Out<C>, ClientError, Args<C>>({
    mutationFn: (args) => call(cmd, args),
    onSuccess: async (out, args) => {
      opts.onSuccess?.(out, args);
      await qc.invalidateQueries();
    },
  });
}
