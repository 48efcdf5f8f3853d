// A community's intakes (its data sources: the client's EDR, firewall, cloud feeds): listed,
// added with a kind from the fixed list, renamed in place, removed after a confirmation (and the
// production guard). Restricted roles scoped to an intake keep the server from removing it, and
// it says so.
import { useState } from "react";
import type { Intake } from "../bindings/Intake";
import type { IntakeKind } from "../bindings/IntakeKind";
import { usePane } from "../context";
import { useIntakeKinds } from "../directory";
import { Dialog, Empty, ErrorNote, Loading, OfflineReason, ServerButton } from "../kit/kit";
import { useChange, useCmd } from "../query";

export function Intakes({ communityId, communityName }: { communityId: string; communityName: string }) {
  const { account, ws } = usePane();
  const base = { account: account.key, workspaceId: ws.id, communityId };
  const intakes = useCmd("intakes", { account: account.key, communityId });
  const kinds = useIntakeKinds();
  const [name, setName] = useState("");
  const [kind, setKind] = useState<IntakeKind>("edr");
  const [removing, setRemoving] = useState<Intake | null>(null);
  const add = useChange("create_intake", { onSuccess: () => setName("") });
  return (
    <section aria-labelledby="cm-intakes">
      <h3 id="cm-intakes">Intakes</h3>
      {intakes.isLoading ? (
        <Loading what="intakes" />
      ) : intakes.error ? (
        <ErrorNote error={intakes.error} onRetry={() => intakes.refetch()} />
      ) : !intakes.data?.length ? (
        <Empty>No intake yet: add the client's first data source below.</Empty>
      ) : (
        <ul className="cm-intakes" aria-label={`Intakes of ${communityName}`}>
          {intakes.data.map((i) => (
            <IntakeRow key={i.id} intake={i} kindLabel={kinds.label(i.kind)} onRemove={() => setRemoving(i)} />
          ))}
        </ul>
      )}
      <form
        className="row wrap"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) add.mutate({ ...base, req: { name: name.trim(), kind } });
        }}
      >
        <label>
          Kind
          <select value={kind} onChange={(e) => setKind(e.target.value as IntakeKind)} aria-label="Kind of the new intake">
            {kinds.list.map((k) => (
              <option key={k.kind} value={k.kind}>{k.label}</option>
            ))}
          </select>
        </label>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="CrowdStrike Falcon" aria-label="Name of the new intake" />
        </label>
        <ServerButton type="submit" disabled={!name.trim()} busy={add.isPending} busyLabel="Adding…">Add intake</ServerButton>
      </form>
      <ErrorNote error={add.error} />
      {removing && <RemoveIntake intake={removing} kindLabel={kinds.label(removing.kind)} onClose={() => setRemoving(null)} />}
    </section>
  );
}

function IntakeRow({ intake, kindLabel, onRemove }: { intake: Intake; kindLabel: string; onRemove: () => void }) {
  const { account, ws } = usePane();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(intake.name);
  const rename = useChange("update_intake", { onSuccess: () => setEditing(false) });
  return (
    <li>
      {editing ? (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            rename.mutate({ account: account.key, workspaceId: ws.id, communityId: intake.community_id, intakeId: intake.id, req: { name: name.trim() } });
          }}
        >
          <input value={name} onChange={(e) => setName(e.target.value)} aria-label={`New name of ${intake.name}`} autoFocus />
          <ServerButton type="submit" disabled={!name.trim() || name.trim() === intake.name} busy={rename.isPending} busyLabel="Saving…">Save</ServerButton>
          <button type="button" onClick={() => { setEditing(false); setName(intake.name); }}>Cancel</button>
          <ErrorNote error={rename.error} />
        </form>
      ) : (
        <>
          <span>
            {intake.name} <span className="muted small">· {kindLabel}</span>
          </span>
          <span className="row">
            <button type="button" className="small" onClick={() => setEditing(true)} aria-label={`Rename ${intake.name}`}>Rename</button>
            <button type="button" className="small danger" onClick={onRemove} aria-label={`Remove ${intake.name}`}>Remove</button>
          </span>
        </>
      )}
    </li>
  );
}

function RemoveIntake({ intake, kindLabel, onClose }: { intake: Intake; kindLabel: string; onClose: () => void }) {
  const { account, ws, guard } = usePane();
  const remove = useChange("delete_intake", { onSuccess: onClose });
  return (
    <Dialog title={`Remove ${intake.name}?`} onClose={onClose}>
      <p>
        The {kindLabel} intake <strong>{intake.name}</strong> stops being a data source of this community. Restricted roles scoped to it must drop it first; the server says which.
      </p>
      <ErrorNote error={remove.error} />
      <OfflineReason />
      <div className="row">
        <button type="button" autoFocus onClick={onClose}>Cancel</button>
        <ServerButton
          type="button"
          className="danger"
          busy={remove.isPending}
          busyLabel="Removing…"
          onClick={async () => {
            if (await guard(`remove the intake ${intake.name}`, { consequence: "Roles restricted to it no longer reach it. This cannot be undone." })) remove.mutate({ account: account.key, workspaceId: ws.id, communityId: intake.community_id, intakeId: intake.id });
          }}
        >
          Remove intake
        </ServerButton>
      </div>
    </Dialog>
  );
}
