// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { MemberDetail } from "../bindings/MemberDetail";
import type { MemberQuery } from "../bindings/MemberQuery";
import type { WorkspaceRole } from "../bindings/WorkspaceRole";
import { ipc, refused, renderInPane } from "../test/render";
import { CATALOGUE, GLOSSARY, RULES } from "../test/catalogue";
import { makeDirectory } from "../directory";
import { clearDrafts } from "../drafts";
import { LAST_OWNER, MemberPanel } from "./MemberPanel";
import { communities, memberRow, roles } from "./testData";

afterEach(() => {
  cleanup();
  clearDrafts();
});

const dir = makeDirectory(communities, roles);

function detail(role: WorkspaceRole, over: Partial<MemberDetail> = {}): MemberDetail {
  return {
    member: { workspace_id: "ws-1", user_id: "u-1", email: "jane@example.test", display_name: "Jane Roe", two_factor_enabled: true, role, joined_at: "2026-02-01T00:00:00Z", version: 7 },
    assignments: [
      { id: "a-1", workspace_id: "ws-1", community_id: "c-acme", user_id: "u-1", role_id: "r-guest", assignment_type: "dedicated", created_at: "2026-02-01T00:00:00Z" },
    ],
    permissions: {
      workspace_role: role,
      everywhere: { "workspace.read": { scope: { kind: "all" }, sources: [{ via: "workspace_role", role }] } },
      communities: { "c-acme": { "alerts.read": { scope: { kind: "all" }, sources: [{ via: "community_role", role_id: "r-guest", role_name: "Guest", community_id: "c-acme" }] } } },
    },
    ...over,
  } as MemberDetail;
}

/** `members` answers the owner count; `owners` is how many owners the workspace has. */
function handlers(role: WorkspaceRole, owners: number, extra: Record<string, (a: Record<string, unknown>) => unknown> = {}) {
  return {
    ...RULES,
    member: () => detail(role),
    members: (a: Record<string, unknown>) => {
      const q = a.query as MemberQuery;
      if (q.workspace_role !== "owner") throw new Error("unexpected members query");
      return { rows: [memberRow(1, { user_id: "u-1", workspace_role: "owner" })].slice(0, q.limit), total: owners };
    },
    ...extra,
  };
}

const changes = <C extends { cmd: string }>(calls: C[]) => calls.filter((c) => !["member", "members", "roles", "communities", "glossary", "permission_catalogue"].includes(c.cmd));

describe("MemberPanel", () => {
  it("explains the last-owner rule before sending, and sends nothing", async () => {
    const calls = ipc(handlers("owner", 1, { change_member_role: () => ({}), remove_member: () => null }));
    renderInPane(<MemberPanel userId="u-1" dir={dir} onClose={() => {}} />);
    expect((await screen.findAllByText(LAST_OWNER)).length).toBeGreaterThan(0);
    // The owner count was asked of the cache, not guessed.
    const q = calls.find((c) => c.cmd === "members")!.args.query as MemberQuery;
    expect(q).toMatchObject({ workspace_role: "owner", status: "active", limit: 1 });

    const select = screen.getByLabelText("New workspace role") as HTMLSelectElement;
    expect(select.disabled).toBe(true);
    const change = screen.getByRole("button", { name: "Change workspace role" }) as HTMLButtonElement;
    const remove = screen.getByRole("button", { name: "Remove member" }) as HTMLButtonElement;
    expect(change.disabled).toBe(true);
    expect(remove.disabled).toBe(true);
    fireEvent.click(change);
    fireEvent.click(remove);
    await new Promise((r) => setTimeout(r, 20));
    expect(changes(calls)).toEqual([]);
  });

  it("lets one of several owners be demoted, sending the version seen", async () => {
    const calls = ipc(handlers("owner", 2, { change_member_role: (a) => ({ ...detail("admin").member, role: a.role }) }));
    renderInPane(<MemberPanel userId="u-1" dir={dir} onClose={() => {}} />);
    await screen.findByRole("heading", { name: "Jane Roe" });
    await waitFor(() => expect((screen.getByLabelText("New workspace role") as HTMLSelectElement).disabled).toBe(false));
    expect(screen.queryByText(LAST_OWNER)).toBeNull();
    fireEvent.change(screen.getByLabelText("New workspace role"), { target: { value: "admin" } });
    fireEvent.click(screen.getByRole("button", { name: "Change workspace role" }));
    await waitFor(() => expect(changes(calls)).toHaveLength(1));
    expect(changes(calls)[0]).toMatchObject({ cmd: "change_member_role", args: { workspaceId: "ws-1", userId: "u-1", role: "admin", version: 7 } });
  });

  it("transfers ownership with Make owner, and keeps the choice when the server refuses", async () => {
    const calls = ipc(
      handlers("member", 1, {
        change_member_role: () => refused({ code: "forbidden", message: "Granting ownership is owner-only. Ask an owner of this workspace.", problem: "forbidden" }),
      }),
    );
    renderInPane(<MemberPanel userId="u-1" dir={dir} onClose={() => {}} />);
    fireEvent.click(await screen.findByRole("button", { name: "Make owner" }));
    expect((await screen.findByRole("alert")).textContent).toContain("Granting ownership is owner-only");
    expect(changes(calls)[0]).toMatchObject({ cmd: "change_member_role", args: { role: "owner", version: 7 } });
    // A non-owner never triggers the owner count.
    expect(calls.some((c) => c.cmd === "members")).toBe(false);
  });

  it("replaces roles in several communities as one all-or-nothing change, said in words first", async () => {
    const calls = ipc(handlers("member", 1, { assign_roles: () => [], unassign_role: () => null }));
    renderInPane(<MemberPanel userId="u-1" dir={dir} onClose={() => {}} />);
    fireEvent.click(await screen.findByRole("button", { name: "Change roles" }));
    const editor = screen.getByRole("region", { name: "Change roles" });
    fireEvent.change(within(editor).getByLabelText("Role to give"), { target: { value: "r-analyst" } });
    fireEvent.click(within(editor).getByLabelText(/Replace their roles there/));
    fireEvent.click(within(editor).getByLabelText(/Acme/));
    fireEvent.click(within(editor).getByLabelText(/Globex/));
    // The editor says what will change before anything is sent.
    expect(editor.textContent).toContain("Gives Analyst (dedicated) in 2 communities.");
    expect(editor.textContent).toContain("Takes away Guest in Acme.");
    expect(editor.textContent).toContain("All in one change");
    expect(editor.textContent).not.toContain("assign_roles");
    expect(changes(calls)).toEqual([]);
    fireEvent.click(within(editor).getByRole("button", { name: "Apply to 2 communities" }));
    await waitFor(() => expect(changes(calls)).toHaveLength(1));
    expect(changes(calls)[0]).toMatchObject({
      cmd: "assign_roles",
      args: {
        userId: "u-1",
        req: {
          assignments: [
            { community_id: "c-acme", role_id: "r-analyst", assignment_type: "dedicated" },
            { community_id: "c-glob", role_id: "r-analyst", assignment_type: "dedicated" },
          ],
          replace: true,
        },
      },
    });
  });

  it("keeps the role editor's choices and removes nothing when the assignment fails", async () => {
    const calls = ipc(
      handlers("member", 1, {
        assign_roles: () => refused({ code: "offline", message: "The server cannot be reached. Your change was not sent.", problem: null }),
        unassign_role: () => null,
      }),
    );
    renderInPane(<MemberPanel userId="u-1" dir={dir} onClose={() => {}} />);
    fireEvent.click(await screen.findByRole("button", { name: "Change roles" }));
    const editor = screen.getByRole("region", { name: "Change roles" });
    fireEvent.change(within(editor).getByLabelText("Role to give"), { target: { value: "r-analyst" } });
    fireEvent.click(within(editor).getByLabelText(/Replace their roles there/));
    fireEvent.click(within(editor).getByLabelText(/Globex/));
    fireEvent.click(within(editor).getByLabelText(/Acme/));
    fireEvent.click(within(editor).getByRole("button", { name: "Apply to 2 communities" }));
    expect((await within(editor).findByRole("alert")).textContent).toContain("The server cannot be reached");
    expect(changes(calls).map((c) => c.cmd)).toEqual(["assign_roles"]);
    expect((within(editor).getByLabelText(/Globex/) as HTMLInputElement).checked).toBe(true);
    expect((within(editor).getByLabelText("Role to give") as HTMLSelectElement).value).toBe("r-analyst");
  });

  it("shows effective permissions with where each comes from", async () => {
    ipc(handlers("member", 1));
    renderInPane(<MemberPanel userId="u-1" dir={dir} onClose={() => {}} />);
    const label = CATALOGUE.find((e) => e.id === "alerts.read")!.description;
    const cell = await screen.findByRole("cell", { name: label });
    const row = cell.closest("tr")!;
    expect(within(row).getByText("Acme")).toBeTruthy();
    expect(within(row).getByText("Guest")).toBeTruthy();
  });

  it("groups effective permissions by area in the catalogue's words, the raw id on hover", async () => {
    const grant = (role_name: string) => ({ scope: { kind: "all" }, sources: [{ via: "community_role", role_id: "r-x", role_name, community_id: "c-acme" }] });
    const d = detail("admin", {
      permissions: {
        workspace_role: "admin",
        everywhere: {
          "workspace.read": { scope: { kind: "all" }, sources: [{ via: "workspace_role", role: "admin" }] },
          "billing.read": { scope: { kind: "all" }, sources: [{ via: "workspace_role", role: "admin" }] },
        },
        communities: {
          "c-acme": { "alerts.read": grant("Guest"), "alerts.manage": grant("Analyst"), "api_keys.read": grant("Analyst") },
          "c-glob": { "alerts.read": { scope: { kind: "all" }, sources: [{ via: "portal", community_id: "c-glob" }] } },
        },
      },
    } as Partial<MemberDetail>);
    ipc({ ...handlers("admin", 1), member: () => d });
    renderInPane(<MemberPanel userId="u-1" dir={dir} onClose={() => {}} />);
    const alerts = await screen.findByRole("region", { name: /^Alerts/ });
    // Areas in the catalogue's order, with their readable names and counts.
    const areas = [...document.querySelectorAll<HTMLElement>(".perm-group")].map((g) => g.dataset.area);
    expect(areas).toEqual(["alerts", "api_keys", "workspace_settings", "billing"]);
    expect(screen.getByRole("button", { name: /^▾? ?API keys/ }).textContent).toContain("1 permission");
    expect(within(alerts).getByRole("button", { expanded: true }).textContent).toMatch(/2 permissions, 3 grants/);
    // Each permission in words, its id in the title and a data attribute; where it comes from.
    const read = CATALOGUE.find((e) => e.id === "alerts.read")!.description;
    const cells = within(alerts).getAllByRole("cell", { name: read });
    expect(cells.map((c) => [c.title, c.dataset.permission])).toEqual([
      ["alerts.read", "alerts.read"],
      ["alerts.read", "alerts.read"],
    ]);
    expect(within(alerts).queryByText("alerts.read")).toBeNull();
    const portalRow = cells.map((c) => c.closest("tr")!).find((r) => within(r).queryByText("Globex"))!;
    expect(within(portalRow).getByText("client portal")).toBeTruthy();
    // In catalogue order inside the area: read before manage.
    expect(within(alerts).getAllByRole("row").slice(1).map((r) => r.dataset.permission)).toEqual(["alerts.read", "alerts.read", "alerts.manage"]);
    // An area folds away; the filter finds a permission by its words too.
    fireEvent.click(within(alerts).getByRole("button", { expanded: true }));
    expect(within(alerts).queryByRole("table")).toBeNull();
    fireEvent.change(screen.getByLabelText("Filter permissions"), { target: { value: "plan and its usage" } });
    expect([...document.querySelectorAll<HTMLElement>(".perm-group")].map((g) => g.dataset.area)).toEqual(["billing"]);
  });

  it("explains an assignment type on focus and hides it on Escape, leaving the panel open", async () => {
    const onClose = vi.fn();
    ipc(handlers("member", 1));
    renderInPane(<MemberPanel userId="u-1" dir={dir} onClose={onClose} />);
    const word = await screen.findByRole("button", { name: "dedicated" });
    act(() => word.focus());
    const tip = await screen.findByRole("tooltip");
    expect(tip.textContent).toContain(GLOSSARY.find((e) => e.term === "dedicated")!.explain);
    expect(word.getAttribute("aria-describedby")).toBe(tip.id);
    fireEvent.keyDown(word, { key: "Escape" });
    expect(screen.queryByRole("tooltip")).toBeNull();
    // That Escape was the hint's: the panel stays. The next one closes the panel.
    expect(onClose).not.toHaveBeenCalled();
    fireEvent.keyDown(word, { key: "Escape" });
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it("R opens the role editor, in view with its first control focused; not while typing", async () => {
    // jsdom has no layout and no scrollIntoView: record who asks to be scrolled to.
    const scrolled: Element[] = [];
    Element.prototype.scrollIntoView = function (this: Element) {
      scrolled.push(this);
    };
    try {
      ipc(handlers("member", 1));
      renderInPane(<MemberPanel userId="u-1" dir={dir} onClose={() => {}} />);
      const filter = await screen.findByLabelText("Filter permissions");
      fireEvent.keyDown(filter, { key: "r" });
      expect(screen.queryByRole("region", { name: "Change roles" })).toBeNull();
      const button = screen.getByRole("button", { name: "Change roles" });
      expect(button.getAttribute("aria-keyshortcuts")).toBe("R");
      fireEvent.keyDown(document.body, { key: "r" });
      const editor = await screen.findByRole("region", { name: "Change roles" });
      expect(document.activeElement).toBe(within(editor).getByLabelText("Role to give"));
      expect(scrolled).toContain(editor);
      expect(button.getAttribute("aria-expanded")).toBe("true");
    } finally {
      delete (Element.prototype as Partial<Element>).scrollIntoView;
    }
  });

  it("R does nothing while a dialog is open", async () => {
    ipc(handlers("member", 1));
    renderInPane(
      <>
        <MemberPanel userId="u-1" dir={dir} onClose={() => {}} />
        <div role="dialog" aria-label="Something else" />
      </>,
    );
    await screen.findByRole("button", { name: "Change roles" });
    fireEvent.keyDown(document.body, { key: "r" });
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByRole("region", { name: "Change roles" })).toBeNull();
  });

  it("after Apply the editor closes and says what changed, with no stale “now …” hints", async () => {
    const calls = ipc(handlers("member", 1, { assign_roles: () => [] }));
    renderInPane(<MemberPanel userId="u-1" dir={dir} onClose={() => {}} />);
    fireEvent.click(await screen.findByRole("button", { name: "Change roles" }));
    const editor = screen.getByRole("region", { name: "Change roles" });
    expect(editor.textContent).toContain("— now Guest");
    fireEvent.change(within(editor).getByLabelText("Role to give"), { target: { value: "r-analyst" } });
    fireEvent.click(within(editor).getByLabelText(/Globex/));
    fireEvent.click(within(editor).getByRole("button", { name: "Apply to 1 community" }));
    expect((await screen.findByRole("status")).textContent).toBe("Gave Analyst in 1 community.");
    expect(changes(calls).map((c) => c.cmd)).toEqual(["assign_roles"]);
    expect(screen.queryByRole("region", { name: "Change roles" })).toBeNull();
    expect(document.body.textContent).not.toContain("— now");
    // Focus is back on the button that opened it.
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Change roles" }));
  });

  it("disables server actions offline and says why", async () => {
    const calls = ipc(handlers("member", 1, { reset_2fa: () => ({}) }));
    renderInPane(<MemberPanel userId="u-1" dir={dir} onClose={() => {}} />, { offline: { code: "offline", message: "No route to host", problem: null } });
    const reset = (await screen.findByRole("button", { name: "Reset 2FA" })) as HTMLButtonElement;
    expect(reset.disabled).toBe(true);
    expect(screen.getAllByText(/The server cannot be reached; this needs the server/).length).toBeGreaterThan(0);
    fireEvent.click(reset);
    expect(changes(calls)).toEqual([]);
  });

  it("asks the production guard before resetting 2FA", async () => {
    const asked: string[] = [];
    const calls = ipc(handlers("member", 1, { reset_2fa: () => detail("member").member }));
    renderInPane(<MemberPanel userId="u-1" dir={dir} onClose={() => {}} />, {
      guard: async (what) => {
        asked.push(what);
        return false;
      },
    });
    fireEvent.click(await screen.findByRole("button", { name: "Reset 2FA" }));
    await waitFor(() => expect(asked).toEqual(["reset the two-factor authentication of Jane Roe"]));
    expect(changes(calls)).toEqual([]);
  });

  it("removes a role at once and offers it back: Undo gives the same role again", async () => {
    const calls = ipc(handlers("member", 2, { unassign_role: () => null, assign_roles: () => [] }));
    renderInPane(<MemberPanel userId="u-1" dir={dir} onClose={() => {}} />);
    fireEvent.click(await screen.findByRole("button", { name: /^Remove Guest/ }));
    const status = await screen.findByText(/^Removed Guest/);
    expect(changes(calls).map((c) => c.cmd)).toEqual(["unassign_role"]);
    fireEvent.click(within(status).getByRole("button", { name: "Undo" }));
    await waitFor(() => expect(changes(calls).map((c) => c.cmd)).toEqual(["unassign_role", "assign_roles"]));
    expect(changes(calls)[1].args).toMatchObject({ userId: "u-1", req: { assignments: [{ community_id: "c-acme", role_id: "r-guest", assignment_type: "dedicated" }] } });
    await waitFor(() => expect(screen.queryByText(/^Removed Guest/)).toBeNull());
  });
});
