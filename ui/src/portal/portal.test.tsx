// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { Community } from "../bindings/Community";
import type { MemberRow } from "../bindings/MemberRow";
import { ipc, renderInPane, type Handlers } from "../test/render";
import { PortalView } from "./Portal";

afterEach(cleanup);

const acme = (showTeam: boolean): Community => ({
  id: "c1",
  workspace_id: "ws-1",
  slug: "acme",
  name: "Acme Corp",
  settings: { timezone: "Europe/Paris", contact_email: "soc@acme.example", region: "eu-west", portal: { enabled: true, show_team: showTeam } },
  created_at: "2026-01-01T00:00:00Z",
  version: 3,
});
const analyst: MemberRow = {
  user_id: "u-2",
  invitation_id: null,
  email: "dana@northwind.example",
  display_name: "Dana Analyst",
  workspace_role: "member",
  two_factor_enabled: true,
  pending: false,
  since: "2026-02-01T00:00:00Z",
  roles: [],
  contact_of: null,
};

function handlers(over: Handlers = {}): Handlers {
  return {
    communities: () => [acme(false)],
    aggregate: () => ({ matrix: {}, role_distribution: {}, members: 0, members_with_2fa: 0, pending_invitations: 0, api_keys: 0, alert_volume: [["2026-11-29", 12], ["2026-11-30", 30]] }),
    intakes: () => [{ id: "i1", workspace_id: "ws-1", community_id: "c1", name: "Acme EDR", kind: "edr", created_at: "2026-03-01T00:00:00Z" }],
    members: () => ({ rows: [analyst], total: 1 }),
    ...over,
  };
}

describe("PortalView", () => {
  it("shows a client contact their community's alert volume and intakes, and no team unless the MSSP shows it", async () => {
    const calls = ipc(handlers());
    renderInPane(<PortalView communityId="c1" />);
    const portal = await screen.findByTestId("client-portal");
    expect(within(portal).getByRole("heading", { level: 2 }).textContent).toBe("Acme Corp · client portal of Northwind MSSP");
    expect((await within(portal).findByRole("list", { name: "Intakes" })).textContent).toContain("Acme EDR");
    expect(within(portal).getByText("Northwind MSSP does not show its team in this portal.")).toBeTruthy();
    await waitFor(() => expect(calls.some((c) => c.cmd === "aggregate")).toBe(true));
    expect(calls.find((c) => c.cmd === "aggregate")!.args.communities).toEqual(["c1"]);
    expect(calls.some((c) => c.cmd === "members")).toBe(false);
  });

  it("lists the team of the community when the portal shows it", async () => {
    const calls = ipc(handlers({ communities: () => [acme(true)] }));
    renderInPane(<PortalView communityId="c1" />);
    const team = await screen.findByRole("list", { name: "Team" });
    expect(team.textContent).toContain("Dana Analyst");
    expect(calls.find((c) => c.cmd === "members")!.args.query).toMatchObject({ communities: ["c1"], status: "active" });
  });

  it("says the portal is switched off when the community is no longer theirs to see", async () => {
    ipc(handlers({ communities: () => [] }));
    renderInPane(<PortalView communityId="c1" />);
    expect((await screen.findByText(/client portal of your community at Northwind MSSP is switched off/)).textContent).toContain("Ask your contact at Northwind MSSP");
  });
});
