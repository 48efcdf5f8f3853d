// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { CommandArgs } from "../bindings/CommandArgs";
import type { Community } from "../bindings/Community";
import type { Role } from "../bindings/Role";
import { entries, GLOSSARY } from "../test/catalogue";
import { ipc, refuse, renderInPane } from "../test/render";
import { forgetDrafts, RolesEditor } from "./RolesEditor";

afterEach(() => {
  cleanup();
  forgetDrafts();
});

export const catalogue = entries("alerts.read", "alerts.comment", "alerts.manage", "members.read", "members.invite", "workspace.read");
/** The role check's answers for the drafts these tests make (the check itself is Rust's, and
 *  tested there): a restricted role without intakes. */
const RESTRICTED_NEEDS_INTAKES = "A restricted role needs at least one intake to restrict to; pick the intakes its holders may see.";
const check = {
  role_draft_problems: (a: CommandArgs["role_draft_problems"]) => (a.kind === "restricted" && a.intakeScope.length === 0 ? [RESTRICTED_NEEDS_INTAKES] : []),
  intake_kinds: () => [{ kind: "edr", label: "EDR" }, { kind: "firewall", label: "Firewall" }],
};
const role = (id: string, name: string, over: Partial<Role> = {}): Role => ({
  id, workspace_id: "ws-1", name, kind: "custom", builtin: null, description: "", permissions: ["alerts.read"], intake_scope: [], created_at: "2026-01-01T00:00:00Z", version: 1, ...over,
});
const guest = role("r-guest", "Guest", { kind: "builtin", builtin: "guest", permissions: ["alerts.read", "members.read"], description: "Read-only" });
const tier2 = role("r-tier2", "Tier 2", { permissions: ["alerts.read", "alerts.comment"] });
const community: Community = { id: "c1", workspace_id: "ws-1", slug: "contoso", name: "Contoso", settings: { timezone: "UTC", contact_email: null, region: "eu-west", portal: { enabled: false, show_team: false } }, created_at: "2026-01-01T00:00:00Z", version: 1 };

/** Clicks a button once it is enabled (the draft's check answers asynchronously, as from Rust). */
async function clickWhenEnabled(name: string) {
  const button = screen.getByRole("button", { name }) as HTMLButtonElement;
  await waitFor(() => expect(button.disabled).toBe(false));
  fireEvent.click(button);
}
const boxes = (name: string) => screen.getByRole("checkbox", { name }) as HTMLInputElement;
const permissionBox = (id: string) => screen.getByText(id, { selector: "code" }).closest("label")!.querySelector("input") as HTMLInputElement;

describe("RolesEditor", () => {
  it("creates a role with the permissions ticked; the area checkbox ticks the whole area", async () => {
    const calls = ipc({
      roles: () => [guest, tier2],
      permission_catalogue: () => catalogue,
      ...check,
      create_role: (a) => role("r-new", (a.req as { name: string }).name, { version: 1 }),
    });
    renderInPane(<RolesEditor />);
    fireEvent.click(await screen.findByRole("button", { name: /New role/ }));
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "Tier 3" } });
    fireEvent.click(boxes("All of Alerts"));
    expect(["alerts.read", "alerts.comment", "alerts.manage"].map((p) => permissionBox(p).checked)).toEqual([true, true, true]);
    fireEvent.click(permissionBox("members.read"));
    // A workspace permission cannot be part of a community role.
    expect(permissionBox("workspace.read").disabled).toBe(true);
    expect(boxes("All of Members").getAttribute("aria-checked")).toBe("mixed");
    await clickWhenEnabled("Create role");
    await waitFor(() => expect(calls.some((c) => c.cmd === "create_role")).toBe(true));
    const sent = calls.find((c) => c.cmd === "create_role")!.args;
    expect(sent).toMatchObject({ workspaceId: "ws-1", req: { name: "Tier 3", kind: "custom", description: "", intake_scope: [] } });
    expect((sent.req as { permissions: string[] }).permissions).toEqual(["alerts.read", "alerts.comment", "alerts.manage", "members.read"]);
  });

  it("toggling a full area again clears it", async () => {
    ipc({ roles: () => [guest], permission_catalogue: () => catalogue, ...check });
    renderInPane(<RolesEditor />);
    fireEvent.click(await screen.findByRole("button", { name: /New role/ }));
    fireEvent.click(boxes("All of Alerts"));
    fireEvent.click(boxes("All of Alerts"));
    expect(["alerts.read", "alerts.comment", "alerts.manage"].map((p) => permissionBox(p).checked)).toEqual([false, false, false]);
    expect(screen.getByRole("button", { name: "Create role" })).toHaveProperty("disabled", true);
  });

  it("keeps the form as typed when the server refuses the save", async () => {
    ipc({
      roles: () => [guest, tier2],
      permission_catalogue: () => catalogue,
      ...check,
      create_role: () => {
        refuse({ code: "conflict", message: "A role named Tier 2 already exists in this workspace; choose another name.", problem: "conflict" });
      },
    });
    renderInPane(<RolesEditor />);
    fireEvent.click(await screen.findByRole("button", { name: /New role/ }));
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "Tier 2" } });
    fireEvent.change(screen.getByLabelText("Description"), { target: { value: "Second line" } });
    fireEvent.click(permissionBox("alerts.manage"));
    await clickWhenEnabled("Create role");
    expect((await screen.findByRole("alert")).textContent).toContain("already exists in this workspace");
    expect((screen.getByLabelText("Name") as HTMLInputElement).value).toBe("Tier 2");
    expect((screen.getByLabelText("Description") as HTMLTextAreaElement).value).toBe("Second line");
    expect(permissionBox("alerts.manage").checked).toBe(true);
  });

  it("offline: saving is disabled with the reason, and edits survive switching roles", async () => {
    ipc({ roles: () => [guest, tier2], permission_catalogue: () => catalogue, ...check });
    renderInPane(<RolesEditor />, { offline: { code: "offline", message: "Server unreachable", problem: null } });
    fireEvent.click(await screen.findByRole("button", { name: /Tier 2/ }));
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "Tier 2 (nights)" } });
    await waitFor(() => expect(screen.getByRole("button", { name: "Save changes" })).toHaveProperty("disabled", true));
    expect(screen.getByRole("note").textContent).toContain("cannot be reached");
    fireEvent.click(screen.getByRole("button", { name: /Guest/ }));
    fireEvent.click(screen.getByRole("button", { name: /Tier 2.*edited/ }));
    expect((screen.getByLabelText("Name") as HTMLInputElement).value).toBe("Tier 2 (nights)");
  });

  it("saves with the version seen; when someone changed it meanwhile the edits stay and the user decides", async () => {
    let current = tier2;
    const calls = ipc({
      roles: () => [guest, current],
      permission_catalogue: () => catalogue,
      ...check,
      update_role: () => {
        current = { ...tier2, description: "changed by Bob", version: 2 };
        refuse({ code: "precondition_failed", message: "This role was changed by someone else.", problem: "precondition-failed" });
      },
    });
    renderInPane(<RolesEditor />);
    fireEvent.click(await screen.findByRole("button", { name: /Tier 2/ }));
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "Tier 2 nights" } });
    await clickWhenEnabled("Save changes");
    expect((await screen.findByText(/Someone changed this role/)).textContent).toContain("Your edits are kept");
    const sent = calls.find((c) => c.cmd === "update_role")!.args;
    expect(sent).toMatchObject({ roleId: "r-tier2", version: 1, req: { name: "Tier 2 nights", description: null, permissions: null, intake_scope: null } });
    expect((screen.getByLabelText("Name") as HTMLInputElement).value).toBe("Tier 2 nights");
    fireEvent.click(screen.getByRole("button", { name: "Keep my edits" }));
    await clickWhenEnabled("Save changes");
    await waitFor(() => expect(calls.filter((c) => c.cmd === "update_role").at(-1)!.args.version).toBe(2));
  });

  it("explains each kind of role in Rust's words, beside the choice and on the role's kind", async () => {
    ipc({ roles: () => [guest, tier2], permission_catalogue: () => catalogue, glossary: () => GLOSSARY, ...check });
    renderInPane(<RolesEditor />);
    const explain = (term: string) => GLOSSARY.find((e) => e.topic === "role_kind" && e.term === term)!.explain;
    fireEvent.click(await screen.findByRole("button", { name: /New role/ }));
    const kinds = screen.getByRole("group", { name: "Kind" });
    await waitFor(() => expect(kinds.textContent).toContain(explain("intake_restricted")));
    expect(kinds.textContent).toContain(explain("restricted"));
    fireEvent.click(screen.getByRole("button", { name: /Tier 2/ }));
    const word = screen.getByRole("button", { name: "Custom" });
    act(() => word.focus());
    expect((await screen.findByRole("tooltip")).textContent).toContain(explain("custom"));
  });

  it("built-in roles are shown read-only", async () => {
    ipc({ roles: () => [guest, tier2], permission_catalogue: () => catalogue, ...check });
    renderInPane(<RolesEditor />);
    fireEvent.click(await screen.findByRole("button", { name: /Guest/ }));
    expect(screen.getByText(/cannot be changed/)).toBeTruthy();
    expect(permissionBox("alerts.read").checked).toBe(true);
    expect(permissionBox("alerts.read").disabled).toBe(true);
    expect(screen.queryByRole("button", { name: "Save changes" })).toBeNull();
  });

  it("restricted roles choose intakes, loaded only when needed", async () => {
    const calls = ipc({
      roles: () => [guest],
      permission_catalogue: () => catalogue,
      ...check,
      communities: () => [community],
      intakes: () => [{ id: "i-edr", workspace_id: "ws-1", community_id: "c1", name: "CrowdStrike EDR", kind: "edr", created_at: "2026-01-01T00:00:00Z" }],
      create_role: () => role("r-new", "EDR only", { kind: "restricted" }),
    });
    renderInPane(<RolesEditor />);
    fireEvent.click(await screen.findByRole("button", { name: /New role/ }));
    expect(calls.some((c) => c.cmd === "intakes")).toBe(false);
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "EDR only" } });
    fireEvent.click(screen.getByRole("radio", { name: /^Restricted/ }));
    fireEvent.click(permissionBox("alerts.read"));
    expect(await screen.findByText(RESTRICTED_NEEDS_INTAKES)).toBeTruthy();
    fireEvent.click(await screen.findByRole("checkbox", { name: /CrowdStrike EDR/ }));
    expect(within(screen.getByRole("list", { name: "Chosen intakes" })).getByText("CrowdStrike EDR (Contoso)")).toBeTruthy();
    await clickWhenEnabled("Create role");
    await waitFor(() => expect(calls.some((c) => c.cmd === "create_role")).toBe(true));
    expect(calls.find((c) => c.cmd === "create_role")!.args.req).toMatchObject({ kind: "restricted", permissions: ["alerts.read"], intake_scope: ["i-edr"] });
    expect(calls.find((c) => c.cmd === "intakes")!.args).toMatchObject({ communityId: "c1" });
  });

  it("an existing restricted role names its chosen intakes", async () => {
    const edrOnly = role("r-edr", "EDR only", { kind: "restricted", intake_scope: ["i-fw"] });
    ipc({
      roles: () => [guest, edrOnly],
      permission_catalogue: () => catalogue,
      ...check,
      communities: () => [community, { ...community, id: "c2", slug: "fabrikam", name: "Fabrikam" }],
      intakes: (a) => (a.communityId === "c2" ? [{ id: "i-fw", workspace_id: "ws-1", community_id: "c2", name: "Palo Alto FW", kind: "firewall", created_at: "2026-01-01T00:00:00Z" }] : []),
    });
    renderInPane(<RolesEditor />);
    fireEvent.click(await screen.findByRole("button", { name: /EDR only/ }));
    const chips = screen.getByRole("list", { name: "Chosen intakes" });
    await waitFor(() => expect(chips.textContent).toContain("Palo Alto FW (Fabrikam)"));
    fireEvent.click(within(chips).getByRole("button", { name: "Remove intake Palo Alto FW (Fabrikam)" }));
    expect(screen.getByText("No intake chosen yet.")).toBeTruthy();
    await waitFor(() => expect(screen.getByRole("button", { name: "Save changes" })).toHaveProperty("disabled", true));
  });

  it("delete asks the production guard and shows the server's refusal", async () => {
    const asked: string[] = [];
    ipc({
      roles: () => [guest, tier2],
      permission_catalogue: () => catalogue,
      ...check,
      delete_role: () => {
        refuse({ code: "conflict", message: "Tier 2 is held by 3 members; unassign it first.", problem: "conflict" });
      },
    });
    renderInPane(<RolesEditor />, { guard: async (what) => (asked.push(what), true) });
    fireEvent.click(await screen.findByRole("button", { name: /Tier 2/ }));
    fireEvent.click(screen.getByRole("button", { name: "Delete role" }));
    expect((await screen.findByRole("alert")).textContent).toContain("held by 3 members");
    expect(asked).toEqual(["delete the role Tier 2"]);
  });
});
