// A pending invitation's details: who, as what, the community roles they get on acceptance,
// when it expires; and revoking it.
import type { MemberRow } from "../bindings/MemberRow";
import { usePane } from "../context";
import type { Directory } from "../directory";
import { formatDate } from "../format";
import { ErrorNote, OfflineReason, ServerButton } from "../kit/kit";
import { useChange, useCmd } from "../query";
import { PanelFrame } from "../kit/PanelFrame";

export function InvitationPanel({ row, dir, onClose }: { row: MemberRow; dir: Directory; onClose: () => void }) {
  const { account, ws, guard } = usePane();
  const invitations = useCmd("invitations", { account: account.key, workspaceId: ws.id });
  const inv = invitations.data?.find((i) => i.id === row.invitation_id);
  const revoke = useChange("revoke_invitation", { onSuccess: onClose });
  return (
    <PanelFrame label="Invitation details" onClose={onClose}>
      <header className="panel-head">
        <h2>{row.email}</h2>
        <p className="muted small">
          Invited {formatDate(row.since)} as {row.workspace_role}
          {inv && <> · expires {formatDate(inv.expires_at)}</>}
          <span className="badge pending">pending</span>
        </p>
      </header>
      <section>
        <h3>Community roles on acceptance</h3>
        {row.roles.length === 0 ? (
          <p className="muted small">None: they join with the workspace role only.</p>
        ) : (
          <ul className="assignments">
            {row.roles.map((r) => (
              <li key={`${r.community_id}:${r.role_id}`}>
                {dir.grant(r)} <span className="muted small">({r.assignment_type})</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section>
        <p className="muted small">Revoking stops the invitation from being accepted; send a new one to invite them again.</p>
        <ServerButton
          type="button"
          className="danger"
          disabled={!row.invitation_id}
          busy={revoke.isPending}
          busyLabel="Revoking…"
          onClick={async () => {
            if (row.invitation_id && (await guard(`revoke the invitation of ${row.email}`, { consequence: "Their invitation stops working; you can invite them again later." }))) {
              revoke.mutate({ account: account.key, workspaceId: ws.id, invitationId: row.invitation_id });
            }
          }}
        >
          Revoke invitation
        </ServerButton>
        <ErrorNote error={revoke.error} />
        <OfflineReason />
      </section>
    </PanelFrame>
  );
}
