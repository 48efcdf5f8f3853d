// "Change roles": one role given in several communities at once, or made their only role there.
// The editor says what will change before it changes it, sends it as one change, and keeps its
// state when that fails (or while offline), so nothing the user picked is lost. Once applied it
// closes, handing back what changed, so no "— now Admin" of the old roles stays on screen.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import type { AssignmentType } from "../bindings/AssignmentType";
import type { ClientError } from "../bindings/ClientError";
import type { RoleAssignment } from "../bindings/RoleAssignment";
import { usePane } from "../context";
import { asClientError, call } from "../ipc";
import { ErrorNote, OfflineReason, ServerButton } from "../kit/kit";
import { GlossaryHint, useGlossary } from "../kit/Glossary";
import type { Directory } from "../directory";
import { useDraft } from "../drafts";
import { planRoleChange, type RoleChange } from "./rolePlan";
import { ASSIGNMENT_TYPES } from "./Toolbar";

/** Communities listed at once; a search narrows thousands down. */
const LIST_LIMIT = 200;

type Draft = RoleChange & { filter: string };
type Outcome = { errors: { what: string; error: ClientError }[] };

export function RoleEditor(props: {
  userId: string;
  who: string;
  assignments: RoleAssignment[];
  dir: Directory;
  /** Changes each time the editor is asked for (its button, R): it comes into view, focused. */
  focusKey?: number;
  /** Closed: with what was changed after an Apply, without after "Close editor". */
  onDone: (outcome?: string) => void;
}) {
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
  const glossary = useGlossary();
  // Opened at the foot of a long panel: brought into view, its first control focused, so the
  // keyboard carries on in it.
  const root = useRef<HTMLElement>(null);
  useEffect(() => {
    const el = root.current;
    if (!el) return;
    // Its top lands below the panel's sticky head (who this is), not under it.
    const head = el.closest(".side-panel-body")?.querySelector(".panel-head");
    el.style.scrollMarginTop = `${Math.ceil(head?.getBoundingClientRect().height ?? 0) + 8}px`;
    el.scrollIntoView?.({ block: "start" });
    el.querySelector<HTMLElement>("select, input, button")?.focus({ preventScroll: true });
  }, [props.focusKey]);
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
    let done: string | null = null;
    try {
      // One change on the server: all of it, or nothing.
      await call("assign_roles", { account: account.key, workspaceId: ws.id, userId: props.userId, req: { assignments: plan.request, replace: draft.mode === "replace" } });
      const gave = plan.assign.length > 0 ? `Gave ${roleName} in ${plan.assign.length} communit${plan.assign.length === 1 ? "y" : "ies"}.` : "";
      const took = plan.unassign.length > 0 ? ` Took away ${plan.unassign.map((x) => dir.grant(x)).join(", ")}.` : "";
      done = (gave + took).trim();
      // Done: the next change starts from a clean editor. On a failure the choices stay.
      clearDraft();
    } catch (e) {
      setOutcome({ errors: [{ what: "Nothing was changed", error: asClientError(e) }] });
    } finally {
      setBusy(false);
      // The Rust side synced the change into the cache: refresh every view.
      await qc.invalidateQueries();
    }
    // Applied: the editor closes and the panel says what changed, over the roles as they now are.
    if (done !== null) props.onDone(done);
  }

  return (
    <section className="role-editor" aria-label="Change roles" ref={root}>
      <div className="row wrap">
        <span className="with-hint">
          <label>
            Role
            <select value={draft.roleId} onChange={(e) => set({ roleId: e.target.value })} aria-label="Role to give">
              <option value="">choose…</option>
              {dir.roles.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                  {r.kind !== "builtin" ? ` (${glossary.label("role_kind", r.kind).toLowerCase()})` : ""}
                </option>
              ))}
            </select>
          </label>
          <GlossaryHint topic="role_kind" />
        </span>
        <span className="with-hint">
          <label>
            Assignment
            <select value={draft.assignmentType} onChange={(e) => set({ assignmentType: e.target.value as AssignmentType })}>
              {ASSIGNMENT_TYPES.map((t) => (
                <option key={t} value={t}>{t}</option>
              ))}
            </select>
          </label>
          <GlossaryHint topic="assignment_type" />
        </span>
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
        <button type="button" onClick={() => props.onDone()}>Close editor</button>
      </div>
      <OfflineReason />
    </section>
  );
}
