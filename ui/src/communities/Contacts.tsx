// A community's client contacts: invited by email once its client portal is enabled, listed
// apart from the MSSP's own people, removable. Contacts are the workspace admins' (the server
// shows them to nobody else), so a member confined to their communities is told so instead.
import { keepPreviousData } from "@tanstack/react-query";
import { useState } from "react";
import type { Community } from "../bindings/Community";
import type { MemberQuery } from "../bindings/MemberQuery";
import { usePane } from "../context";
import { formatDate } from "../format";
import { ErrorNote, Loading, OfflineReason, ServerButton } from "../kit/kit";
import { useChange, useCmd } from "../query";

const CONTACTS_LIMIT = 1000;

export function ClientContacts({ community }: { community: Community }) {
  const { account, ws, guard } = usePane();
  const modes = useCmd("workspace_modes", { account: account.key });
  const mode = modes.data?.find((m) => m.workspace_id === ws.id);
  const enabled = community.settings?.portal.enabled ?? false;
  const query: MemberQuery = {
    workspace_id: ws.id,
    search: null,
    workspace_role: "client",
    communities: [],
    role_id: null,
    assignment_type: null,
    two_factor: null,
    status: "all",
    sort: "email",
    descending: false,
    offset: 0,
    limit: CONTACTS_LIMIT,
  };
  const whole = mode ? !mode.confined : false;
  const contacts = useCmd("members", whole ? { account: account.key, query } : null);
  const [email, setEmail] = useState("");
  const [sentTo, setSentTo] = useState<string | null>(null);
  const check = useCmd("email_problem", email.trim() ? { email } : null, { placeholderData: keepPreviousData });
  const emailProblem = email.trim() === "" || check.isPlaceholderData ? null : (check.data ?? null);
  const emailOk = email.trim() !== "" && !check.isPlaceholderData && check.data === null;
  const invite = useChange("invite_contact", {
    onSuccess: (inv) => {
      setSentTo(inv.email);
      setEmail("");
    },
  });
  const remove = useChange("remove_member");
  const revoke = useChange("revoke_invitation");
  const mine = (contacts.data?.rows ?? []).filter((r) => r.contact_of === community.id);

  return (
    <section className="contacts" aria-labelledby="contacts-h">
      <h3 id="contacts-h">Client contacts</h3>
      {!mode ? (
        <Loading what="your access" />
      ) : !whole ? (
        <p className="muted small">Client contacts are invited and managed by the workspace's admins and owners.</p>
      ) : !enabled ? (
        <p className="muted small">Enable the client portal above to invite {community.name}'s contacts. They would see its overview, read-only, and take no member seat.</p>
      ) : (
        <>
          <form
            className="row"
            aria-label={`Invite a client contact of ${community.name}`}
            onSubmit={(e) => {
              e.preventDefault();
              if (!emailOk) return;
              setSentTo(null);
              invite.mutate({ account: account.key, workspaceId: ws.id, communityId: community.id, req: { email: email.trim() } });
            }}
          >
            <label>
              Contact's email
              <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} aria-invalid={emailProblem !== null} aria-describedby="contact-email-problem" />
            </label>
            <ServerButton type="submit" disabled={!emailOk} busy={invite.isPending} busyLabel="Inviting…">
              Invite contact
            </ServerButton>
          </form>
          {emailProblem && (
            <p id="contact-email-problem" className="warn small">
              {emailProblem}
            </p>
          )}
          {sentTo && (
            <p role="status" className="ok small">
              Invitation sent to {sentTo}: once they accept, they see {community.name}'s overview. Contacts take no member seat.
            </p>
          )}
          <ErrorNote error={invite.error ?? remove.error ?? revoke.error} />
          {contacts.isLoading ? (
            <Loading what="client contacts" />
          ) : contacts.error ? (
            <ErrorNote error={contacts.error} onRetry={() => contacts.refetch()} />
          ) : mine.length === 0 ? (
            <p className="muted small">No client contacts yet.</p>
          ) : (
            <ul className="contact-list" aria-label={`Client contacts of ${community.name}`}>
              {mine.map((r) => (
                <li key={r.user_id ?? r.invitation_id ?? r.email}>
                  <span>{r.display_name || r.email}</span>{" "}
                  <span className="muted small">
                    {r.pending ? `invited ${formatDate(r.since)}` : `${r.email} · joined ${formatDate(r.since)}`}
                  </span>
                  {r.pending && <span className="badge pending">pending</span>}
                  <ServerButton
                    type="button"
                    className="small"
                    busy={(remove.isPending && remove.variables?.userId === r.user_id) || (revoke.isPending && revoke.variables?.invitationId === r.invitation_id)}
                    busyLabel="Removing…"
                    onClick={async () => {
                      if (r.user_id) {
                        if (await guard(`remove the client contact ${r.email} of ${community.name}`, { consequence: "They lose the portal at once; invite them again to give it back." })) remove.mutate({ account: account.key, workspaceId: ws.id, userId: r.user_id });
                      } else if (r.invitation_id) {
                        if (await guard(`revoke the invitation of ${r.email}`, { consequence: "Their invitation stops working; you can invite them again later." })) revoke.mutate({ account: account.key, workspaceId: ws.id, invitationId: r.invitation_id });
                      }
                    }}
                  >
                    {r.pending ? "Revoke" : "Remove"}
                  </ServerButton>
                </li>
              ))}
            </ul>
          )}
          <OfflineReason />
        </>
      )}
    </section>
  );
}
