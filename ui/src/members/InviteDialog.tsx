// Inviting people: one at a time with a form, or many by pasting CSV. The paste is checked in
// full before anything is sent (addresses, names of communities and roles, duplicates, people
// already in, plan seats), then sent one invitation after another with progress; a row the
// server refuses is reported on its row and the text stays, so nothing typed is lost.
import { useQueries, useQueryClient } from "@tanstack/react-query";
import { useDebounced } from "../kit/useDebounced";
import { useMemo, useState } from "react";
import type { AssignmentType } from "../bindings/AssignmentType";
import type { ClientError } from "../bindings/ClientError";
import type { CreateInvitation } from "../bindings/CreateInvitation";
import type { WorkspaceRole } from "../bindings/WorkspaceRole";
import { usePane } from "../context";
import { asClientError, call } from "../ipc";
import { Dialog, ErrorNote, OfflineReason, ServerButton } from "../kit/kit";
import { useChange, useCmd } from "../query";
import type { Directory } from "./directory";
import { useDraft } from "./drafts";
import { emailsIn, isEmail, keepRows, parseInvites } from "./inviteCsv";
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
type Sent = { ok: true } | { ok: false; error: ClientError };

const EXAMPLE = "email,workspace_role,community,role\nana@acme.example,member,Acme,Analyst\nbo@acme.example,admin";


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
          <CsvInvite draft={draft} set={set} dir={dir} />
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
  const emailOk = isEmail(draft.email);
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
      {draft.email.trim() !== "" && !emailOk && <p className="note small">“{draft.email.trim()}” is not an email address yet; write it as name@domain.example.</p>}
      <fieldset>
        <legend>Community roles (optional)</legend>
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
      <div className="row">
        <ServerButton type="submit" disabled={!emailOk || incomplete} busy={invite.isPending} busyLabel="Sending…">
          Send invitation
        </ServerButton>
      </div>
    </form>
  );
}

function CsvInvite({ draft, set, dir }: { draft: Draft; set: (p: Partial<Draft>) => void; dir: Directory }) {
  const { account, ws } = usePane();
  const qc = useQueryClient();
  const invitations = useCmd("invitations", { account: account.key, workspaceId: ws.id });
  const usage = useCmd("usage", { account: account.key, workspaceId: ws.id });
  const [results, setResults] = useState<Map<number, Sent>>(new Map());
  const [progress, setProgress] = useState<{ done: number; of: number } | null>(null);

  // Who in the paste is already a member: one exact-address lookup each, from the cache.
  const text = useDebounced(draft.csv, 250);
  const emails = useMemo(() => emailsIn(text), [text]);
  const lookups = useQueries({
    queries: emails.map((email) => {
      const args = {
        account: account.key,
        query: {
          workspace_id: ws.id,
          search: email,
          workspace_role: null,
          communities: [],
          role_id: null,
          assignment_type: null,
          two_factor: null,
          status: "active" as const,
          sort: "email" as const,
          descending: false,
          offset: 0,
          limit: 5,
        },
      };
      return { queryKey: ["members", args], queryFn: () => call("members", args) };
    }),
  });
  const checking = text !== draft.csv || lookups.some((l) => l.isPending) || invitations.isPending || usage.isPending;
  const lookupError = (lookups.find((l) => l.error)?.error ?? invitations.error ?? usage.error ?? null) as ClientError | null;

  const members = useMemo(() => {
    const s = new Set<string>();
    lookups.forEach((l) => l.data?.rows.forEach((r) => s.add(r.email.toLowerCase())));
    return s;
  }, [lookups]);
  const invited = useMemo(() => {
    const now = Date.now();
    return new Set((invitations.data ?? []).filter((i) => i.status === "pending" && new Date(i.expires_at).getTime() > now).map((i) => i.email.toLowerCase()));
  }, [invitations.data]);
  const u = usage.data;
  const seatsLeft = u && u.limits.max_members !== null ? Number(u.limits.max_members) - Number(u.members) - Number(u.pending_invitations) : null;

  const parsed = useMemo(
    () => parseInvites(draft.csv, { communities: dir.communities, roles: dir.roles, members, invited, seatsLeft, plan: u?.plan, assignmentType: draft.csvType }),
    [draft.csv, draft.csvType, dir.communities, dir.roles, members, invited, seatsLeft, u?.plan],
  );
  const failed = [...results.entries()].filter(([, r]) => !r.ok).map(([row]) => row);
  const sentCount = [...results.values()].filter((r) => r.ok).length;
  const canSend = !checking && !lookupError && parsed.errorCount === 0 && parsed.valid > 0 && progress === null;

  async function send() {
    const out = new Map<number, Sent>();
    const rows = parsed.rows.filter((r) => r.invitation);
    setProgress({ done: 0, of: rows.length });
    // One after another: the progress line is truthful and a refusal stays on its row.
    for (const r of rows) {
      try {
        await call("invite", { account: account.key, workspaceId: ws.id, req: r.invitation! });
        out.set(r.row, { ok: true });
      } catch (e) {
        out.set(r.row, { ok: false, error: asClientError(e) });
      }
      setResults(new Map(out));
      setProgress({ done: out.size, of: rows.length });
    }
    setProgress(null);
    await qc.invalidateQueries();
    if ([...out.values()].every((r) => r.ok)) set({ csv: "" });
  }

  const onText = (csv: string) => {
    setResults(new Map());
    set({ csv });
  };

  return (
    <div className="csv-invite">
      <label className="block">
        One person per line: <code>email[,workspace_role][,community][,role]</code>. A header row is optional; community by name or slug, role by name.
        <textarea aria-label="Invitations as CSV" rows={8} value={draft.csv} onChange={(e) => onText(e.target.value)} placeholder={EXAMPLE} spellCheck={false} autoFocus />
      </label>
      <div className="row">
        <label>
          Assignment type of pasted community roles
          <select value={draft.csvType} onChange={(e) => set({ csvType: e.target.value as AssignmentType })}>
            {ASSIGNMENT_TYPES.map((t) => (
              <option key={t} value={t}>{t}</option>
            ))}
          </select>
        </label>
        {seatsLeft !== null && <span className="muted small">{Math.max(0, seatsLeft)} seat{seatsLeft === 1 ? "" : "s"} left on the {u?.plan} plan</span>}
      </div>
      <ErrorNote error={lookupError} />
      {parsed.rows.length > 0 && (
        <div className="preview-wrap">
          <table className="invite-preview" aria-label="Preview">
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Email</th>
                <th scope="col">Will create</th>
                <th scope="col">Problems</th>
              </tr>
            </thead>
            <tbody>
              {parsed.rows.map((r) => {
                const res = results.get(r.row);
                return (
                  <tr key={r.row} className={r.errors.length || (res && !res.ok) ? "bad" : undefined}>
                    <td>{r.row}</td>
                    <td>{r.email || <span className="muted">(empty)</span>}</td>
                    <td>
                      {r.invitation ? (
                        <>
                          Invitation as {r.invitation.workspace_role}
                          {r.grant && <> · {r.grant} ({draft.csvType})</>}
                        </>
                      ) : (
                        <span className="muted">nothing</span>
                      )}
                    </td>
                    <td>
                      {res?.ok ? (
                        <span className="ok">sent</span>
                      ) : res && !res.ok ? (
                        <span className="error-text" role="alert">{res.error.message}</span>
                      ) : (
                        r.errors.map((e) => (
                          <div key={e} className="error-text">{e}</div>
                        ))
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <p className="small" aria-live="polite">
        {progress ? (
          <span role="status">
            Sending {Math.min(progress.done + 1, progress.of)} of {progress.of}…
          </span>
        ) : results.size > 0 ? (
          <span role="status">
            Sent {sentCount} of {results.size} invitation{results.size === 1 ? "" : "s"}.{failed.length > 0 && ` ${failed.length} refused by the server: see their rows.`}
          </span>
        ) : checking && parsed.rows.length > 0 ? (
          <span className="muted">Checking the addresses against members and invitations…</span>
        ) : parsed.errorCount > 0 ? (
          <span className="note">
            {parsed.errorCount} problem{parsed.errorCount === 1 ? "" : "s"} to fix: nothing is sent while any row has one.
          </span>
        ) : parsed.valid > 0 ? (
          <span className="muted">Ready: {parsed.valid} invitation{parsed.valid === 1 ? "" : "s"}, each valid 7 days.</span>
        ) : null}
      </p>
      <div className="row">
        <ServerButton type="button" onClick={send} disabled={!canSend} busy={progress !== null} busyLabel="Sending…">
          Send {parsed.valid} invitation{parsed.valid === 1 ? "" : "s"}
        </ServerButton>
        {failed.length > 0 && progress === null && (
          <button type="button" onClick={() => onText(keepRows(draft.csv, new Set(failed)))}>
            Keep only the {failed.length} row{failed.length === 1 ? "" : "s"} that failed
          </button>
        )}
      </div>
    </div>
  );
}
