// Compare two panes' workspaces (any accounts, any servers), each narrowed to the communities
// selected in its pane: who is in one and not the other, and where the roles of people in both
// differ, as one table. Answered from the caches, so it works offline; exported (all rows) by
// the Rust side into Downloads.
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import type { AccountView } from "../bindings/AccountView";
import type { ClientError } from "../bindings/ClientError";
import type { CompareSide } from "../bindings/CompareSide";
import type { ExportFormat } from "../bindings/ExportFormat";
import type { ExportResult } from "../bindings/ExportResult";
import type { Workspace } from "../bindings/Workspace";
import { counted } from "../format";
import { call } from "../ipc";
import { Dialog, Empty, ErrorNote, Loading } from "../kit/kit";
import { useCmd } from "../query";
import { CompareTable } from "./CompareTable";
import { scopeLabel } from "./shape";
import "./compare.css";

/** One pane: its account, workspace and selected communities (empty: all of them). */
export type Side = { account: AccountView; ws: Workspace; communities: string[] };

const host = (s: Side) => s.account.server.replace(/^https?:\/\//, "");
const label = (s: Side) => {
  const n = s.communities.length;
  return `${s.ws.name}${n ? ` — ${n} ${n === 1 ? "community" : "communities"}` : ""} (${s.account.email} · ${host(s)})`;
};
/** A side's name in the results: the workspace, with its server when both sides share a name. */
const sideName = (s: Side, other: Side) =>
  s.ws.name !== other.ws.name ? s.ws.name : host(s) !== host(other) ? `${s.ws.name} (${host(s)})` : `${s.ws.name} (${s.account.email})`;
const ref = (s: Side): CompareSide => ({ account: s.account.key, workspace_id: s.ws.id, communities: s.communities });

export function Compare({ panes, onClose }: { panes: Side[]; onClose: () => void }) {
  const [l, setL] = useState(0);
  const [r, setR] = useState(Math.min(1, panes.length - 1));
  const left = panes[l];
  const right = panes[r];
  const ok = left && right && l !== r;
  const q = useCmd("compare", ok ? { left: ref(left), right: ref(right) } : null);
  const exp = useMutation<ExportResult, ClientError, ExportFormat>({
    mutationFn: (format) => call("compare_export", { left: ref(left), right: ref(right), format }),
  });
  const pick = (v: number, set: (n: number) => void, id: string) => (
    <select
      id={id}
      value={v}
      onChange={(e) => {
        exp.reset();
        set(Number(e.target.value));
      }}
    >
      {panes.map((p, i) => <option key={i} value={i}>Pane {i + 1}: {label(p)}</option>)}
    </select>
  );
  const c = q.data;
  const L = ok ? sideName(left, right) : "";
  const R = ok ? sideName(right, left) : "";
  const narrowed = ok && (left.communities.length > 0 || right.communities.length > 0);
  return (
    <Dialog title="Compare panes" onClose={onClose} wide>
      <div className="row wrap compare-pick">
        <label htmlFor="cmp-left">Left</label>
        {pick(l, setL, "cmp-left")}
        <label htmlFor="cmp-right">Right</label>
        {pick(r, setR, "cmp-right")}
      </div>
      {!ok ? (
        <Empty>Choose two different panes.</Empty>
      ) : q.isLoading ? (
        <Loading what="both workspaces' members" />
      ) : q.error ? (
        <ErrorNote error={q.error} onRetry={() => q.refetch()} />
      ) : c ? (
        <div className="cmp">
          <dl className="cmp-scope" aria-label="What is compared">
            <dt>{L}</dt>
            <dd>{scopeLabel(c.left_communities)}</dd>
            <dt>{R}</dt>
            <dd>{scopeLabel(c.right_communities)}</dd>
          </dl>
          {narrowed && (
            <p className="muted small">
              A side with communities selected counts only the people holding a role in one of them, and compares only their roles there; workspace roles
              are always compared.
            </p>
          )}
          <p className="cmp-summary" role="status">
            {counted(c.only_left, "person", "people")} only in {L} · {counted(c.only_right, "person", "people")} only in {R} ·{" "}
            {counted(c.differing, "person", "people")} with different roles · {counted(c.same, "person", "people")} the same
          </p>
          <CompareTable comparison={c} left={L} right={R} />
          <div className="cmp-export" role="group" aria-label="Export the comparison">
            <span className="muted small">Every person compared ({counted(c.rows.length, "row", "rows")}), whatever the filters show:</span>
            {(["csv", "json"] as const).map((f) => (
              <button key={f} type="button" disabled={exp.isPending} aria-busy={exp.isPending && exp.variables === f} onClick={() => exp.mutate(f)}>
                {exp.isPending && exp.variables === f ? "Exporting…" : `Export all rows as ${f.toUpperCase()}`}
              </button>
            ))}
            {exp.isSuccess && (
              <p className="cmp-export-result" role="status">
                Saved {counted(exp.data.count, "person", "people")} to {exp.data.path}
              </p>
            )}
            {exp.isError && <ErrorNote error={exp.error} />}
          </div>
        </div>
      ) : null}
    </Dialog>
  );
}
