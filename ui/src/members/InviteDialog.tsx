// Inviting people: one at a time with a form, or many by pasting CSV (`CsvInvite.tsx`). What
// was typed is a draft that outlives the dialog, so closing it or a refusal loses nothing.
import { keepPreviousData } from "@tanstack/react-query";
import { useState } from "react";
import type { AssignmentType } from "../bindings/AssignmentType";
import type { CreateInvitation } from "../bindings/CreateInvitation";
import type { WorkspaceRole } from "../bindings/WorkspaceRole";
import { usePane } from "../context";
import type { Directory } from "../directory";
import { Dialog, ErrorNote, OfflineReason, ServerButton } from "../kit/kit";
import { GlossaryHint } from "../kit/Glossary";
import { useChange, useCmd } from "../query";
import { CsvInvite } from "./CsvInvite";
import { useDraft } from "../drafts";
import { ASSIGNMENT_TYPES, WORKSPACE_ROLES } from "./Toolbar";

type Grant = { communityId: string; roleId: string; type: AssignmentType };
type Draft = {
  mode: "one" | "csv";
  email: string;
  workspaceRole: WorkspaceRole;
  grants: Grant[];
  csv: string;
  csvType: AssignmentType;
};

export function InviteDialog({ dir, onClose }: { dir: Directory; onClose: () => void }) {
  const { account, ws } = usePane();
  const [draft, setDraft] = useDraft<Draft>(`${account.key}|${ws.id}|invite`, () => ({
    mode: "one",
    email: "",
    workspaceRole: "member",
    grants: [],
    csv: "",
    csvType: "dedicated",
  }));
  const set = (p: Partial<Draft>) => setDraft((d) => ({ ...d, ...p }));
  return (
    <Dialog title="Invite people" onClose={onClose} wide>
      <div className="invite-dialog">
        <div role="tablist" aria-label="How to invite" className="mode-switch">
          <button type="button" role="tab" aria-selected={draft.mode === "one"} onClick={() => set({ mode: "one" })}>
            One person
          </button>
          <button type="button" role="tab" aria-selected={draft.mode === "csv"} onClick={() => set({ mode: "csv" })}>
            Paste CSV
          </button>
        </div>
        {draft.mode === "one" ? (
          <SingleInvite draft={draft} set={set} dir={dir} onSent={() => set({ email: "", grants: [] })} />
        ) : (
          <CsvInvite text={draft.csv} assignmentType={draft.csvType} onText={(csv) => set({ csv })} onAssignmentType={(csvType) => set({ csvType })} />
        )}
        <OfflineReason />
      </div>
    </Dialog>
  );
}

function SingleInvite({ draft, set, dir, onSent }: { draft: Draft; set: (p: Partial<Draft>) => void; dir: Directory; onSent: () => void }) {
  const { account, ws } = usePane();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const invite = useChange("invite", {
    onSuccess: (inv) => {
      setSentTo(inv.email);
      onSent();
    },
  });
  // The address as the server will parse it, asked as the user types.
  const check = useCmd("email_problem", draft.email.trim() ? { email: draft.email } : null, { placeholderData: keepPreviousData });
  const emailProblem = draft.email.trim() === "" || check.isPlaceholderData ? null : (check.data ?? null);
  const emailOk = draft.email.trim() !== "" && !check.isPlaceholderData && check.data === null;
  const incomplete = draft.grants.some((g) => !g.communityId || !g.roleId);
  const setGrant = (i: number, p: Partial<Grant>) => set({ grants: draft.grants.map((g, j) => (j === i ? { ...g, ...p } : g)) });

  function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!emailOk || incomplete) return;
    setSentTo(null);
    const req: CreateInvitation = {
      email: draft.email.trim().toLowerCase(),
      workspace_role: draft.workspaceRole,
      assignments: draft.grants.map((g) => ({ community_id: g.communityId, role_id: g.roleId, assignment_type: g.type })),
    };
    invite.mutate({ account: account.key, workspaceId: ws.id, req });
  }

  return (
    <form onSubmit={submit} className="single-invite">
      <div className="row wrap">
        <label>
          Email
          <input type="email" value={draft.email} onChange={(e) => set({ email: e.target.value })} placeholder="name@company.example" required autoFocus />
        </label>
        <label>
          Workspace role
          <select value={draft.workspaceRole} onChange={(e) => set({ workspaceRole: e.target.value as WorkspaceRole })}>
            {WORKSPACE_ROLES.map((r) => (
              <option key={r} value={r}>{r}</option>
            ))}
          </select>
        </label>
      </div>
      {emailProblem && <p className="note small">{emailProblem}</p>}
      <fieldset>
        <legend>Community roles (optional)</legend>
        {draft.grants.length > 0 && (
          <p className="muted small">
            Kinds of role <GlossaryHint topic="role_kind" /> · assignment types <GlossaryHint topic="assignment_type" />
          </p>
        )}
        {draft.grants.map((g, i) => (
          <div className="row" key={i}>
            <select aria-label={`Community ${i + 1}`} value={g.communityId} onChange={(e) => setGrant(i, { communityId: e.target.value })}>
              <option value="">community…</option>
              {dir.communities.map((c) => (
                <option key={c.id} value={c.id}>{c.name}</option>
              ))}
            </select>
            <select aria-label={`Role ${i + 1}`} value={g.roleId} onChange={(e) => setGrant(i, { roleId: e.target.value })}>
              <option value="">role…</option>
              {dir.roles.map((r) => (
                <option key={r.id} value={r.id}>{r.name}</option>
              ))}
            </select>
            <select aria-label={`Assignment ${i + 1}`} value={g.type} onChange={(e) => setGrant(i, { type: e.target.value as AssignmentType })}>
              {ASSIGNMENT_TYPES.map((t) => (
                <option key={t} value={t}>{t}</option>
              ))}
            </select>
            <button type="button" className="small" aria-label={`Remove community role ${i + 1}`} onClick={() => set({ grants: draft.grants.filter((_, j) => j !== i) })}>
              ×
            </button>
          </div>
        ))}
        <button type="button" className="small" onClick={() => set({ grants: [...draft.grants, { communityId: "", roleId: "", type: "dedicated" }] })}>
          Add a community role
        </button>
      </fieldset>
      <ErrorNote error={invite.error} />
      {sentTo && <p role="status" className="ok small">Invitation sent to {sentTo}. It expires in 7 days.</p>}
      {(() => {
        // A disabled Send says why.
        const why = draft.email.trim() === "" ? "Type the email address to invite." : emailProblem ? "Fix the email address first." : incomplete ? "Pick a community and a role for every role row, or remove the empty row." : null;
        return why && !invite.isPending ? <p className="muted small" id="invite-why">{why}</p> : null;
      })()}
      <div className="row">
        <ServerButton type="submit" disabled={!emailOk || incomplete} busy={invite.isPending} busyLabel="Sending…" aria-describedby="invite-why">
          Send invitation
        </ServerButton>
      </div>
    </form>
  );
}
