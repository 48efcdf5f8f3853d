// "Change roles": one role given in several communities at once, or made their only role there.
// The editor says what will change before it changes it, sends it as one change, and keeps its
// state when that fails (or while offline), so nothing the user picked is lost.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import type { AssignmentType } from "../bindings/AssignmentType";
import type { ClientError } from "../bindings/ClientError";
import type { RoleAssignment } from "../bindings/RoleAssignment";
import { usePane } from "../context";
import { asClientError, call } from "../ipc";
import { ErrorNote, OfflineReason, ServerButton } from "../kit/kit";
import type { Directory } from "../directory";
import { useDraft } from "../drafts";
import { planRoleChange, type RoleChange } from "./rolePlan";
import { ASSIGNMENT_TYPES } from "./Toolbar";

/** Communities listed at once; a search narrows thousands down. */
const LIST_LIMIT = 200;

type Draft = RoleChange & { filter: string };
type Outcome = { ok: string | null; errors: { what: string; error: ClientError }[] };

export function RoleEditor(props: { userId: string; who: string; assignments: RoleAssignment[]; dir: Directory; onDone: () => void }) {
  const { account, ws, guard } = usePane();
  const { dir } = props;
  const qc = useQueryClient();
  const [draft, setDraft, clearDraft] = useDraft<Draft>(`${account.key}|${ws.id}|roles|${props.userId}`, () => ({
    communities: [],
    roleId: "",
    assignmentType: "dedicated",
    mode: "add",
    filter: "",
  }));
  const [busy, setBusy] = useState(false);
  // Opened at the foot of a long panel: brought into view.
  const root = useRef<HTMLElement>(null);
  useEffect(() => root.current?.scrollIntoView?.({ block: "nearest" }), []);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const set = (p: Partial<Draft>) => setDraft((d) => ({ ...d, ...p }));

  const shown = useMemo(() => {
    const q = draft.filter.trim().toLowerCase();
    return dir.communities.filter((c) => !q || c.name.toLowerCase().includes(q) || c.slug.includes(q));
  }, [dir.communities, draft.filter]);
  const chosen = new Set(draft.communities);
  const plan = planRoleChange(props.assignments, draft);
  const roleName = draft.roleId ? dir.roleName(draft.roleId) : "";
  const nothing = plan.assign.length === 0 && plan.unassign.length === 0;

  const toggle = (id: string, on: boolean) => set({ communities: on ? [...draft.communities, id] : draft.communities.filter((c) => c !== id) });
  const heldIn = (community: string) =>
    props.assignments
      .filter((a) => a.community_id === community)
      .map((a) => dir.roleName(a.role_id))
      .join(", ");

  async function apply() {
    if (plan.unassign.length > 0 && !(await guard(`replace ${props.who}'s roles in ${draft.communities.length} communit${draft.communities.length === 1 ? "y" : "ies"}`, { consequence: "The roles they hold there and you did not pick are taken away." }))) return;
    setBusy(true);
    setOutcome(null);
    try {
      // One change on the server: all of it, or nothing.
      await call("assign_roles", { account: account.key, workspaceId: ws.id, userId: props.userId, req: { assignments: plan.request, replace: draft.mode === "replace" } });
      const gave = plan.assign.length > 0 ? `Gave ${roleName} in ${plan.assign.length} communit${plan.assign.length === 1 ? "y" : "ies"}.` : "";
      const took = plan.unassign.length > 0 ? ` Took away ${plan.unassign.map((x) => dir.grant(x)).join(", ")}.` : "";
      setOutcome({ ok: (gave + took).trim(), errors: [] });
      // Done: start the next change from a clean editor. On a failure the choices stay.
      clearDraft();
    } catch (e) {
      setOutcome({ ok: null, errors: [{ what: "Nothing was changed", error: asClientError(e) }] });
    } finally {
      setBusy(false);
      // The Rust side synced the change into the cache: refresh every view.
      await qc.invalidateQueries();
    }
  }

  return (
    <section className="role-editor" aria-label="Change roles" ref={root}>
      <div className="row wrap">
        <label>
          Role
          <select value={draft.roleId} onChange={(e) => set({ roleId: e.target.value })} aria-label="Role to give">
            <option value="">choose…</option>
            {dir.roles.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
                {r.kind !== "builtin" ? ` (${r.kind.replace("_", "-")})` : ""}
              </option>
            ))}
          </select>
        </label>
        <label>
          Assignment
          <select value={draft.assignmentType} onChange={(e) => set({ assignmentType: e.target.value as AssignmentType })}>
            {ASSIGNMENT_TYPES.map((t) => (
              <option key={t} value={t}>{t}</option>
            ))}
          </select>
        </label>
      </div>
      <fieldset className="mode">
        <legend className="sr-only">Add or replace</legend>
        <label>
          <input type="radio" name={`mode-${props.userId}`} checked={draft.mode === "add"} onChange={() => set({ mode: "add" })} /> Add to their roles there
        </label>
        <label>
          <input type="radio" name={`mode-${props.userId}`} checked={draft.mode === "replace"} onChange={() => set({ mode: "replace" })} /> Replace their roles there
        </label>
      </fieldset>
      <div className="row">
        <input type="search" aria-label="Find communities" placeholder="Find communities" value={draft.filter} onChange={(e) => set({ filter: e.target.value })} />
        <button type="button" className="small" onClick={() => set({ communities: [...new Set([...draft.communities, ...shown.slice(0, LIST_LIMIT).map((c) => c.id)])] })}>
          Select shown
        </button>
        <button type="button" className="small" onClick={() => set({ communities: [] })} disabled={draft.communities.length === 0}>
          Clear
        </button>
      </div>
      <ul className="community-checklist" aria-label="Communities">
        {shown.slice(0, LIST_LIMIT).map((c) => (
          <li key={c.id}>
            <label>
              <input type="checkbox" checked={chosen.has(c.id)} onChange={(e) => toggle(c.id, e.target.checked)} /> {c.name}
              {heldIn(c.id) && <span className="muted small"> — now {heldIn(c.id)}</span>}
            </label>
          </li>
        ))}
        {shown.length > LIST_LIMIT && <li className="muted small">{shown.length - LIST_LIMIT} more: narrow the search.</li>}
        {shown.length === 0 && <li className="muted small">No community matches “{draft.filter}”.</li>}
      </ul>
      <p className="plan small" aria-live="polite">
        {!draft.roleId || draft.communities.length === 0 ? (
          <span className="muted">Choose a role and at least one community.</span>
        ) : nothing ? (
          <span className="muted">They already hold {roleName} ({draft.assignmentType}) in every chosen community: nothing to do.</span>
        ) : (
          <>
            {plan.assign.length > 0 && <>Gives {roleName} ({draft.assignmentType}) in {plan.assign.length} communit{plan.assign.length === 1 ? "y" : "ies"}. </>}
            {plan.unassign.length > 0 && <>Takes away {plan.unassign.map((a) => dir.grant(a)).join(", ")}. </>}
            All in one change: everything, or nothing if any part is refused.{" "}
            {plan.unchanged.length > 0 && <span className="muted">Already held in {plan.unchanged.length}.</span>}
          </>
        )}
      </p>
      {outcome?.ok && <p role="status" className="ok small">{outcome.ok}</p>}
      {outcome?.errors.map((e, i) => (
        <div key={i}>
          <p className="small">{e.what}:</p>
          <ErrorNote error={e.error} />
        </div>
      ))}
      <div className="row">
        <ServerButton type="button" onClick={apply} disabled={!draft.roleId || draft.communities.length === 0 || nothing} busy={busy} busyLabel="Applying…">
          Apply to {draft.communities.length} communit{draft.communities.length === 1 ? "y" : "ies"}
        </ServerButton>
        <button type="button" onClick={props.onDone}>Close editor</button>
      </div>
      <OfflineReason />
    </section>
  );
}
