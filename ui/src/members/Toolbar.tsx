// Search and filters of the members table. Every control has a visible label: the table is
// read all day and filters must be obvious at a glance, not hidden in a menu.
import { useLayoutEffect, type Ref } from "react";
import type { AssignmentType } from "../bindings/AssignmentType";
import type { MemberStatus } from "../bindings/MemberStatus";
import type { WorkspaceRole } from "../bindings/WorkspaceRole";
import { describe, HOTKEYS } from "../hotkeys";
import type { Directory } from "../directory";
import { GlossaryHint } from "../kit/Glossary";
import { NO_FILTERS, type Filters } from "./pages";
import { filterEchoed, filterKeystroke } from "../perf";

export const ASSIGNMENT_TYPES: AssignmentType[] = ["dedicated", "pool", "escalation"];
export const WORKSPACE_ROLES: WorkspaceRole[] = ["member", "admin", "owner"];

export function Toolbar(props: { filters: Filters; onChange: (f: Filters) => void; dir: Directory; searchRef: Ref<HTMLInputElement>; onDown?: () => void }) {
  const { filters: f, onChange, dir } = props;
  const set = <K extends keyof Filters>(k: K, v: Filters[K]) => onChange({ ...f, [k]: v });
  const changed = JSON.stringify(f) !== JSON.stringify(NO_FILTERS);
  // The typed text is in the box: timed from the keystroke to its paint (`make bench`).
  useLayoutEffect(filterEchoed, [f.search]);
  return (
    <div className="members-toolbar" role="search" aria-label="Filter members">
      <label className="search">
        <span className="sr-only">Search members</span>
        <input
          ref={props.searchRef}
          type="search"
          aria-label="Search members"
          placeholder={`Search name or email (${describe(HOTKEYS.search)})`}
          value={f.search}
          onChange={(e) => {
            filterKeystroke(e.nativeEvent.timeStamp);
            set("search", e.target.value);
          }}
          onKeyDown={(e) => {
            if (e.key === "Escape" && f.search) {
              e.stopPropagation();
              e.preventDefault();
              set("search", "");
            }
            // ↓ goes from the search into the results.
            if (e.key === "ArrowDown" && props.onDown) {
              e.preventDefault();
              props.onDown();
            }
          }}
        />
      </label>
      <label>
        Workspace role
        <select value={f.workspaceRole} onChange={(e) => set("workspaceRole", e.target.value as Filters["workspaceRole"])}>
          <option value="">any</option>
          {WORKSPACE_ROLES.map((r) => (
            <option key={r} value={r}>{r}</option>
          ))}
          <option value="client">client contacts</option>
        </select>
      </label>
      <label>
        Community role
        <select value={f.roleId} onChange={(e) => set("roleId", e.target.value)}>
          <option value="">any</option>
          {dir.roles.map((r) => (
            <option key={r.id} value={r.id}>{r.name}</option>
          ))}
        </select>
      </label>
      <span className="with-hint">
        <label>
          Assignment
          <select value={f.assignmentType} onChange={(e) => set("assignmentType", e.target.value as Filters["assignmentType"])}>
            <option value="">any</option>
            {ASSIGNMENT_TYPES.map((t) => (
              <option key={t} value={t}>{t}</option>
            ))}
          </select>
        </label>
        <GlossaryHint topic="assignment_type" />
      </span>
      <label>
        2FA
        <select value={f.twoFactor} onChange={(e) => set("twoFactor", e.target.value as Filters["twoFactor"])}>
          <option value="">any</option>
          <option value="on">on</option>
          <option value="off">off</option>
        </select>
      </label>
      <label>
        Status
        <select value={f.status} onChange={(e) => set("status", e.target.value as MemberStatus)}>
          <option value="all">members and invited</option>
          <option value="active">members only</option>
          <option value="invited">pending invitations</option>
        </select>
      </label>
      {changed && (
        <button type="button" className="link" onClick={() => onChange(NO_FILTERS)}>
          Clear filters
        </button>
      )}
    </div>
  );
}
