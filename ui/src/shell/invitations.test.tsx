// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { InvitationOffer } from "../bindings/InvitationOffer";
import { account, ipc, refuse, renderInPane } from "../test/render";
import { InvitationList } from "./Invitations";

afterEach(cleanup);

const offer: InvitationOffer = {
  invitation: {
    id: "inv-1",
    workspace_id: "ws-9",
    email: "ann@example.test",
    workspace_role: "member",
    assignments: [],
    contact_of: null,
    invited_by: "u-1",
    created_at: "2026-11-30T09:00:00Z",
    expires_at: "2026-12-07T09:00:00Z",
    status: "pending",
  },
  workspace_name: "Northwind Security",
  workspace_slug: "northwind-mssp",
  invited_by_name: "Dana Demo",
  invited_by_email: "demo@tenantry.example",
  roles: [{ community: "Hooli", role: "Analyst", assignment_type: "dedicated" }],
  contact_of_name: null,
};

describe("invitations, the invitee's side", () => {
  it("names the workspace, who invited, the roles offered; accepting sends the invitation's id", async () => {
    const calls = ipc({ accept_invitation: () => ({ workspace: {}, role: "member" }) });
    renderInPane(<InvitationList account={account} offers={[offer]} offline={false} />);
    const item = screen.getByText("Northwind Security").closest("li")!;
    expect(item.textContent).toContain("Dana Demo (demo@tenantry.example) invites ann@example.test as workspace member");
    expect(within(screen.getByRole("list", { name: "Community roles offered" })).getByText(/Analyst in Hooli/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Accept the invitation to Northwind Security" }));
    expect(await screen.findByText(/Accepted: Northwind Security is among your workspaces/)).toBeTruthy();
    expect(calls.find((c) => c.cmd === "accept_invitation")!.args).toEqual({ account: account.key, invitationId: "inv-1" });
  });

  it("declines after a confirmation that keeps it by default, and shows the server's sentence when it is closed", async () => {
    const calls = ipc({ decline_invitation: () => refuse({ code: "conflict", message: "This invitation expired on 2026-12-07. Ask an admin of the workspace to invite you again.", problem: "invitation-closed" }) });
    renderInPane(<InvitationList account={account} offers={[offer]} offline={false} />);
    fireEvent.click(screen.getByRole("button", { name: "Decline…" }));
    const dialog = screen.getByRole("dialog", { name: "Decline the invitation to Northwind Security?" });
    expect(document.activeElement).toBe(within(dialog).getByRole("button", { name: "Keep it" }));
    fireEvent.click(within(dialog).getByRole("button", { name: "Decline" }));
    await waitFor(() => expect(calls.some((c) => c.cmd === "decline_invitation")).toBe(true));
    expect((await within(dialog).findByRole("alert")).textContent).toContain("expired");
  });

  it("one that has expired since the last sync says so and offers nothing to press", () => {
    ipc({});
    renderInPane(<InvitationList account={account} offers={[{ ...offer, invitation: { ...offer.invitation, status: "expired" } }]} offline={false} />);
    expect(screen.getByRole("note").textContent).toMatch(/This invitation expired on .*Ask Dana Demo to invite you again/);
    expect(screen.queryByRole("button", { name: "Accept the invitation to Northwind Security" })).toBeNull();
  });

  it("offline, answering waits for the server and says so", () => {
    ipc({});
    renderInPane(<InvitationList account={account} offers={[offer]} offline />);
    expect((screen.getByRole("button", { name: "Accept the invitation to Northwind Security" }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByRole("note").textContent).toContain("cannot be reached");
  });
});
