// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { CommandArgs } from "../bindings/CommandArgs";
import type { CreateInvitation } from "../bindings/CreateInvitation";
import type { Invitation } from "../bindings/Invitation";
import type { InviteOutcome } from "../bindings/InviteOutcome";
import type { InvitePreview } from "../bindings/InvitePreview";
import type { InviteRow } from "../bindings/InviteRow";
import { makeDirectory } from "../directory";
import { ipc, renderInPane, type Handlers } from "../test/render";
import { keepLines } from "./CsvInvite";
import { clearDrafts } from "../drafts";
import { InviteDialog } from "./InviteDialog";
import { communities, roles } from "./testData";

afterEach(() => {
  cleanup();
  clearDrafts();
});

const dir = makeDirectory(communities, roles);

const invitation = (email: string, over: Partial<CreateInvitation> = {}): CreateInvitation => ({ email, workspace_role: "member", assignments: [], ...over });
const row = (n: number, line: string, over: Partial<InviteRow> = {}): InviteRow => {
  const email = line.split(",")[0];
  return { row: n, line, email, invitation: invitation(email), grant: null, problems: [], ...over };
};
const preview = (rows: InviteRow[], over: Partial<InvitePreview> = {}): InvitePreview => ({
  header: null,
  rows,
  valid: rows.filter((r) => r.invitation).length,
  problems: rows.reduce((n, r) => n + r.problems.length, 0),
  seats_left: 12,
  plan: "pro",
  ...over,
});
const made = (email: string): Invitation => ({
  id: `inv-${email}`,
  workspace_id: "ws-1",
  email,
  workspace_role: "member",
  assignments: [],
  contact_of: null,
  invited_by: "u-0",
  created_at: "2026-01-01T00:00:00Z",
  expires_at: "2026-01-08T00:00:00Z",
  status: "pending",
});

/** The console's answers: the paste's preview as given, the address check of the one-person form. */
function handlers(answer: (a: CommandArgs["invite_preview"]) => InvitePreview, over: Handlers = {}): Handlers {
  return {
    invite_preview: answer,
    email_problem: (a) => (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a.email.trim()) ? null : `"${a.email.trim()}" is not an email address; write it as name@domain.example.`),
    invite: (a) => made(a.req.email),
    ...over,
  };
}

function paste(text: string) {
  fireEvent.click(screen.getByRole("tab", { name: "Paste CSV" }));
  fireEvent.change(screen.getByLabelText("Invitations as CSV"), { target: { value: text } });
}

describe("InviteDialog, pasted CSV", () => {
  it("asks the console to check the paste and shows every problem on its row; nothing is sent", async () => {
    const text = "email,workspace_role\nana@example.test,member\nbob@";
    const checked = preview(
      [row(2, "ana@example.test,member", { grant: "Analyst in Acme" }), row(3, "bob@", { invitation: null, problems: ["row 3: “bob@” is not an email address; write it as name@domain.example."] })],
      { header: "email,workspace_role" },
    );
    const calls = ipc(handlers(() => checked));
    renderInPane(<InviteDialog dir={dir} onClose={() => {}} />);
    fireEvent.click(screen.getByRole("tab", { name: "Paste CSV" }));
    fireEvent.change(screen.getByLabelText("Assignment type of pasted community roles"), { target: { value: "pool" } });
    paste(text);
    const table = await screen.findByRole("table", { name: "Preview" });
    await waitFor(() => expect(table.textContent).toContain("row 3: “bob@” is not an email address"));
    expect(calls.find((c) => c.cmd === "invite_preview")!.args).toEqual({ account: expect.any(String), workspaceId: "ws-1", text, assignmentType: "pool" });
    expect(within(table).getByText("ana@example.test").closest("tr")!.textContent).toContain("Invitation as member · Analyst in Acme (pool)");
    expect(screen.getByText("12 seats left on the pro plan")).toBeTruthy();
    expect(await screen.findByText(/1 problem to fix: nothing is sent while any row has one/)).toBeTruthy();
    const send = screen.getByRole("button", { name: "Send 1 invitation" }) as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    fireEvent.click(send);
    expect(calls.some((c) => c.cmd === "invite_many" || c.cmd === "invite")).toBe(false);
  });

  it("sends the valid rows in one invite_many, reports a refusal on its row and keeps the text", async () => {
    const text = "ana@example.test,,acme,guest\nbo@example.test,owner";
    const rows = [row(1, "ana@example.test,,acme,guest"), row(2, "bo@example.test,owner", { invitation: invitation("bo@example.test", { workspace_role: "owner" }) })];
    const outcomes: InviteOutcome[] = [
      { email: "ana@example.test", invitation: made("ana@example.test"), error: null },
      { email: "bo@example.test", invitation: null, error: { code: "forbidden", message: "Inviting an owner is owner-only. Ask an owner of this workspace.", problem: "forbidden" } },
    ];
    const calls = ipc(handlers(() => preview(rows), { invite_many: () => outcomes }));
    renderInPane(<InviteDialog dir={dir} onClose={() => {}} />);
    paste(text);
    const send = await screen.findByRole("button", { name: "Send 2 invitations" });
    await waitFor(() => expect((send as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(send);
    await waitFor(() => expect(screen.getByText(/Sent 1 of 2 invitations/)).toBeTruthy());
    const sent = calls.filter((c) => c.cmd === "invite_many");
    expect(sent).toHaveLength(1);
    expect(sent[0].args.invitations).toEqual(rows.map((r) => r.invitation));
    expect(calls.some((c) => c.cmd === "invite")).toBe(false);
    const bo = within(screen.getByRole("table", { name: "Preview" })).getByText("bo@example.test").closest("tr")!;
    expect(bo.textContent).toContain("Inviting an owner is owner-only");
    expect((screen.getByLabelText("Invitations as CSV") as HTMLTextAreaElement).value).toBe(text);
    fireEvent.click(screen.getByRole("button", { name: "Keep only the 1 row that failed" }));
    expect((screen.getByLabelText("Invitations as CSV") as HTMLTextAreaElement).value).toBe("bo@example.test,owner");
  });

  it("keeps the header with the lines kept", () => {
    const p = preview([row(2, "a@example.test"), row(3, "b@example.test"), row(4, "c@example.test")], { header: "email,role" });
    expect(keepLines(p, new Set([3]))).toBe("email,role\nb@example.test");
    expect(keepLines({ ...p, header: null }, new Set([2, 4]))).toBe("a@example.test\nc@example.test");
  });
});

describe("InviteDialog, one person", () => {
  it("sends one invitation with its community roles", async () => {
    const calls = ipc(handlers(() => preview([])));
    renderInPane(<InviteDialog dir={dir} onClose={() => {}} />);
    fireEvent.change(screen.getByLabelText("Email"), { target: { value: "Zed@Example.test" } });
    fireEvent.change(screen.getByLabelText("Workspace role"), { target: { value: "admin" } });
    fireEvent.click(screen.getByRole("button", { name: "Add a community role" }));
    fireEvent.change(screen.getByLabelText("Community 1"), { target: { value: "c-glob" } });
    fireEvent.change(screen.getByLabelText("Role 1"), { target: { value: "r-analyst" } });
    const send = screen.getByRole("button", { name: "Send invitation" }) as HTMLButtonElement;
    await waitFor(() => expect(send.disabled).toBe(false));
    fireEvent.click(send);
    expect(await screen.findByText(/Invitation sent to zed@example.test/)).toBeTruthy();
    expect(calls.find((c) => c.cmd === "invite")!.args.req).toEqual({
      email: "zed@example.test",
      workspace_role: "admin",
      assignments: [{ community_id: "c-glob", role_id: "r-analyst", assignment_type: "dedicated" }],
    });
  });

  it("says what is wrong with an address, in the console's words, and does not send it", async () => {
    const calls = ipc(handlers(() => preview([])));
    renderInPane(<InviteDialog dir={dir} onClose={() => {}} />);
    fireEvent.change(screen.getByLabelText("Email"), { target: { value: "zed@" } });
    expect(await screen.findByText(/"zed@" is not an email address; write it as name@domain.example/)).toBeTruthy();
    expect(calls.find((c) => c.cmd === "email_problem")!.args).toEqual({ email: "zed@" });
    expect((screen.getByRole("button", { name: "Send invitation" }) as HTMLButtonElement).disabled).toBe(true);
    expect(calls.some((c) => c.cmd === "invite")).toBe(false);
  });
});
