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
  id, workspace_id: "ws-1", actor_id: "u-ann", action, target_kind, target_id: `t-${id}`, before: null, after: null, at, request_id: `req-${id}`, names: {}, summary: "", ...over,
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

  it("says what happened in a sentence, with the changed fields and raw JSON behind a Details disclosure", async () => {
    const made = [{ id: "a-1", community_id: "c-acme", user_id: "u-dana", role_id: "r-analyst", assignment_type: "pool" }];
    ipc({
      audit: () => ({
        items: [
          entry(7, "member.assign_roles", "member", "2026-03-07T12:00:00Z", {
            target_id: "u-dana",
            after: made,
            // The names as they were when written: the community has been renamed since.
            names: { "u-ann": "Ann Admin <ann@example.test>", "u-dana": "Dana Doe <dana@example.test>", "c-acme": "Acme (then)", "r-analyst": "Analyst" },
            summary: "Ann Admin gave dana@example.test Analyst in Acme (then)",
          }),
        ],
        next_cursor: null,
      }),
      member: () => null,
      communities: () => [{ id: "c-acme", name: "Acme Corp" }],
      roles: () => [{ id: "r-analyst", name: "Analyst" }],
    });
    renderInPane(<AuditLog />);
    await waitFor(() => expect(bodyRows()).toHaveLength(1));
    const row = bodyRows()[0];
    expect(row.getAttribute("data-entry")).toBe("7");
    expect(row.querySelector(".au-summary")!.textContent).toBe("Ann Admin gave dana@example.test Analyst in Acme (then)");
    // The actor by the email kept with the entry.
    expect(row.querySelector(".au-actor")!.textContent).toBe("ann@example.test");
    // Details: closed at first, a keyboard stop (a summary), opening on activation.
    const details = row.querySelector("details")!;
    const toggle = within(row).getByText("Details");
    expect(toggle.tagName).toBe("SUMMARY");
    expect(details.open).toBe(false);
    toggle.focus();
    expect(document.activeElement).toBe(toggle);
    fireEvent.click(toggle);
    await waitFor(() => expect(details.open).toBe(true));
    // The kept names win over the cache's current ones.
    const fields = within(details).getByRole("list", { name: "Changed fields" });
    expect(fields.textContent).toContain('+ community: "Acme (then)", user: "dana@example.test", role: "Analyst", assignment_type: "pool"');
    expect(fields.textContent).not.toContain("Acme Corp");
    expect(within(details).getByTitle("u-dana").textContent).toBe("dana@example.test");
    const raw = within(details).getByLabelText("Before and after");
    expect(JSON.parse(raw.textContent!)).toEqual({ before: null, after: made });
  });

  it("sends the filters to the server, which searches the whole log; Load more follows the matches", async () => {
    const calls = ipc({
      audit: (a) => {
        const s = a.search as Record<string, unknown>;
        if (s.action === "role.create") return { items: [page1[1]], next_cursor: null };
        return a.cursor === null ? { items: page1, next_cursor: "cur-3" } : { items: page2, next_cursor: null };
      },
      member: (a) => (a.userId === "u-bob" ? { member: { email: "bob@example.test" } } : a.userId === "u-ann" ? { member: { email: "ann@example.test" } } : null),
      members: (a) => {
        const q = a.query as { search: string };
        return q.search === "bob@example.test" ? { rows: [{ user_id: "u-bob", email: "bob@example.test" }], total: 1 } : { rows: [], total: 0 };
      },
      communities: () => [{ id: "c-acme", name: "Acme Corp" }],
      roles: () => [{ id: "r-analyst", name: "Analyst" }],
    });
    renderInPane(<AuditLog />);
    await waitFor(() => expect(bodyRows()).toHaveLength(3));
    const searches = () => calls.filter((c) => c.cmd === "audit").map((c) => c.args.search as Record<string, unknown>);
    expect(searches()[0]).toEqual({ action: null, actor_id: null, target_kind: null, target_id: null, community_id: null, from: null, to: null });

    fireEvent.change(screen.getByLabelText("Action"), { target: { value: "role.create" } });
    fireEvent.change(screen.getByLabelText("Community"), { target: { value: "c-acme" } });
    fireEvent.change(screen.getByLabelText("From"), { target: { value: "2026-03-04" } });
    fireEvent.change(screen.getByLabelText("To"), { target: { value: "2026-03-04" } });
    fireEvent.change(screen.getByLabelText("Actor"), { target: { value: "bob@example.test" } });
    await waitFor(() => expect(searches().some((s) => s.actor_id === "u-bob")).toBe(true));
    const last = searches()[searches().length - 1];
    expect(last).toMatchObject({ action: "role.create", community_id: "c-acme", actor_id: "u-bob" });
    expect(new Date(String(last.from)).getTime()).toBe(new Date(2026, 2, 4).getTime());
    expect(new Date(String(last.to)).getTime()).toBe(new Date(2026, 2, 5).getTime());
    await waitFor(() => expect(bodyRows()).toHaveLength(1));
    expect(screen.getByRole("status").textContent).toContain("that is every match");

    // Someone who is no member: said so, and nothing asked.
    const asked = searches().length;
    fireEvent.change(screen.getByLabelText("Actor"), { target: { value: "nobody@example.test" } });
    expect(await screen.findByText(/No member of Northwind MSSP has the email/)).toBeTruthy();
    expect(searches().length).toBe(asked);

    fireEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    await waitFor(() => expect(bodyRows()).toHaveLength(3));
    fireEvent.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(bodyRows()).toHaveLength(4));
    expect(calls.filter((c) => c.cmd === "audit").map((c) => c.args.cursor).slice(-2)).toEqual([null, "cur-3"]);
    expect(bodyRows()[3].textContent).toContain("system");
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
  });

  it("exports what the filters match, from the server, and says where the file went", async () => {
    const calls = ipc({
      audit: () => ({ items: page1, next_cursor: null }),
      audit_export: (a) => ({ path: `/home/ann/Downloads/tenantry-northwind-audit.${a.format}`, count: 3 }),
      member: () => null,
      communities: () => [{ id: "c-acme", name: "Acme Corp" }],
      roles: () => [],
    });
    renderInPane(<AuditLog />);
    await waitFor(() => expect(bodyRows()).toHaveLength(3));
    fireEvent.change(screen.getByLabelText("Community"), { target: { value: "c-acme" } });
    const button = await screen.findByRole("button", { name: "Export matches as CSV" });
    await waitFor(() => expect(calls.some((c) => c.cmd === "audit" && (c.args.search as { community_id: string | null }).community_id === "c-acme")).toBe(true));
    fireEvent.click(button);
    expect((await screen.findByText(/^Saved 3 audit entries to/)).textContent).toContain("tenantry-northwind-audit.csv");
    expect(calls.find((c) => c.cmd === "audit_export")!.args).toMatchObject({ workspaceId: "ws-1", format: "csv", search: { community_id: "c-acme" } });
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
