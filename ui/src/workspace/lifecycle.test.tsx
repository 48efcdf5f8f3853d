// @vitest-environment jsdom
import { cleanup, fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { PlanOption } from "../bindings/PlanOption";
import type { UiPrefs } from "../bindings/UiPrefs";
import type { WorkspaceUsage } from "../bindings/WorkspaceUsage";
import { ipc, renderInPane } from "../test/render";
import { WorkspaceSettings } from "./Lifecycle";

afterEach(cleanup);

const prefs: UiPrefs = { favourites: [], recents: [], colours: {}, production: [], panes: [], last_workspace: {}, labels: {} };
const usage: WorkspaceUsage = { plan: "pro", limits: { max_members: 500, max_communities: 100 }, members: 160, pending_invitations: 2, communities: 25, api_keys: 31, client_contacts: 3 };
/** What the plan rule answers for 162 seats and 25 communities (the rule is Rust's). */
const options: PlanOption[] = [
  { plan: "free", limits: { max_members: 5, max_communities: 1 }, refusal: "The free plan allows 5 members (including pending invitations) and this workspace would have 162. Upgrade the plan or remove members first." },
  { plan: "starter", limits: { max_members: 25, max_communities: 5 }, refusal: "The starter plan allows 25 members (including pending invitations) and this workspace would have 162. Upgrade the plan or remove members first." },
  { plan: "pro", limits: { max_members: 500, max_communities: 100 }, refusal: null },
  { plan: "enterprise", limits: { max_members: null, max_communities: null }, refusal: "Enterprise plans are provisioned by a platform admin. Contact your platform admin or sales." },
];

describe("WorkspaceSettings", () => {
  it("offers only the plans the workspace fits, saying why the others do not", async () => {
    const calls = ipc({ usage: () => usage, plan_options: () => options });
    renderInPane(<WorkspaceSettings prefs={prefs} onPrefs={() => {}} />);
    const reasons = await screen.findByRole("list", { name: "Plans not available" });
    expect(within(reasons).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      expect.stringMatching(/^Free: The free plan allows 5 members .* would have 162/),
      expect.stringMatching(/^Starter: .*allows 25 members/),
      expect.stringMatching(/^Enterprise: .*platform admin/),
    ]);
    const select = screen.getByRole("combobox", { name: "Plan" }) as HTMLSelectElement;
    expect([...select.options].map((o) => [o.value, o.disabled])).toEqual([["free", true], ["starter", true], ["pro", false], ["enterprise", true]]);
    expect(calls.find((c) => c.cmd === "plan_options")!.args).toMatchObject({ workspaceId: "ws-1" });
  });

  it("says how much a deletion takes with it, before the slug is typed", async () => {
    ipc({ usage: () => usage, plan_options: () => options });
    renderInPane(<WorkspaceSettings prefs={prefs} onPrefs={() => {}} />);
    fireEvent.click(await screen.findByRole("button", { name: "Delete workspace…" }));
    const dialog = screen.getByRole("dialog", { name: "Delete Northwind MSSP?" });
    const list = await within(dialog).findByRole("list", { name: "What would be deleted" });
    expect(list.textContent).toContain("160 members and 3 client contacts lose access");
    expect(list.textContent).toContain("25 communities");
    expect(list.textContent).toContain("31 active API keys stop working");
    expect(list.textContent).toContain("2 pending invitations");
  });
});
