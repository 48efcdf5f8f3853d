// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { Invitation } from "../bindings/Invitation";
import type { MemberQuery } from "../bindings/MemberQuery";
import { ipc, renderInPane } from "../test/render";
import { makeDirectory } from "./directory";
import { clearDrafts } from "./drafts";
import { InviteDialog } from "./InviteDialog";
import { communities, memberRow, roles } from "./testData";

afterEach(() => {
  cleanup();
  clearDrafts();
});

const dir = makeDirectory(communities, roles);

const pending: Invitation = {
  id: "inv-1",
  workspace_id: "ws-1",
  email: "asked@example.test",
  workspace_role: "member",
  assignments: [],
  invited_by: "u-0",
  created_at: "2026-01-01T00:00:00Z",
  expires_at: new Date(Date.now() + 86_400_000).toISOString(),
  status: "pending",
};

function handlers(over: Record<string, (a: Record<string, unknown>) => unknown> = {}, seats = { members: 10, pending: 1, max: 500 as number | null }) {
  return {
    // The cache's search: only taken@example.test is a member.
    members: (a: Record<string, unknown>) => {
      const q = a.query as MemberQuery;
      const rows = q.search === "taken@example.test" ? [memberRow(9, { email: "taken@example.test" })] : [];
      return { rows, total: rows.length };
    },
    invitations: () => [pending],
    usage: () => ({ plan: "pro", limits: { max_members: seats.max, max_communities: 100 }, members: seats.members, pending_invitations: seats.pending, communities: 2, api_keys: 0 }),
    invite: (a: Record<string, unknown>) => ({ ...pending, id: "new", email: (a.req as { email: string }).email }),
    ...over,
  };
}

function paste(text: string) {
  fireEvent.click(screen.getByRole("tab", { name: "Paste CSV" }));
  fireEvent.change(screen.getByLabelText("Invitations as CSV"), { target: { value: text } });
}

const invites = (calls: { cmd: string; args: Record<string, unknown> }[]) => calls.filter((c) => c.cmd === "invite");

describe("InviteDialog, pasted CSV", () => {
  it("previews row errors of every kind and will not send any of it", async () => {
    const calls = ipc(handlers({}, { members: 498, pending: 1, max: 500 }));
    renderInPane(<InviteDialog dir={dir} onClose={() => {}} />);
    paste(
      [
        "email,workspace_role,community,role",
        "ana@example.test,member,Acme,Analyst",
        "bob@",
        "carl@example.test,,Initech,Guest",
        "ANA@example.test",
        "taken@example.test",
        "asked@example.test",
        "dora@example.test",
      ].join("\n"),
    );
    const preview = await screen.findByRole("table", { name: "Preview" });
    await waitFor(() => expect(preview.textContent).toContain("taken@example.test is already a member"));
    const text = preview.textContent!;
    expect(text).toContain("row 3: “bob@” is not an email address");
    expect(text).toContain("row 4: no community named “Initech” in this workspace.");
    expect(text).toContain("row 5: ana@example.test is already on row 2");
    expect(text).toContain("row 7: asked@example.test already has a pending invitation");
    expect(text).toContain("row 8: no seat left on the pro plan (1 left");
    // What the good row would create.
    const ana = within(preview).getByText("ana@example.test").closest("tr")!;
    expect(ana.textContent).toContain("Invitation as member · Analyst in Acme (dedicated)");

    const send = screen.getByRole("button", { name: /^Send \d+ invitations?$/ }) as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    expect(screen.getByText(/problems to fix: nothing is sent while any row has one/)).toBeTruthy();
    fireEvent.click(send);
    expect(invites(calls)).toEqual([]);
  });

  it("sends valid rows one by one, reports a refusal on its row and keeps the text", async () => {
    const calls = ipc(
      handlers({
        invite: (a) => {
          const email = (a.req as { email: string }).email;
          if (email === "bo@example.test") return Promise.reject({ code: "forbidden", message: "Inviting an owner is owner-only. Ask an owner of this workspace.", problem: null });
          return { ...pending, id: "new", email };
        },
      }),
    );
    renderInPane(<InviteDialog dir={dir} onClose={() => {}} />);
    const text = "ana@example.test,,acme,guest\nbo@example.test,owner";
    paste(text);
    const send = await screen.findByRole("button", { name: "Send 2 invitations" });
    await waitFor(() => expect((send as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(send);
    await waitFor(() => expect(screen.getByText(/Sent 1 of 2 invitations/)).toBeTruthy());
    expect(invites(calls).map((c) => c.args.req)).toEqual([
      { email: "ana@example.test", workspace_role: "member", assignments: [{ community_id: "c-acme", role_id: "r-guest", assignment_type: "dedicated" }] },
      { email: "bo@example.test", workspace_role: "owner", assignments: [] },
    ]);
    const bo = within(screen.getByRole("table", { name: "Preview" })).getByText("bo@example.test").closest("tr")!;
    expect(bo.textContent).toContain("Inviting an owner is owner-only");
    expect((screen.getByLabelText("Invitations as CSV") as HTMLTextAreaElement).value).toBe(text);
    fireEvent.click(screen.getByRole("button", { name: "Keep only the 1 row that failed" }));
    expect((screen.getByLabelText("Invitations as CSV") as HTMLTextAreaElement).value).toBe("bo@example.test,owner");
  });
});

describe("InviteDialog, one person", () => {
  it("sends one invitation with its community roles", async () => {
    const calls = ipc(handlers());
    renderInPane(<InviteDialog dir={dir} onClose={() => {}} />);
    fireEvent.change(screen.getByLabelText("Email"), { target: { value: "Zed@Example.test" } });
    fireEvent.change(screen.getByLabelText("Workspace role"), { target: { value: "admin" } });
    fireEvent.click(screen.getByRole("button", { name: "Add a community role" }));
    fireEvent.change(screen.getByLabelText("Community 1"), { target: { value: "c-glob" } });
    fireEvent.change(screen.getByLabelText("Role 1"), { target: { value: "r-analyst" } });
    fireEvent.click(screen.getByRole("button", { name: "Send invitation" }));
    expect(await screen.findByText(/Invitation sent to zed@example.test/)).toBeTruthy();
    expect(invites(calls)[0].args.req).toEqual({
      email: "zed@example.test",
      workspace_role: "admin",
      assignments: [{ community_id: "c-glob", role_id: "r-analyst", assignment_type: "dedicated" }],
    });
  });

  it("does not send an address that is not one", async () => {
    const calls = ipc(handlers());
    renderInPane(<InviteDialog dir={dir} onClose={() => {}} />);
    fireEvent.change(screen.getByLabelText("Email"), { target: { value: "zed@" } });
    expect(screen.getByText(/“zed@” is not an email address yet/)).toBeTruthy();
    expect((screen.getByRole("button", { name: "Send invitation" }) as HTMLButtonElement).disabled).toBe(true);
    expect(invites(calls)).toEqual([]);
  });
});
