// The invitations addressed to the signed-in people of this console (as each account's last
// sync saw them): which workspace, who invited them, the workspace role and the community roles
// offered, until when; accepted or declined here. After accepting, the workspace appears in the
// account's panes with the next sync the change itself runs.
import { useQueries } from "@tanstack/react-query";
import { useState } from "react";
import type { AccountView } from "../bindings/AccountView";
import type { InvitationOffer } from "../bindings/InvitationOffer";
import { formatDateTime } from "../format";
import { call } from "../ipc";
import { Dialog, Empty, ErrorNote } from "../kit/kit";
import { useChange } from "../query";

export type Offers = { account: AccountView; offers: InvitationOffer[] }[];

/** Every account's pending invitations, from the caches. */
export function useOffers(accounts: AccountView[]): { all: Offers; count: number } {
  const results = useQueries({
    queries: accounts.map((a) => ({ queryKey: ["invitations_offered", { account: a.key }], queryFn: () => call("invitations_offered", { account: a.key }) })),
  });
  const all = accounts.map((account, i) => ({ account, offers: results[i]?.data ?? [] }));
  return { all, count: all.reduce((n, x) => n + x.offers.length, 0) };
}

export function InvitationList({ account, offers, offline }: { account: AccountView; offers: InvitationOffer[]; offline: boolean }) {
  if (offers.length === 0) return <Empty>No invitation waits for {account.email}.</Empty>;
  return (
    <ul className="offers" aria-label={`Invitations for ${account.email}`}>
      {offers.map((o) => (
        <Offer key={o.invitation.id} account={account} offer={o} offline={offline} />
      ))}
    </ul>
  );
}

function Offer({ account, offer, offline }: { account: AccountView; offer: InvitationOffer; offline: boolean }) {
  const [declining, setDeclining] = useState(false);
  const accept = useChange("accept_invitation");
  const decline = useChange("decline_invitation", { onSuccess: () => setDeclining(false) });
  const inv = offer.invitation;
  const blocked = offline ? "The server cannot be reached; answering an invitation needs it." : null;
  return (
    <li className="offer">
      <h3>{offer.workspace_name} <span className="muted small"><code>{offer.workspace_slug}</code></span></h3>
      <p className="small">
        {offer.invited_by_name || offer.invited_by_email} ({offer.invited_by_email}) invites {account.email}{" "}
        {inv.workspace_role === "client" ? `as a client contact of ${offer.contact_of_name ?? "one of its communities"}` : `as workspace ${inv.workspace_role}`};{" "}
        {inv.status === "expired" ? "expired" : "expires"} {formatDateTime(inv.expires_at)}.
      </p>
      {inv.workspace_role === "client" ? (
        <p className="muted small">You would see {offer.contact_of_name ?? "your community"}'s overview in its client portal, read-only.</p>
      ) : offer.roles.length > 0 ? (
        <ul className="small" aria-label="Community roles offered">
          {offer.roles.map((r, i) => (
            <li key={i}>
              {r.role} in {r.community} <span className="muted">({r.assignment_type})</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">No community role yet: the workspace's admins give them later.</p>
      )}
      {inv.status === "expired" ? (
        <p role="note" className="error small">
          This invitation expired on {formatDateTime(inv.expires_at)}. Ask {offer.invited_by_name || offer.invited_by_email} to invite you again.
        </p>
      ) : accept.isSuccess ? (
        <p role="status" className="ok small">Accepted: {offer.workspace_name} is among your workspaces.</p>
      ) : (
        <div className="row">
          <button type="button" disabled={accept.isPending || blocked !== null} title={blocked ?? undefined} onClick={() => accept.mutate({ account: account.key, invitationId: inv.id })}>
            {accept.isPending ? "Accepting…" : `Accept the invitation to ${offer.workspace_name}`}
          </button>
          <button type="button" disabled={decline.isPending || blocked !== null} title={blocked ?? undefined} onClick={() => setDeclining(true)}>
            Decline…
          </button>
        </div>
      )}
      {blocked && <p className="muted small" role="note">{blocked}</p>}
      <ErrorNote error={accept.error ?? decline.error} />
      {declining && (
        <Dialog title={`Decline the invitation to ${offer.workspace_name}?`} onClose={() => setDeclining(false)}>
          <p>The invitation closes; to join later, someone there has to invite {account.email} again.</p>
          <ErrorNote error={decline.error} />
          <div className="row">
            <button type="button" autoFocus onClick={() => setDeclining(false)}>Keep it</button>
            <button type="button" className="danger" disabled={decline.isPending} onClick={() => decline.mutate({ account: account.key, invitationId: inv.id })}>
              {decline.isPending ? "Declining…" : "Decline"}
            </button>
          </div>
        </Dialog>
      )}
    </li>
  );
}

export function InvitationsDialog({ offers, offline, onClose }: { offers: Offers; offline: (account: string) => boolean; onClose: () => void }) {
  return (
    <Dialog title="Invitations" onClose={onClose} wide>
      {offers.map(({ account, offers }) => (
        <section key={account.key} aria-label={account.email}>
          {offers.length > 0 && <h2 className="small muted">For {account.email} on {account.server}</h2>}
          {offers.length > 0 && <InvitationList account={account} offers={offers} offline={offline(account.key)} />}
        </section>
      ))}
      {offers.every((o) => o.offers.length === 0) && <Empty>No invitation waits for your accounts.</Empty>}
    </Dialog>
  );
}
