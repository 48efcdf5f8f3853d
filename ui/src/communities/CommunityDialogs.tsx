// Creating a community (every identity field, optionally starting with the role assignments of
// a template community, previewed first) and editing one (its slug fixed), with the plan's
// limit on communities explained before anything is sent.
import { useState } from "react";
import type { Community } from "../bindings/Community";
import type { CommunityRow } from "../bindings/CommunityRow";
import type { CommunitySettings } from "../bindings/CommunitySettings";
import { usePane } from "../context";
import { counted, formatNumber } from "../format";
import { Dialog, ErrorNote, OfflineReason, ServerButton } from "../kit/kit";
import { useChange, useCmd } from "../query";
import { CommunityFields, createRequest, newIdentity, useIdentityCheck, type Identity } from "../CommunityFields";

/** Why no community can be added now (the plan's limit), or null. */
export function useCommunityLimit(): string | null {
  const { account, ws } = usePane();
  const usage = useCmd("usage", { account: account.key, workspaceId: ws.id });
  const u = usage.data;
  if (!u || u.limits.max_communities === null || u.communities < u.limits.max_communities) return null;
  return `The ${u.plan} plan allows ${counted(u.limits.max_communities, "community", "communities")} and this workspace has ${formatNumber(u.communities)}. Upgrade the plan (Workspace tab) to add another.`;
}

export function CreateCommunityDialog({ rows, onClose, onCreated }: { rows: CommunityRow[]; onClose: () => void; onCreated: (c: Community) => void }) {
  const { account, ws } = usePane();
  const [value, setValue] = useState<Identity>(() => newIdentity());
  const [template, setTemplate] = useState("");
  const check = useIdentityCheck(value, ws.plan, false, { account: account.key, workspaceId: ws.id });
  const limit = useCommunityLimit();
  const create = useChange("create_community", { onSuccess: onCreated });
  const from = rows.find((r) => r.community.id === template) ?? null;
  const canSend = !check.checking && check.problems.length === 0 && limit === null;
  return (
    <Dialog title="New community" onClose={onClose} wide>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          if (canSend) create.mutate({ account: account.key, workspaceId: ws.id, req: createRequest(value, check, template || null) });
        }}
      >
        <CommunityFields value={value} onChange={setValue} check={check} plan={ws.plan} fixedSlug={false} autoFocus />
        <label>
          Start with the roles of <span className="muted small">(optional)</span>
          <select value={template} onChange={(e) => setTemplate(e.target.value)} aria-label="Copy role assignments from">
            <option value="">No one: an empty community</option>
            {rows.map((r) => (
              <option key={r.community.id} value={r.community.id}>
                {r.community.name} ({counted(r.members, "person", "people")})
              </option>
            ))}
          </select>
        </label>
        {from && (
          <p className="note small" role="status">
            The new community starts with the role assignments of {counted(from.members, "person", "people")} in {from.community.name}: each keeps the same roles and
            assignment types there. All are copied, or the community is not created.
          </p>
        )}
        {limit && <p className="error small" role="alert">{limit}</p>}
        <ErrorNote error={create.error} />
        <OfflineReason />
        <div className="row">
          <ServerButton type="submit" disabled={!canSend} busy={create.isPending} busyLabel="Creating…">Create community</ServerButton>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}

/** A community's identity, editable (its slug fixed), saved with the version it was read at. */
export function EditCommunity({ community }: { community: Community }) {
  if (!community.settings) {
    return <p className="muted">Your roles in {community.name} do not include community.read, so its settings are not shown. Ask a community Admin or a workspace admin.</p>;
  }
  return <EditSettings community={community} settings={community.settings} />;
}

function EditSettings({ community, settings }: { community: Community; settings: CommunitySettings }) {
  const { account, ws } = usePane();
  const [value, setValue] = useState<Identity>(() => ({
    name: community.name,
    slug: community.slug,
    slugTouched: true,
    timezone: settings.timezone,
    contactEmail: settings.contact_email ?? "",
    region: settings.region,
  }));
  const check = useIdentityCheck(value, ws.plan, true);
  const save = useChange("update_community");
  const [portal, setPortal] = useState(settings.portal);
  const portalChanged = portal.enabled !== settings.portal.enabled || portal.show_team !== settings.portal.show_team;
  const changed =
    portalChanged ||
    value.name.trim() !== community.name || value.timezone.trim() !== settings.timezone || (value.contactEmail.trim() || null) !== settings.contact_email || value.region !== settings.region;
  return (
    <form
      className="form"
      aria-label={`Settings of ${community.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({
          account: account.key,
          workspaceId: ws.id,
          communityId: community.id,
          version: community.version,
          req: {
            name: value.name.trim() !== community.name ? value.name.trim() : null,
            timezone: value.timezone.trim() !== settings.timezone ? value.timezone.trim() : null,
            contact_email: (value.contactEmail.trim() || null) !== settings.contact_email ? value.contactEmail.trim() || null : undefined,
            region: value.region !== settings.region ? value.region : null,
            portal: portalChanged ? portal : null,
          },
        });
      }}
    >
      <CommunityFields value={value} onChange={setValue} check={check} plan={ws.plan} fixedSlug />
      <fieldset className="portal">
        <legend>Client portal</legend>
        <label>
          <input type="checkbox" checked={portal.enabled} onChange={(e) => setPortal({ enabled: e.target.checked, show_team: e.target.checked && portal.show_team })} /> Let this client's
          contacts sign in and see {community.name}'s overview, read-only
        </label>
        <label>
          <input type="checkbox" checked={portal.show_team} disabled={!portal.enabled} onChange={(e) => setPortal({ ...portal, show_team: e.target.checked })} /> Show them the
          people who work on {community.name}
        </label>
      </fieldset>
      <ErrorNote error={save.error} />
      <div className="row">
        <ServerButton type="submit" disabled={!changed || check.checking || check.problems.length > 0} busy={save.isPending} busyLabel="Saving…">Save changes</ServerButton>
      </div>
      <OfflineReason />
    </form>
  );
}
