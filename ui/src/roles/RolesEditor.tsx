// Custom and restricted roles: list every role of the workspace (built-in ones viewable,
// never editable), create and edit the others — permissions grouped by area, intake scope
// for restricted kinds — and delete them. Unsaved edits are drafts kept per role, so a failed
// save (offline, refused, or someone else's change) never loses what the user typed.
import { keepPreviousData } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import type { CatalogueEntry } from "../bindings/CatalogueEntry";
import type { Permission } from "../bindings/Permission";
import type { Role } from "../bindings/Role";
import { usePane } from "../context";
import { Empty, ErrorNote, Loading, OfflineReason, ServerButton } from "../kit/kit";
import { GlossaryHint, Term, useGlossary } from "../kit/Glossary";
import { orderRoles } from "../directory";
import { useChange, useCmd } from "../query";
import { IntakePicker } from "./IntakePicker";
import {
  createRequest,
  draftOf,
  groupCatalogue,
  groupState,
  isDirty,
  isRestricted,
  kindLabel,
  KINDS,
  newDraft,
  notAllowed,
  permissionsToSend,
  toggleGroup,
  type Draft,
  type EditableKind,
  updateRequest,
} from "./perms";
import "./roles.css";

const NEW = "+new";
/** Drafts outlive the view (switching tabs unmounts it): per account and workspace. */
const kept = new Map<string, Record<string, Draft>>();
/** Forget every kept draft (sign-out, tests). */
export function forgetDrafts() {
  kept.clear();
}

export function RolesEditor() {
  const { account, ws } = usePane();
  const base = { account: account.key, workspaceId: ws.id };
  const roles = useCmd("roles", base);
  const catalogue = useCmd("permission_catalogue", {});
  const keptKey = `${account.key}|${ws.id}`;
  const [drafts, setDrafts] = useState<Record<string, Draft>>(() => kept.get(keptKey) ?? {});
  useEffect(() => {
    kept.set(keptKey, drafts);
  }, [keptKey, drafts]);
  const [selected, setSelected] = useState<string | null>(null);
  const list = useMemo(() => orderRoles(roles.data ?? []), [roles.data]);
  const current = selected === NEW ? null : (list.find((r) => r.id === selected) ?? null);

  if (roles.isLoading || catalogue.isLoading) return <Loading what="roles" />;
  if (roles.error) return <ErrorNote error={roles.error} onRetry={() => roles.refetch()} />;
  if (catalogue.error) return <ErrorNote error={catalogue.error} onRetry={() => catalogue.refetch()} />;

  const setDraft = (key: string, d: Draft | null) =>
    setDrafts((all) => {
      const next = { ...all };
      if (d) next[key] = d;
      else delete next[key];
      return next;
    });

  return (
    <div className="roles-editor">
      <nav className="rl-list" aria-label="Roles">
        <button type="button" className="rl-new" onClick={() => setSelected(NEW)} aria-pressed={selected === NEW}>
          New role…{drafts[NEW] ? " (draft)" : ""}
        </button>
        <p className="small muted rl-kinds-hint">
          Kinds of role <GlossaryHint topic="role_kind" />
        </p>
        <ul>
          {list.map((r) => (
            <li key={r.id}>
              <button type="button" aria-pressed={selected === r.id} aria-current={selected === r.id ? "true" : undefined} onClick={() => setSelected(r.id)}>
                <span className="rl-name">{r.name}</span>
                <span className="rl-kind">{kindLabel(r.kind)}</span>
                {drafts[r.id] && isDirty(drafts[r.id], r) && <span className="rl-edited" title="Unsaved changes">edited</span>}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <div className="rl-detail">
        {selected === null ? (
          <Empty>Choose a role to see its permissions, or create a new one. Built-in roles (Guest, Analyst, Admin) can be viewed but not changed.</Empty>
        ) : current?.builtin || current?.kind === "builtin" ? (
          <BuiltinView role={current} catalogue={catalogue.data ?? []} />
        ) : selected !== NEW && !current ? (
          <Empty>This role no longer exists; someone deleted it.</Empty>
        ) : (
          <RoleForm
            key={selected}
            role={current}
            catalogue={catalogue.data ?? []}
            draft={drafts[selected] ?? (current ? draftOf(current) : newDraft())}
            onDraft={(d) => setDraft(selected, d)}
            onSaved={(r) => {
              setDraft(selected, null);
              setSelected(r.id);
            }}
            onDeleted={() => {
              setDraft(selected, null);
              setSelected(null);
            }}
            refetchRoles={() => roles.refetch()}
          />
        )}
      </div>
    </div>
  );
}

function BuiltinView({ role, catalogue }: { role: Role; catalogue: CatalogueEntry[] }) {
  const held = new Set(role.permissions);
  return (
    <section aria-labelledby="rl-title">
      <h2 id="rl-title">
        {role.name}{" "}
        <span className="rl-kind">
          <Term topic="role_kind" term="builtin">{kindLabel("builtin")}</Term>
        </span>
      </h2>
      <p>{role.description}</p>
      <p className="muted small">Built-in roles are the same in every workspace and cannot be changed. Create a custom role to grant a different set.</p>
      <Permissions catalogue={catalogue} selected={held} kind="builtin" readOnly onChange={() => {}} />
    </section>
  );
}

function RoleForm(props: {
  role: Role | null;
  catalogue: CatalogueEntry[];
  draft: Draft;
  onDraft: (d: Draft | null) => void;
  onSaved: (r: Role) => void;
  onDeleted: () => void;
  refetchRoles: () => void;
}) {
  const { account, ws, guard } = usePane();
  const glossary = useGlossary();
  const { role, catalogue, draft } = props;
  const base = { account: account.key, workspaceId: ws.id };
  const create = useChange("create_role", { onSuccess: props.onSaved });
  const update = useChange("update_role", { onSuccess: props.onSaved });
  const del = useChange("delete_role", { onSuccess: props.onDeleted });
  const save = role ? update : create;
  // What is wrong with the draft, in the role check's own words (asked as the user edits).
  const check = useCmd(
    "role_draft_problems",
    { name: draft.name, kind: draft.kind, permissions: permissionsToSend(draft, catalogue), intakeScope: isRestricted(draft.kind) ? draft.intake_scope : [] },
    { placeholderData: keepPreviousData },
  );
  // (The server checks again: a save sent before the answer is refused there, in the same words.)
  const problems = check.data ?? [];
  const dirty = isDirty(draft, role);
  const edit = (patch: Partial<Draft>) => props.onDraft({ ...draft, ...patch });
  const selected = useMemo(() => new Set(draft.permissions), [draft.permissions]);
  // Someone else saved the role after this edit started: the draft is kept, the user decides.
  const moved = role !== null && draft.version !== null && role.version !== draft.version;

  useEffect(() => {
    if (save.error?.code === "precondition_failed") props.refetchRoles();
  }, [save.error]); // eslint-disable-line react-hooks/exhaustive-deps

  const submit = () => {
    if (problems.length) return;
    if (role) update.mutate({ ...base, roleId: role.id, version: draft.version ?? role.version, req: updateRequest(draft, role, catalogue) });
    else create.mutate({ ...base, req: createRequest(draft, catalogue) });
  };

  return (
    <form
      className="rl-form"
      aria-labelledby="rl-title"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h2 id="rl-title">
        {role ? role.name : "New role"}{" "}
        {role && (
          <span className="rl-kind">
            <Term topic="role_kind" term={role.kind}>{kindLabel(role.kind)}</Term>
          </span>
        )}
      </h2>
      <div className="rl-fields">
        <label>
          Name
          <input value={draft.name} onChange={(e) => edit({ name: e.target.value })} required placeholder="Tier 2 analyst" />
        </label>
        <label>
          Description
          <textarea value={draft.description} rows={2} onChange={(e) => edit({ description: e.target.value })} placeholder="What holders of this role do" />
        </label>
        {role ? (
          <p className="small muted">Kind: {kindLabel(role.kind)} — fixed once the role exists; create a new role for another kind.</p>
        ) : (
          <fieldset className="rl-kinds">
            <legend>Kind</legend>
            {KINDS.map((k) => (
              <label key={k.kind}>
                <input type="radio" name="rl-kind" value={k.kind} checked={draft.kind === k.kind} onChange={() => edit({ kind: k.kind as EditableKind })} /> {k.label}
                {glossary.find("role_kind", k.kind) && <span className="muted small"> — {glossary.find("role_kind", k.kind)!.explain}</span>}
              </label>
            ))}
          </fieldset>
        )}
      </div>
      <Permissions catalogue={catalogue} selected={selected} kind={draft.kind} onChange={(next) => edit({ permissions: catalogue.filter((e) => next.has(e.id)).map((e) => e.id) })} />
      {isRestricted(draft.kind) && <IntakePicker selected={draft.intake_scope} onChange={(ids) => edit({ intake_scope: ids })} />}

      {moved && (
        <div className="rl-moved" role="alert">
          Someone changed this role (now version {role.version}) after you started editing. Your edits are kept.{" "}
          <button type="button" onClick={() => { save.reset(); edit({ version: role.version }); }}>Keep my edits</button>{" "}
          <button type="button" onClick={() => { save.reset(); props.onDraft(null); }}>Discard mine and show theirs</button>
        </div>
      )}
      {!moved && <ErrorNote error={save.error} />}
      {problems.length > 0 && dirty && (
        <ul className="rl-problems small" aria-live="polite">
          {problems.map((p) => <li key={p}>{p}</li>)}
        </ul>
      )}
      <OfflineReason />
      <div className="row rl-actions">
        <ServerButton type="submit" disabled={!dirty || problems.length > 0 || moved} busy={save.isPending} busyLabel="Saving…">
          {role ? "Save changes" : "Create role"}
        </ServerButton>
        <button type="button" disabled={!dirty} onClick={() => { save.reset(); props.onDraft(null); }}>
          Discard changes
        </button>
        <span className="spacer" />
        {role && (
          <ServerButton
            type="button"
            className="danger"
            busy={del.isPending}
            busyLabel="Deleting…"
            onClick={async () => {
              if (await guard(`delete the role ${role.name}`, { consequence: "This cannot be undone." })) del.mutate({ ...base, roleId: role.id });
            }}
          >
            Delete role
          </ServerButton>
        )}
      </div>
      <ErrorNote error={del.error} />
    </form>
  );
}

function GroupBox(props: { label: string; state: "all" | "some" | "none"; disabled: boolean; onToggle: () => void }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = props.state === "some";
  }, [props.state]);
  return (
    <input
      ref={ref}
      type="checkbox"
      aria-label={`All of ${props.label}`}
      checked={props.state === "all"}
      aria-checked={props.state === "some" ? "mixed" : props.state === "all"}
      disabled={props.disabled}
      onChange={props.onToggle}
    />
  );
}

function Permissions(props: { catalogue: CatalogueEntry[]; selected: ReadonlySet<Permission>; kind: Draft["kind"] | "builtin"; readOnly?: boolean; onChange: (next: Set<Permission>) => void }) {
  const { selected, kind } = props;
  const groups = useMemo(() => groupCatalogue(props.catalogue), [props.catalogue]);
  const toggle = (id: Permission) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    props.onChange(next);
  };
  return (
    <div className="rl-perms" role="group" aria-label="Permissions">
      <h3>Permissions <span className="muted small">({[...selected].length} ticked)</span></h3>
      <div className="rl-areas">
        {groups.map((g) => {
          const st = groupState(selected, g.entries, kind);
          const none = g.entries.every((e) => notAllowed(e, kind));
          return (
            <fieldset key={g.area} className="rl-area">
              <legend>
                <label>
                  <GroupBox label={g.label} state={st} disabled={!!props.readOnly || none} onToggle={() => props.onChange(toggleGroup(selected, g.entries, kind))} />{" "}
                  {g.label}
                </label>
              </legend>
              {g.entries.map((e) => {
                const why = kind === "builtin" ? null : notAllowed(e, kind);
                return (
                  <label key={e.id} className={why ? "rl-perm blocked" : "rl-perm"} title={why ?? e.description}>
                    <input type="checkbox" checked={selected.has(e.id)} disabled={!!props.readOnly || (!!why && !selected.has(e.id))} onChange={() => toggle(e.id)} />
                    <code>{e.id}</code>
                    {e.read_only && <span className="rl-ro">read-only</span>}
                    <span className="rl-desc muted">{e.description}</span>
                    {why && <span className="rl-why">{why}</span>}
                  </label>
                );
              })}
            </fieldset>
          );
        })}
      </div>
    </div>
  );
}
