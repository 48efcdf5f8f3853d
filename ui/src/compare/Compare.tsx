// Compare two panes' workspaces (any accounts, any servers): who is in one and not the other,
// and where the roles of people in both differ. Answered from the caches, so it works offline.
import { useState } from "react";
import type { AccountView } from "../bindings/AccountView";
import type { OneSide } from "../bindings/OneSide";
import type { Workspace } from "../bindings/Workspace";
import { Dialog, Empty, ErrorNote, Loading } from "../kit/kit";
import { useCmd } from "../query";

export type Side = { account: AccountView; ws: Workspace };

const host = (s: Side) => s.account.server.replace(/^https?:\/\//, "");
const label = (s: Side) => `${s.ws.name} (${s.account.email} · ${host(s)})`;
/** A side's name in the results: the workspace, with its server when both sides share a name. */
const sideName = (s: Side, other: Side) =>
  s.ws.name !== other.ws.name ? s.ws.name : host(s) !== host(other) ? `${s.ws.name} (${host(s)})` : `${s.ws.name} (${s.account.email})`;

export function Compare({ panes, onClose }: { panes: Side[]; onClose: () => void }) {
  const [l, setL] = useState(0);
  const [r, setR] = useState(Math.min(1, panes.length - 1));
  const left = panes[l];
  const right = panes[r];
  const ok = left && right && l !== r;
  const q = useCmd(
    "compare",
    ok ? { left: { account: left.account.key, workspace_id: left.ws.id }, right: { account: right.account.key, workspace_id: right.ws.id } } : null,
  );
  const pick = (v: number, set: (n: number) => void, id: string) => (
    <select id={id} value={v} onChange={(e) => set(Number(e.target.value))}>
      {panes.map((p, i) => <option key={i} value={i}>Pane {i + 1}: {label(p)}</option>)}
    </select>
  );
  const c = q.data;
  const L = ok ? sideName(left, right) : "";
  const R = ok ? sideName(right, left) : "";
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
        <div className="compare">
          <p className="muted" role="status">
            {c.only_left.length} only in {L} · {c.only_right.length} only in {R} · {c.differing.length} with different roles · {c.same} the same
          </p>
          <OneSided title={`Only in ${L}`} people={c.only_left} />
          <OneSided title={`Only in ${R}`} people={c.only_right} />
          <section aria-label="Roles that differ">
            <h3>Roles that differ</h3>
            {c.differing.length === 0 ? (
              <p className="muted">Everyone in both has the same roles.</p>
            ) : (
              <table className="grid">
                <thead>
                  <tr><th>Person</th><th>{L}</th><th>{R}</th></tr>
                </thead>
                <tbody>
                  {c.differing.map((d) => (
                    <tr key={d.email}>
                      <td>{d.display_name} <span className="muted small">{d.email}</span></td>
                      <td>
                        {d.left_workspace_role !== d.right_workspace_role && <div>workspace {d.left_workspace_role}</div>}
                        {d.only_left.map((x) => <div key={x}>{x}</div>)}
                      </td>
                      <td>
                        {d.left_workspace_role !== d.right_workspace_role && <div>workspace {d.right_workspace_role}</div>}
                        {d.only_right.map((x) => <div key={x}>{x}</div>)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </div>
      ) : null}
    </Dialog>
  );
}

function OneSided({ title, people }: { title: string; people: OneSide[] }) {
  return (
    <section aria-label={title}>
      <h3>{title} <span className="muted small">({people.length})</span></h3>
      {people.length === 0 ? (
        <p className="muted">Nobody.</p>
      ) : (
        <ul className="people">
          {people.map((p) => (
            <li key={p.email}>
              {p.display_name || <em className="muted">Invited</em>} <span className="muted small">{p.email} · {p.workspace_role}{p.pending ? " · pending" : ""}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
