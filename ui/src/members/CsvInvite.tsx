// Inviting many people from a paste. Rust checks the paste whole against the cache (addresses,
// community and role names, duplicates, people already in or invited, plan seats) into one
// preview row per line, so nothing is sent while a line has a mistake; then one `invite_many`
// sends them one after another, with progress, and each refusal stays on its row. The text
// stays until everything was sent, so nothing typed is lost.
import { keepPreviousData } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { AssignmentType } from "../bindings/AssignmentType";
import type { InviteOutcome } from "../bindings/InviteOutcome";
import type { InvitePreview } from "../bindings/InvitePreview";
import { usePane } from "../context";
import { counted } from "../format";
import { on } from "../ipc";
import { ErrorNote, ServerButton } from "../kit/kit";
import { useDebounced } from "../kit/useDebounced";
import { useChange, useCmd } from "../query";
import { ASSIGNMENT_TYPES } from "./Toolbar";

const EXAMPLE = "email,workspace_role,community,role\nana@acme.example,member,Acme,Analyst\nbo@acme.example,admin";

/** The paste with only the lines of `rows` (and its header, if it had one). */
export function keepLines(preview: InvitePreview, rows: ReadonlySet<number>): string {
  const kept = preview.rows.filter((r) => rows.has(r.row)).map((r) => r.line);
  return (preview.header !== null ? [preview.header, ...kept] : kept).join("\n");
}

export function CsvInvite(props: { text: string; assignmentType: AssignmentType; onText: (text: string) => void; onAssignmentType: (t: AssignmentType) => void }) {
  const { account, ws } = usePane();
  const text = useDebounced(props.text, 250);
  const preview = useCmd(
    "invite_preview",
    text.trim() ? { account: account.key, workspaceId: ws.id, text, assignmentType: props.assignmentType } : null,
    { placeholderData: keepPreviousData },
  );
  const [outcomes, setOutcomes] = useState<Map<number, InviteOutcome> | null>(null);
  const [progress, setProgress] = useState<{ done: number; of: number } | null>(null);
  const send = useChange("invite_many");

  useEffect(() => {
    const un = on("invite-progress", (e) => {
      if (e.account === account.key && e.workspace_id === ws.id) setProgress({ done: e.done, of: e.of });
    });
    return () => {
      un.then((f) => f()).catch(() => {});
    };
  }, [account.key, ws.id]);

  const p = text.trim() ? (preview.data ?? null) : null;
  const checking = props.text !== text || (text.trim() !== "" && preview.isFetching);
  const canSend = p !== null && !checking && p.problems === 0 && p.valid > 0 && !send.isPending;
  const failed = outcomes ? [...outcomes.entries()].filter(([, o]) => o.error).map(([row]) => row) : [];
  const sentCount = outcomes ? [...outcomes.values()].filter((o) => o.invitation).length : 0;

  async function sendAll() {
    if (!p) return;
    const rows = p.rows.filter((r) => r.invitation);
    setProgress({ done: 0, of: rows.length });
    send.mutate(
      { account: account.key, workspaceId: ws.id, invitations: rows.map((r) => r.invitation!) },
      {
        onSuccess: (out) => {
          setOutcomes(new Map(rows.map((r, i) => [r.row, out[i]])));
          if (out.every((o) => o.invitation)) props.onText("");
        },
        onSettled: () => setProgress(null),
      },
    );
  }

  const onText = (t: string) => {
    setOutcomes(null);
    props.onText(t);
  };

  return (
    <div className="csv-invite">
      <label className="block">
        One person per line: <code>email[,workspace_role][,community][,role]</code>. A header row is optional; community by name or slug, role by name.
        <textarea aria-label="Invitations as CSV" rows={8} value={props.text} onChange={(e) => onText(e.target.value)} placeholder={EXAMPLE} spellCheck={false} autoFocus />
      </label>
      <div className="row">
        <label>
          Assignment type of pasted community roles
          <select value={props.assignmentType} onChange={(e) => props.onAssignmentType(e.target.value as AssignmentType)}>
            {ASSIGNMENT_TYPES.map((t) => (
              <option key={t} value={t}>{t}</option>
            ))}
          </select>
        </label>
        {p && p.seats_left !== null && <span className="muted small">{counted(Math.max(0, p.seats_left), "seat", "seats")} left on the {p.plan} plan</span>}
      </div>
      <ErrorNote error={preview.error ?? send.error} />
      {p && p.rows.length > 0 && (
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
              {p.rows.map((r) => {
                const out = outcomes?.get(r.row);
                return (
                  <tr key={r.row} className={r.problems.length || out?.error ? "bad" : undefined}>
                    <td>{r.row}</td>
                    <td>{r.email || <span className="muted">(empty)</span>}</td>
                    <td>
                      {r.invitation ? (
                        <>
                          Invitation as {r.invitation.workspace_role}
                          {r.grant && <> · {r.grant} ({props.assignmentType})</>}
                        </>
                      ) : (
                        <span className="muted">nothing</span>
                      )}
                    </td>
                    <td>
                      {out?.invitation ? (
                        <span className="ok">sent</span>
                      ) : out?.error ? (
                        <span className="error-text" role="alert">{out.error.message}</span>
                      ) : (
                        r.problems.map((e) => (
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
        ) : outcomes ? (
          <span role="status">
            Sent {sentCount} of {counted(outcomes.size, "invitation", "invitations")}.{failed.length > 0 && ` ${failed.length} refused by the server: see their rows.`}
          </span>
        ) : checking && text.trim() ? (
          <span className="muted">Checking the addresses against members and invitations…</span>
        ) : p && p.problems > 0 ? (
          <span className="note">{counted(p.problems, "problem", "problems")} to fix: nothing is sent while any row has one.</span>
        ) : p && p.valid > 0 ? (
          <span className="muted">Ready: {counted(p.valid, "invitation", "invitations")}, each valid 7 days.</span>
        ) : null}
      </p>
      <div className="row">
        <ServerButton type="button" onClick={sendAll} disabled={!canSend} busy={send.isPending} busyLabel="Sending…">
          Send {p ? counted(p.valid, "invitation", "invitations") : "invitations"}
        </ServerButton>
        {p && failed.length > 0 && !send.isPending && (
          <button type="button" onClick={() => onText(keepLines(p, new Set(failed)))}>
            Keep only the {failed.length} row{failed.length === 1 ? "" : "s"} that failed
          </button>
        )}
      </div>
    </div>
  );
}
