// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { MemberQuery } from "../bindings/MemberQuery";
import { ipc, refused, renderInPane } from "../test/render";
import { RULES } from "../test/catalogue";
import { clearDrafts } from "../drafts";
import { MembersView } from "./MembersView";
import { ROW_HEIGHT } from "./MembersTable";
import { PAGE_SIZE } from "./pages";
import { communities, memberRow, pagedMembers, roles } from "./testData";

// jsdom has no layout: give every element a 600px-high viewport so the virtualizer renders
// the rows that would be on screen, and make element scrolling move scrollTop.
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, get: () => 600 });
  Object.defineProperty(HTMLElement.prototype, "clientWidth", { configurable: true, get: () => 1000 });
  HTMLElement.prototype.scrollTo = function (this: HTMLElement, opts?: ScrollToOptions | number) {
    if (typeof opts === "object" && opts.top !== undefined) this.scrollTop = opts.top;
  } as typeof HTMLElement.prototype.scrollTo;
});
afterEach(() => {
  cleanup();
  clearDrafts();
});

const memberQueries = (calls: { cmd: string; args: Record<string, unknown> }[]) => calls.filter((c) => c.cmd === "members").map((c) => c.args.query as MemberQuery);

function base(total = 200_000) {
  return {
    ...RULES,
    members: pagedMembers(total),
    communities: () => communities,
    roles: () => roles,
  };
}

describe("MembersView", () => {
  it("shows the total and only the rows on screen, asking for one page", async () => {
    const calls = ipc(base());
    renderInPane(<MembersView />);
    expect(await screen.findByText("user0@example.test")).toBeTruthy();
    expect(screen.getByTestId("members-total").textContent).toMatch(/200,?000 people/);
    // Names of community roles come from `roles` and `communities`.
    expect(screen.getAllByText(/Analyst in Acme/).length).toBeGreaterThan(0);
    // Not 200,000 rows in the DOM: the visible ones plus overscan.
    const rendered = screen.getAllByRole("row").length - 1;
    expect(rendered).toBeLessThan(60);
    expect(rendered).toBeGreaterThan(10);
    expect(memberQueries(calls).map((q) => [q.offset, q.limit])).toEqual([[0, PAGE_SIZE]]);
  });

  it("fetches the page under the scroll position, by offset", async () => {
    const calls = ipc(base());
    renderInPane(<MembersView />);
    await screen.findByText("user0@example.test");
    const scroller = document.querySelector(".members-scroll") as HTMLElement;
    await act(async () => {
      scroller.scrollTop = 1_000 * ROW_HEIGHT;
      fireEvent.scroll(scroller);
    });
    expect(await screen.findByText("user1000@example.test")).toBeTruthy();
    const offsets = memberQueries(calls).map((q) => q.offset);
    expect(offsets).toContain(1_000 - (1_000 % PAGE_SIZE));
    // Pages in between were never asked for.
    expect(offsets).not.toContain(PAGE_SIZE);
    expect(screen.queryByText("user0@example.test")).toBeNull();
  });

  it("sends the filters, the sort and the pane's communities in the query", async () => {
    const calls = ipc(base());
    renderInPane(<MembersView />, { communities: ["c-glob"] });
    await screen.findByText("user0@example.test");
    fireEvent.change(screen.getByLabelText("Search members"), { target: { value: "garcia" } });
    fireEvent.change(screen.getByLabelText("Workspace role"), { target: { value: "admin" } });
    fireEvent.change(screen.getByLabelText("Community role"), { target: { value: "r-analyst" } });
    fireEvent.change(screen.getByLabelText("Assignment"), { target: { value: "pool" } });
    fireEvent.change(screen.getByLabelText("2FA"), { target: { value: "off" } });
    fireEvent.change(screen.getByLabelText("Status"), { target: { value: "active" } });
    fireEvent.click(screen.getByRole("button", { name: /Joined \/ invited/ }));
    await waitFor(() => {
      const last = memberQueries(calls).at(-1)!;
      expect(last).toMatchObject({
        workspace_id: "ws-1",
        search: "garcia",
        workspace_role: "admin",
        communities: ["c-glob"],
        role_id: "r-analyst",
        assignment_type: "pool",
        two_factor: false,
        status: "active",
        sort: "joined",
        descending: false,
        offset: 0,
      });
    });
    // Clicking the sorted column again flips the direction.
    fireEvent.click(screen.getByRole("button", { name: /Joined \/ invited/ }));
    await waitFor(() => expect(memberQueries(calls).at(-1)).toMatchObject({ sort: "joined", descending: true }));
  });

  it("asks the cache at each keystroke and keeps the previous rows on screen until it answers", async () => {
    const all = pagedMembers(300);
    let answer: (() => void) | null = null;
    const calls = ipc({
      ...base(),
      members: (a) => {
        const q = a.query as MemberQuery;
        if (!q.search) return all(a);
        // The cache's answer to the search waits until the screen meanwhile is checked.
        const rows = Array.from({ length: 300 }, (_, i) => memberRow(i)).filter((r) => r.email.includes(q.search!.toLowerCase()));
        return new Promise((resolve) => (answer = () => resolve({ rows: rows.slice(0, q.limit), total: rows.length })));
      },
    });
    renderInPane(<MembersView />);
    await screen.findByText("user0@example.test");
    fireEvent.change(screen.getByLabelText("Search members"), { target: { value: "USER1" } });
    // The search is asked at once (no pause in typing); the previous rows stay until it answers.
    expect(memberQueries(calls).at(-1)?.search).toBe("USER1");
    expect(screen.getByText("user0@example.test")).toBeTruthy();
    expect(screen.getByTestId("members-total").textContent).toMatch(/300 people/);
    await act(async () => answer?.());
    await waitFor(() => expect(screen.getByTestId("members-total").textContent).toMatch(/111 people/));
    expect(screen.getByText("user10@example.test")).toBeTruthy();
    expect(screen.queryByText("user0@example.test")).toBeNull();
  });

  it("tells an empty workspace from a filter that matches nobody", async () => {
    ipc(base(0));
    renderInPane(<MembersView />);
    expect(await screen.findByText(/no members or pending invitations yet/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Status"), { target: { value: "invited" } });
    expect(await screen.findByText(/Nobody matches these filters/)).toBeTruthy();
  });

  it("shows the reason when the cache cannot be read", async () => {
    ipc({ ...base(), members: () => refused({ code: "internal", message: "The local cache is damaged; remove the account and add it again.", problem: null }) });
    renderInPane(<MembersView />);
    expect((await screen.findByRole("alert")).textContent).toContain("The local cache is damaged");
  });

  it("follows an intent: filtered to the role asked for, on the person named", async () => {
    const calls = ipc({
      ...base(),
      member: (a) => ({
        member: { workspace_id: "ws-1", user_id: a.userId, email: "zoe@example.test", display_name: "Zoe Xu", two_factor_enabled: false, role: "member", joined_at: "2026-02-01T00:00:00Z", version: 3 },
        assignments: [],
        permissions: { workspace_role: "member", everywhere: {}, communities: {} },
      }),
    });
    renderInPane(<MembersView />, { intent: { tab: "members", roleId: "r-analyst", status: "active", member: "u-77", at: 1 } });
    const panel = await screen.findByRole("complementary", { name: "Member details" });
    expect(await within(panel).findByRole("heading", { name: "Zoe Xu" })).toBeTruthy();
    expect(calls.find((c) => c.cmd === "member")?.args.userId).toBe("u-77");
    await waitFor(() => expect(memberQueries(calls).at(-1)?.role_id).toBe("r-analyst"));
    expect(memberQueries(calls).every((q) => q.role_id === "r-analyst" && q.status === "active")).toBe(true);
  });

  it("moves with the arrow keys and opens the member on Enter", async () => {
    const calls = ipc({
      ...base(),
      member: (a) => ({
        member: { workspace_id: "ws-1", user_id: a.userId, email: "user1@example.test", display_name: "User 1", two_factor_enabled: false, role: "member", joined_at: "2026-02-01T00:00:00Z", version: 3 },
        assignments: [],
        permissions: { workspace_role: "member", everywhere: {}, communities: {} },
      }),
    });
    renderInPane(<MembersView />);
    await screen.findByText("user0@example.test");
    const first = document.querySelector('tr[data-index="0"]') as HTMLElement;
    first.focus();
    fireEvent.keyDown(first, { key: "ArrowDown" });
    await waitFor(() => expect(document.activeElement?.getAttribute("data-index")).toBe("1"));
    fireEvent.keyDown(document.activeElement!, { key: "Enter" });
    const panel = await screen.findByRole("complementary", { name: "Member details" });
    expect(await within(panel).findByRole("heading", { name: "User 1" })).toBeTruthy();
    expect(calls.find((c) => c.cmd === "member")?.args.userId).toBe("u-1");
  });

  it("goes from the search box into the results with ↓, and Escape then closes the opened member", async () => {
    ipc({
      ...base(),
      member: (a) => ({
        member: { workspace_id: "ws-1", user_id: a.userId, email: "user0@example.test", display_name: "User 0", two_factor_enabled: false, role: "member", joined_at: "2026-02-01T00:00:00Z", version: 3 },
        assignments: [],
        permissions: { workspace_role: "member", everywhere: {}, communities: {} },
      }),
    });
    renderInPane(<MembersView />);
    await screen.findByText("user0@example.test");
    const search = screen.getByLabelText("Search members");
    search.focus();
    fireEvent.keyDown(search, { key: "ArrowDown" });
    await waitFor(() => expect(document.activeElement?.getAttribute("data-index")).toBe("0"));
    fireEvent.keyDown(document.activeElement!, { key: "Enter" });
    await screen.findByRole("complementary", { name: "Member details" });
    fireEvent.keyDown(document.activeElement!, { key: "Escape" });
    await waitFor(() => expect(screen.queryByRole("complementary", { name: "Member details" })).toBeNull());
  });

  it("lists a person's roles in the selected communities first, marked", async () => {
    ipc({
      ...base(3),
      members: () => ({
        rows: [memberRow(0, { roles: [{ community_id: "c-acme", role_id: "r-analyst", assignment_type: "dedicated" }, { community_id: "c-glob", role_id: "r-guest", assignment_type: "pool" }] })],
        total: 1,
      }),
    });
    renderInPane(<MembersView />, { communities: ["c-glob"] });
    const row = (await screen.findByText("user0@example.test")).closest("tr")!;
    const marked = row.querySelector(".in-selection");
    expect(marked?.textContent).toBe("Guest in Globex");
    expect(row.textContent).toMatch(/Guest in Globex, Analyst in Acme/);
  });

  it("shows pending invitations as such and opens them with a revoke action", async () => {
    const invited = memberRow(0, { user_id: null, invitation_id: "inv-1", email: "new@example.test", display_name: "", pending: true, roles: [] });
    ipc({ ...base(), members: () => ({ rows: [invited], total: 1 }), invitations: () => [] });
    renderInPane(<MembersView />);
    const row = (await screen.findByText("new@example.test")).closest("tr")!;
    expect(within(row).getByText("Invited")).toBeTruthy();
    expect(within(row).getByText("pending")).toBeTruthy();
    fireEvent.click(row);
    expect(await screen.findByRole("button", { name: "Revoke invitation" })).toBeTruthy();
  });
});

describe("MembersView shortcuts", () => {
  it("focuses the search on / and opens the invite dialog on Alt+I", async () => {
    ipc({ ...base(), invitations: () => [], usage: () => ({ plan: "pro", limits: { max_members: null, max_communities: null }, members: 1, pending_invitations: 0, communities: 2, api_keys: 0 }) });
    renderInPane(<MembersView />);
    await screen.findByText("user0@example.test");
    fireEvent.keyDown(document.body, { key: "/" });
    expect(document.activeElement).toBe(screen.getByLabelText("Search members"));
    fireEvent.keyDown(document.body, { key: "i", altKey: true });
    expect(await screen.findByRole("dialog", { name: "Invite people" })).toBeTruthy();
  });
});

describe("MembersView offline", () => {
  it("still lists members from the cache, and invitations wait for the server", async () => {
    ipc({ ...base(), invitations: () => [], usage: () => ({ plan: "pro", limits: { max_members: null, max_communities: null }, members: 1, pending_invitations: 0, communities: 2, api_keys: 0 }) });
    renderInPane(<MembersView />, { offline: { code: "offline", message: "No route to host", problem: null } });
    expect(await screen.findByText("user0@example.test")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Invite…" }));
    const dialog = await screen.findByRole("dialog", { name: "Invite people" });
    expect((within(dialog).getByRole("button", { name: "Send invitation" }) as HTMLButtonElement).disabled).toBe(true);
    expect(within(dialog).getByText(/this needs the server/)).toBeTruthy();
  });
});
