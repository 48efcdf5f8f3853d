// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { AuditAction } from "../bindings/AuditAction";
import type { AuditEntry } from "../bindings/AuditEntry";
import type { AuditTarget } from "../bindings/AuditTarget";
import { ipc, refuse, renderInPane } from "../test/render";
import { AuditLog } from "./AuditLog";

afterEach(cleanup);

const entry = (id: number, action: AuditAction, target_kind: AuditTarget, at: string, over: Partial<AuditEntry> = {}): AuditEntry => ({
  id, workspace_id: "ws-1", actor_id: "u-ann", action, target_kind, target_id: `t-${id}`, before: null, after: null, at, request_id: `req-${id}`, ...over,
});
const page1: AuditEntry[] = [
  entry(5, "workspace.update", "workspace", "2026-03-05T12:00:00Z", { before: { name: "Northwind", version: 1 }, after: { name: "Northwind MSSP", version: 2 } }),
  entry(4, "role.create", "role", "2026-03-04T12:00:00Z", { actor_id: "u-bob", after: { name: "Tier 2", kind: "custom" } }),
  entry(3, "member.role_change", "member", "2026-03-03T12:00:00Z", { before: { role: "member" }, after: { role: "admin" } }),
];
const page2: AuditEntry[] = [entry(2, "api_key.revoke", "api_key", "2026-02-20T12:00:00Z", { actor_id: null })];

function handlers() {
  return ipc({
    audit: (a) => (a.cursor === null ? { items: page1, next_cursor: "cur-3" } : a.cursor === "cur-3" ? { items: page2, next_cursor: null } : { items: [], next_cursor: null }),
    member: (a) => ({ u_ann: { member: { email: "ann@example.test" } }, u_bob: { member: { email: "bob@example.test" } } } as Record<string, unknown>)[String(a.userId).replace("-", "_")] ?? null,
    communities: () => [{ id: "c-acme", name: "Acme Corp" }],
    roles: () => [{ id: "r-analyst", name: "Analyst" }],
  });
}

const bodyRows = () => within(screen.getByRole("table", { name: "Audit entries" })).getAllByRole("row").slice(1);

describe("AuditLog", () => {
  it("shows entries with actor emails and a compact before → after", async () => {
    handlers();
    renderInPane(<AuditLog />);
    await waitFor(() => expect(bodyRows()).toHaveLength(3));
    const first = bodyRows()[0];
    expect(first.textContent).toContain("workspace.update");
    expect(first.textContent).toContain('name: "Northwind" → "Northwind MSSP"');
    expect(first.textContent).not.toContain("version:");
    await waitFor(() => expect(bodyRows()[1].textContent).toContain("bob@example.test"));
    expect(bodyRows()[1].textContent).toContain('+ name: "Tier 2"');
  });

  it("names the member a member action is about, and the community and role of an assignment", async () => {
    const made = [{ id: "a-1", workspace_id: "ws-1", community_id: "c-acme", user_id: "u-bob", role_id: "r-analyst", assignment_type: "pool", created_at: "2026-03-06T12:00:00Z" }];
    ipc({
      audit: () => ({ items: [entry(6, "member.assign_roles", "member", "2026-03-06T12:00:00Z", { target_id: "u-bob", after: made })], next_cursor: null }),
      member: (a) => (a.userId === "u-bob" ? { member: { email: "bob@example.test" } } : a.userId === "u-ann" ? { member: { email: "ann@example.test" } } : null),
      communities: () => [{ id: "c-acme", name: "Acme Corp" }],
      roles: () => [{ id: "r-analyst", name: "Analyst" }],
    });
    renderInPane(<AuditLog />);
    await waitFor(() => expect(bodyRows()[0].textContent).toContain('+ community: "Acme Corp", user: "bob@example.test", role: "Analyst", assignment_type: "pool"'));
    const target = within(bodyRows()[0]).getByTitle("u-bob");
    expect(target.textContent).toBe("bob@example.test");
  });

  it("filters narrow the rows; Load more sends the cursor", async () => {
    const calls = handlers();
    renderInPane(<AuditLog />);
    await waitFor(() => expect(bodyRows()).toHaveLength(3));
    expect(calls.find((c) => c.cmd === "audit")!.args).toMatchObject({ workspaceId: "ws-1", cursor: null });

    fireEvent.change(screen.getByLabelText("Target"), { target: { value: "role" } });
    expect(bodyRows().map((r) => r.textContent)).toEqual([expect.stringContaining("role.create")]);
    fireEvent.change(screen.getByLabelText("Target"), { target: { value: "" } });

    fireEvent.change(screen.getByLabelText("Action"), { target: { value: "WORKSPACE.UP" } });
    expect(bodyRows()).toHaveLength(1);
    fireEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    expect(bodyRows()).toHaveLength(3);

    await waitFor(() => expect(bodyRows()[1].textContent).toContain("bob@example.test"));
    fireEvent.change(screen.getByLabelText("Actor"), { target: { value: "bob@" } });
    expect(bodyRows().map((r) => r.textContent)).toEqual([expect.stringContaining("role.create")]);
    fireEvent.change(screen.getByLabelText("Actor"), { target: { value: "" } });

    fireEvent.change(screen.getByLabelText("From"), { target: { value: "2026-03-04" } });
    expect(bodyRows()).toHaveLength(2);
    fireEvent.change(screen.getByLabelText("To"), { target: { value: "2026-03-04" } });
    expect(bodyRows().map((r) => r.textContent)).toEqual([expect.stringContaining("role.create")]);
    fireEvent.click(screen.getByRole("button", { name: "Clear filters" }));

    fireEvent.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(bodyRows()).toHaveLength(4));
    expect(calls.filter((c) => c.cmd === "audit").map((c) => c.args.cursor)).toEqual([null, "cur-3"]);
    expect(bodyRows()[3].textContent).toContain("system");
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
  });

  it("offline: says the audit log needs the server and shows nothing, without asking", async () => {
    const calls = handlers();
    renderInPane(<AuditLog />, { offline: { code: "offline", message: "unreachable", problem: null } });
    expect(screen.getByRole("status").textContent).toContain("needs the server");
    expect(screen.queryByRole("table")).toBeNull();
    await new Promise((r) => setTimeout(r, 20));
    expect(calls.some((c) => c.cmd === "audit")).toBe(false);
  });

  it("when the server drops during the read, the same sentence", async () => {
    ipc({ audit: () => refuse({ code: "offline", message: "The server cannot be reached.", problem: null }) });
    renderInPane(<AuditLog />);
    expect((await screen.findByRole("status")).textContent).toContain("needs the server");
    expect(screen.getByRole("button", { name: "Try again" })).toBeTruthy();
  });
});
