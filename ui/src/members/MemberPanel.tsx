// The side panel of the selected person: for a member, their workspace role, community roles,
// effective permissions with provenance, and the actions on them; for a pending invitation,
// what it grants and "Revoke invitation".
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { AssignmentSpec } from "../bindings/AssignmentSpec";
import type { ClientError } from "../bindings/ClientError";
import type { MemberDetail } from "../bindings/MemberDetail";
import type { WorkspaceRole } from "../bindings/WorkspaceRole";
import { usePane } from "../context";
import { Empty, ErrorNote, Loading, OfflineReason, ServerButton } from "../kit/kit";
import { filterPermissionRows, groupPermissionRows, labelPermissionRows, permissionRows, type PermissionGroup } from "../permissions";
import { describe, HOTKEYS, useHotkey } from "../hotkeys";
import { Hint } from "../kit/Hint";
import { Term } from "../kit/Glossary";
import { useChange, useCmd } from "../query";
import type { Directory } from "../directory";
import { formatDate } from "../format";
import { PanelFrame } from "../kit/PanelFrame";
import { RoleEditor } from "./RoleEditor";
import { WORKSPACE_ROLES } from "./Toolbar";
import "./permissionGroups.css";

/** How long a removed role is offered back. */
const UNDO_MS = 10_000;
/** Up to this many permission rows, every area starts open; beyond, the areas start closed
 *  with their counts (a workspace owner holds ~100). */
const OPEN_UP_TO = 30;

/** With panes side by side, the panel's plain-key shortcuts belong to the focused pane only;
 *  and none acts under a dialog. */
function panelKeysApply(el: HTMLElement | null): boolean {
  const pane = el?.closest(".pane");
  return !!el && (!pane || pane.classList.contains("focused")) && document.querySelector('[role="dialog"]') === null;
}

export const LAST_OWNER = "Every workspace keeps at least one owner: make someone else owner first, then change this one.";

/**
 * Is `userId` the workspace's only owner? Counted from the cache before anything is sent, so
 * the console explains the rule instead of letting the server refuse. null while counting.
 */
export function useLastOwner(userId: string, role: WorkspaceRole | undefined): boolean | null {
  const { account, ws } = usePane();
  const owners = useCmd(
    "members",
    role === "owner"
      ? {
          account: account.key,
          query: {
            workspace_id: ws.id,
            search: null,
            workspace_role: "owner",
            communities: [],
            role_id: null,
            assignment_type: null,
            two_factor: null,
            status: "active",
            sort: "email",
            descending: false,
            offset: 0,
            limit: 1,
          },
        }
      : null,
  );
  if (role !== "owner") return false;
  if (!owners.data) return null;
  return Number(owners.data.total) <= 1 && (owners.data.rows[0]?.user_id ?? userId) === userId;
}

export function MemberPanel({ userId, dir, onClose }: { userId: string; dir: Directory; onClose: () => void }) {
  const { account, ws } = usePane();
  const detail = useCmd("member", { account: account.key, workspaceId: ws.id, userId });
  return (
    <PanelFrame label="Member details" onClose={onClose}>
      {detail.isLoading ? (
        <Loading what="member" />
      ) : detail.error ? (
        <ErrorNote error={detail.error} onRetry={() => detail.refetch()} />
      ) : !detail.data ? (
        <Empty>This member is no longer in the cache: they may have been removed. Sync to refresh.</Empty>
      ) : (
        <MemberBody detail={detail.data} dir={dir} onClose={onClose} />
      )}
    </PanelFrame>
  );
}

function MemberBody({ detail, dir, onClose }: { detail: MemberDetail; dir: Directory; onClose: () => void }) {
  const { account, ws, guard } = usePane();
  const m = detail.member;
  const who = m.display_name || m.email;
  const base = { account: account.key, workspaceId: ws.id, userId: m.user_id };
  const lastOwner = useLastOwner(m.user_id, m.role);
  const [role, setRole] = useState<WorkspaceRole>(m.role);
  const [editing, setEditing] = useState(false);
  // Asking again (R, or the button) while the editor is open brings it back into view.
  const [editorAsked, setEditorAsked] = useState(0);
  // What the last Apply changed, said once the editor has closed.
  const [rolesDone, setRolesDone] = useState<string | null>(null);
  const [permFilter, setPermFilter] = useState("");
  const mine = useRef<HTMLElement>(null);
  const changeRolesButton = useRef<HTMLButtonElement>(null);
  const openEditor = () => {
    setRolesDone(null);
    setEditing(true);
    setEditorAsked((n) => n + 1);
  };
  const closeEditor = (outcome?: string) => {
    setEditing(false);
    if (outcome) setRolesDone(outcome);
    changeRolesButton.current?.focus();
  };
  useHotkey("changeRoles", () => panelKeysApply(mine.current) && openEditor(), m.role !== "client");

  const changeRole = useChange("change_member_role");
  const makeOwner = useChange("change_member_role");
  const qc = useQueryClient();
  // Someone else changed this member meanwhile: show their version (ErrorNote says so).
  const onRoleError = (e: ClientError) => e.code === "precondition_failed" && qc.invalidateQueries({ queryKey: ["member"] });
  // The role shown follows the member's once a change lands (here or from a sync).
  useEffect(() => setRole(m.role), [m.role]);
  const remove = useChange("remove_member", { onSuccess: onClose });
  const reset = useChange("reset_2fa");
  const unassign = useChange("unassign_role");
  const reassign = useChange("assign_roles", { onSuccess: () => setUndo(null) });
  // A role just removed, offered back for a few seconds instead of a dialog before.
  const [undo, setUndo] = useState<{ label: string; spec: AssignmentSpec } | null>(null);
  useEffect(() => {
    if (!undo) return;
    const t = setTimeout(() => setUndo(null), UNDO_MS);
    return () => clearTimeout(t);
  }, [undo]);

  // Leaving "owner" (demotion) or removing: blocked for the last owner, explained up front.
  const ownerBlocked = lastOwner !== false;
  const ownerNote = lastOwner === null ? "Counting the workspace's owners…" : lastOwner ? LAST_OWNER : null;
  const demoting = m.role === "owner" && role !== "owner";

  async function applyRole() {
    if (role === m.role) return;
    const what = role === "owner" ? `make ${who} an owner of ${ws.name}` : `change ${who}'s workspace role from ${m.role} to ${role}`;
    if (!(await guard(what))) return;
    changeRole.mutate({ ...base, version: m.version, role }, { onError: onRoleError });
  }

  const catalogue = useCmd("permission_catalogue", {}, { staleTime: Infinity });
  const allPerms = labelPermissionRows(permissionRows(detail.permissions, dir.communityName), catalogue.data ?? []);
  const perms = filterPermissionRows(allPerms, permFilter);
  const groups = groupPermissionRows(perms, catalogue.data ?? []);

  return (
    <>
      <header className="panel-head" ref={mine}>
        <h2>{who}</h2>
        <p className="muted small">
          {m.email} · joined {formatDate(m.joined_at)}
        </p>
        <dl className="facts">
          <div>
            <dt>Workspace role</dt>
            <dd>{m.role}</dd>
          </div>
          <div>
            <dt>2FA</dt>
            <dd>{m.two_factor_enabled ? "on" : <span className="warn">off</span>}</dd>
          </div>
          <div>
            <dt>Community roles</dt>
            <dd>{detail.assignments.length}</dd>
          </div>
        </dl>
      </header>

      {m.role === "client" ? (
        <section aria-labelledby="contact-h">
          <h3 id="contact-h">Client contact</h3>
          <p className="small">
            {who} is a client contact of {m.contact_of ? dir.communityName(m.contact_of) : "a community"}: they read its overview through the client portal, hold no roles and
            take no seat. To give them roles, remove them and invite them as a member.
          </p>
        </section>
      ) : (
        <>
          <section>
            <h3 id="ws-role-h">Workspace role</h3>
            <div className="row">
              <select aria-label="New workspace role" value={role} onChange={(e) => setRole(e.target.value as WorkspaceRole)} disabled={m.role === "owner" && ownerBlocked}>
                {WORKSPACE_ROLES.map((r) => (
                  <option key={r} value={r}>{r}</option>
                ))}
              </select>
              <ServerButton type="button" onClick={applyRole} disabled={role === m.role || (demoting && ownerBlocked)} busy={changeRole.isPending} busyLabel="Changing…">
                Change workspace role
              </ServerButton>
              {m.role !== "owner" && (
                <ServerButton
                  type="button"
                  busy={makeOwner.isPending}
                  busyLabel="Making owner…"
                  onClick={async () => {
                    if (await guard(`make ${who} an owner of ${ws.name}`, { consequence: "Owners may change the plan, delete the workspace and take ownership from others." })) makeOwner.mutate({ ...base, version: m.version, role: "owner" }, { onError: onRoleError });
                  }}
                >
                  Make owner
                </ServerButton>
              )}
            </div>
            {m.role === "owner" && ownerNote && <p className="note small" role="note">{ownerNote}</p>}
            {m.role !== "owner" && (
              <p className="muted small">
                To transfer ownership, make {who} owner, then change the previous owner's role: a workspace may have several owners, never none.
              </p>
            )}
            <ErrorNote error={changeRole.error ?? makeOwner.error} />
          </section>

          <section aria-labelledby="roles-h">
            <div className="row between">
              <h3 id="roles-h">Community roles</h3>
              <Hint text={<>Change roles <kbd>{describe(HOTKEYS.changeRoles)}</kbd></>}>
                <button
                  ref={changeRolesButton}
                  type="button"
                  className="small"
                  aria-expanded={editing}
                  aria-keyshortcuts={describe(HOTKEYS.changeRoles)}
                  onClick={() => (editing ? closeEditor() : openEditor())}
                >
                  Change roles
                </button>
              </Hint>
            </div>
            {detail.assignments.length === 0 ? (
              <p className="muted small">
                No community roles{m.role !== "member" ? `; as workspace ${m.role} they hold Admin permissions in every community` : ""}.
              </p>
            ) : (
              <ul className="assignments">
                {detail.assignments.map((a) => (
                  <li key={a.id}>
                    <span>
                      {dir.grant(a)}{" "}
                      <span className="muted small">
                        (<Term topic="assignment_type" term={a.assignment_type} />)
                      </span>
                    </span>
                    <ServerButton
                      type="button"
                      className="small"
                      aria-label={`Remove ${dir.grant(a)}`}
                      busy={unassign.isPending && unassign.variables?.assignmentId === a.id}
                      busyLabel="Removing…"
                      onClick={async () => {
                        const label = dir.grant(a);
                        if (!(await guard(`remove ${who}'s role ${label}`, { productionOnly: true }))) return;
                        const spec: AssignmentSpec = { community_id: a.community_id, role_id: a.role_id, assignment_type: a.assignment_type };
                        unassign.mutate({ account: account.key, workspaceId: ws.id, assignmentId: a.id }, { onSuccess: () => setUndo({ label, spec }) });
                      }}
                    >
                      Remove
                    </ServerButton>
                  </li>
                ))}
              </ul>
            )}
            {undo && (
              <p role="status" className="ok small undo">
                Removed {undo.label}.{" "}
                <ServerButton
                  type="button"
                  className="small"
                  busy={reassign.isPending}
                  busyLabel="Giving it back…"
                  onClick={() => reassign.mutate({ account: account.key, workspaceId: ws.id, userId: m.user_id, req: { assignments: [undo.spec] } })}
                >
                  Undo
                </ServerButton>
              </p>
            )}
            <ErrorNote error={unassign.error ?? reassign.error} />
            {rolesDone && !editing && (
              <p role="status" className="ok small">
                {rolesDone}
              </p>
            )}
            {editing && <RoleEditor userId={m.user_id} who={who} assignments={detail.assignments} dir={dir} focusKey={editorAsked} onDone={closeEditor} />}
          </section>
        </>
      )}

      <section aria-labelledby="perms-h">
        <div className="row between">
          <h3 id="perms-h">Effective permissions</h3>
          <input type="search" className="small" aria-label="Filter permissions" placeholder="Filter" value={permFilter} onChange={(e) => setPermFilter(e.target.value)} />
        </div>
        <p className="muted small">The union of the workspace role and every community role, with where each permission comes from.</p>
        {perms.length === 0 ? (
          <p className="muted small">{permFilter ? "No permission matches." : "No permissions."}</p>
        ) : (
          <PermissionGroups groups={groups} key={permFilter ? "filtered" : "all"} startOpen={permFilter !== "" || allPerms.length <= OPEN_UP_TO} />
        )}
      </section>

      <section aria-labelledby="danger-h" className="danger-zone">
        <h3 id="danger-h">Access</h3>
        <p className="muted small">
          Reset 2FA removes {who}'s authenticator: they must enrol again at their next sign-in.{!m.two_factor_enabled && " Their 2FA is currently off."}
        </p>
        <div className="row">
          <ServerButton
            type="button"
            busy={reset.isPending}
            busyLabel="Resetting…"
            onClick={async () => {
              if (await guard(`reset the two-factor authentication of ${who}`, { consequence: "Their authenticator stops working; they enrol a new one at their next sign-in." })) reset.mutate(base);
            }}
          >
            Reset 2FA
          </ServerButton>
          <ServerButton
            type="button"
            className="danger"
            disabled={ownerBlocked}
            title={lastOwner ? LAST_OWNER : undefined}
            busy={remove.isPending}
            busyLabel="Removing…"
            onClick={async () => {
              if (await guard(`remove ${who} from ${ws.name}`, { consequence: `They lose access to ${ws.name} at once, with every community role; inviting them again starts from nothing.` })) remove.mutate(base);
            }}
          >
            {m.role === "client" ? "Remove contact" : "Remove member"}
          </ServerButton>
        </div>
        {lastOwner && <p className="note small" role="note">{LAST_OWNER}</p>}
        {reset.isSuccess && <p role="status" className="ok small">2FA reset: {who} will enrol a new authenticator at their next sign-in.</p>}
        <ErrorNote error={reset.error ?? remove.error} />
      </section>
      <OfflineReason />
    </>
  );
}

/** The effective permissions by area, each area a disclosure with its count; a permission named
 *  in the catalogue's words, its raw id on hover and in `data-permission`. */
function PermissionGroups({ groups, startOpen }: { groups: PermissionGroup[]; startOpen: boolean }) {
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const isOpen = (area: string) => open[area] ?? startOpen;
  const allOpen = groups.every((g) => isOpen(g.area));
  return (
    <div className="perm-groups">
      {groups.length > 1 && (
        <button type="button" className="link small" onClick={() => setOpen(Object.fromEntries(groups.map((g) => [g.area, !allOpen])))}>
          {allOpen ? "Collapse all areas" : "Expand all areas"}
        </button>
      )}
      {groups.map((g) => {
        const id = `perm-area-${g.area}`;
        return (
          <section key={g.area} className="perm-group" data-area={g.area} aria-labelledby={`${id}-h`}>
            <h4 id={`${id}-h`}>
              <button type="button" className="perm-area" aria-expanded={isOpen(g.area)} aria-controls={id} onClick={() => setOpen((o) => ({ ...o, [g.area]: !isOpen(g.area) }))}>
                <span aria-hidden className="arrow">{isOpen(g.area) ? "▾" : "▸"}</span> {g.label}{" "}
                <span className="count muted">
                  {g.permissions} permission{g.permissions === 1 ? "" : "s"}
                  {g.rows.length > g.permissions ? `, ${g.rows.length} grants` : ""}
                </span>
              </button>
            </h4>
            {isOpen(g.area) && (
              <table className="perms" id={id}>
                <thead>
                  <tr>
                    <th scope="col">Permission</th>
                    <th scope="col">Where</th>
                    <th scope="col">Granted by</th>
                  </tr>
                </thead>
                <tbody>
                  {g.rows.map((p) => (
                    <tr key={`${p.permission}@${p.where}`} data-permission={p.permission}>
                      <td title={p.permission} data-permission={p.permission}>
                        {p.label ?? p.permission}
                        {p.restricted && <span className="badge" title="Only events and alerts from some intakes">restricted</span>}
                      </td>
                      <td>{p.where}</td>
                      <td>{p.sources.join(", ")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        );
      })}
    </div>
  );
}
