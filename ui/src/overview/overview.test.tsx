// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from "vitest";
import type { Aggregate } from "../bindings/Aggregate";
import type { Community } from "../bindings/Community";
import type { Role } from "../bindings/Role";
import type { WorkspaceUsage } from "../bindings/WorkspaceUsage";
import { ipc, refuse, renderInPane } from "../test/render";
import { ExportButtons } from "./ExportButtons";
import { Overview } from "./Overview";

afterEach(cleanup);
// The test DOM has no canvas: the charts fall back to their numbers (asserted below).
beforeAll(() => {
  vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockReturnValue(null);
});

const community = (id: string, name: string): Community => ({
  id, workspace_id: "ws-1", slug: id, name, settings: { timezone: "UTC", contact_email: null, region: "eu-central", portal: { enabled: false, show_team: false } }, created_at: "2026-01-01T00:00:00Z", version: 1,
});
const role = (id: string, name: string, builtin: Role["builtin"] = null): Role => ({
  id, workspace_id: "ws-1", name, kind: builtin ? "builtin" : "custom", builtin, description: "", permissions: [], intake_scope: [], created_at: "2026-01-01T00:00:00Z", version: 1,
});
const communities = [community("c1", "Contoso"), community("c2", "Fabrikam"), community("c3", "Globex")];
const roles = [role("r-guest", "Guest", "guest"), role("r-analyst", "Analyst", "analyst"), role("r-admin", "Admin", "admin"), role("r-tier2", "Tier 2")];
const aggregate: Aggregate = {
  matrix: { c1: { "r-analyst": 3, "r-tier2": 1 }, c2: { "r-guest": 2 } },
  role_distribution: { "r-analyst": 3, "r-guest": 2, "r-tier2": 1 },
  members: 8,
  members_with_2fa: 6,
  pending_invitations: 2,
  api_keys: 4,
  alert_volume: [["2026-03-01", 10], ["2026-03-02", 14]],
};
const usage: WorkspaceUsage = { plan: "pro", limits: { max_members: 500, max_communities: null }, members: 40, pending_invitations: 5, communities: 3, api_keys: 4, client_contacts: 0 };

function handlers(over: Record<string, (a: Record<string, unknown>) => unknown> = {}) {
  return ipc({ communities: () => communities, roles: () => roles, usage: () => usage, aggregate: () => aggregate, ...over });
}

describe("Overview", () => {
  it("shows totals and 2FA coverage from the aggregate of the selected communities", async () => {
    const calls = handlers();
    renderInPane(<Overview />, { communities: ["c1", "c2"] });
    expect(await screen.findByTestId("total-members")).toHaveProperty("textContent", "8");
    expect(screen.getByTestId("total-pending").textContent).toBe("2");
    expect(screen.getByTestId("total-keys").textContent).toBe("4");
    expect(screen.getByTestId("total-2fa").textContent).toContain("75%");
    expect(screen.getByTestId("total-2fa").textContent).toContain("6 of 8 members");
    expect(screen.getByRole("heading", { level: 2 }).textContent).toContain("2 communities selected");
    const agg = calls.filter((c) => c.cmd === "aggregate");
    expect(agg.at(-1)?.args).toMatchObject({ account: expect.any(String), workspaceId: "ws-1", communities: ["c1", "c2"] });
  });

  it("aggregates every community of the workspace when none is selected", async () => {
    const calls = handlers();
    renderInPane(<Overview />);
    await screen.findByTestId("total-members");
    expect(calls.find((c) => c.cmd === "aggregate")?.args.communities).toEqual(["c1", "c2", "c3"]);
    expect(screen.getByRole("heading", { level: 2 }).textContent).toContain("All 3 communities");
  });

  it("shows the matrix with community rows and role columns, and plan usage against limits", async () => {
    handlers();
    renderInPane(<Overview />, { communities: ["c1", "c2"] });
    const table = await screen.findByRole("grid", { name: "People per role and community" });
    const headers = [...table.querySelectorAll("thead th")].map((th) => th.textContent);
    expect(headers).toEqual(["Community", "Guest", "Analyst", "Admin", "Tier 2", "Total"]);
    const rows = [...table.querySelectorAll("tbody tr")].map((tr) => [...tr.children].map((c) => c.textContent));
    expect(rows).toEqual([
      ["Contoso", "0", "3", "0", "1", "4"],
      ["Fabrikam", "2", "0", "0", "0", "2"],
    ]);
    expect(screen.getByRole("meter", { name: "Members and pending invitations" }).getAttribute("aria-valuenow")).toBe("9");
    expect(screen.getByText("45 of 500 member seats (9%)")).toBeTruthy();
    expect(screen.getByText("3 communities · unlimited")).toBeTruthy();
    expect(screen.getByText(/^4 active API keys in the workspace/)).toBeTruthy();
    // Without a canvas the charts show their numbers: distribution largest first, days as dates.
    const dist = await screen.findByRole("table", { name: "Role distribution" });
    expect([...dist.querySelectorAll("tbody tr")].map((tr) => tr.textContent)).toEqual(["Analyst3", "Guest2", "Tier 21"]);
    const alerts = await screen.findByRole("table", { name: "Alert volume per day" });
    expect([...alerts.querySelectorAll("tbody td")].map((td) => td.textContent)).toEqual(["10", "14"]);
    expect(alerts.querySelector("tbody th")?.textContent).toMatch(/Mar\s*1|1\s*Mar/);
  });

  it("says what each headline number counts: people once, role assignments once per role", async () => {
    handlers();
    renderInPane(<Overview />, { communities: ["c1", "c2"] });
    expect(await screen.findByTestId("total-members")).toHaveProperty("textContent", "8");
    // c1: Analyst 3 + Tier 2 1, c2: Guest 2.
    expect(screen.getByTestId("total-assignments").textContent).toBe("6");
    const box = screen.getByLabelText("Totals");
    expect(box.textContent).toContain("Role assignments");
    expect(box.textContent).toContain("a person with two roles counts twice");
    expect(box.textContent).toContain("each counted once");
    expect(screen.getByTestId("matrix-note").textContent).toContain("6 role assignments held by 8 people");
  });

  it("opens Members filtered to a cell's community and role, by click and by Enter; a community name opens its members", async () => {
    handlers();
    const go = vi.fn();
    renderInPane(<Overview />, { communities: ["c1", "c2"], go });
    const cell = await screen.findByRole("button", { name: "Contoso · Analyst: 3 people" });
    fireEvent.click(cell);
    expect(go).toHaveBeenLastCalledWith({ tab: "members", communities: ["c1"], roleId: "r-analyst", status: "active" });
    fireEvent.keyDown(screen.getByRole("button", { name: "Fabrikam · Guest: 2 people" }), { key: "Enter" });
    expect(go).toHaveBeenLastCalledWith({ tab: "members", communities: ["c2"], roleId: "r-guest", status: "active" });
    fireEvent.click(screen.getByRole("button", { name: "Fabrikam" }));
    expect(go).toHaveBeenLastCalledWith({ tab: "members", communities: ["c2"], status: "active" });
    expect(go).toHaveBeenCalledTimes(3);
  });

  it("is one Tab stop; the arrow keys move between cells", async () => {
    handlers();
    renderInPane(<Overview />, { communities: ["c1", "c2"] });
    const grid = await screen.findByRole("grid", { name: "People per role and community" });
    const stops = [...grid.querySelectorAll("button")].filter((b) => b.tabIndex === 0);
    expect(stops.map((b) => b.textContent)).toEqual(["Community"]);
    const cell = screen.getByRole("button", { name: "Contoso · Analyst: 3 people" });
    cell.focus();
    fireEvent.keyDown(cell, { key: "ArrowRight" });
    await waitFor(() => expect(document.activeElement?.getAttribute("aria-label")).toBe("Contoso · Admin: nobody"));
    fireEvent.keyDown(document.activeElement!, { key: "ArrowDown" });
    await waitFor(() => expect(document.activeElement?.getAttribute("aria-label")).toBe("Fabrikam · Admin: nobody"));
    fireEvent.keyDown(document.activeElement!, { key: "Home" });
    await waitFor(() => expect(document.activeElement?.textContent).toBe("Fabrikam"));
    fireEvent.keyDown(document.activeElement!, { key: "ArrowUp" });
    fireEvent.keyDown(document.activeElement!, { key: "ArrowUp" });
    await waitFor(() => expect(document.activeElement?.textContent).toBe("Community"));
    // The last cell used is the stop Tab comes back to.
    expect([...grid.querySelectorAll("button")].filter((b) => b.tabIndex === 0)).toEqual([document.activeElement]);
  });

  it("sorts by a column: counts largest first then reversed (ties in natural order), names in the Rust order or its reverse", async () => {
    // Natural order as the Rust side sends it: "Client 2" before "Client 10" (text order would not).
    const natural = [community("c2", "Client 2"), community("c10", "Client 10"), community("c11", "Client 11"), community("c3", "Client 3")];
    handlers({
      communities: () => natural,
      aggregate: () => ({ ...aggregate, matrix: { c2: { "r-analyst": 1 }, c10: { "r-analyst": 5, "r-guest": 1 }, c11: { "r-analyst": 1 }, c3: { "r-guest": 4 } } }),
    });
    renderInPane(<Overview />);
    const grid = await screen.findByRole("grid", { name: "People per role and community" });
    const names = () => [...grid.querySelectorAll("tbody tr th")].map((th) => th.textContent);
    const th = (name: string) => screen.getByRole("button", { name }).closest("th")!;
    expect(names()).toEqual(["Client 2", "Client 10", "Client 11", "Client 3"]);
    expect(th("Community").getAttribute("aria-sort")).toBe("ascending");

    fireEvent.click(screen.getByRole("button", { name: "Analyst" }));
    expect(names()).toEqual(["Client 10", "Client 2", "Client 11", "Client 3"]);
    expect(th("Analyst").getAttribute("aria-sort")).toBe("descending");
    expect(th("Community").getAttribute("aria-sort")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Analyst" }));
    expect(names()).toEqual(["Client 3", "Client 2", "Client 11", "Client 10"]);
    expect(th("Analyst").getAttribute("aria-sort")).toBe("ascending");

    fireEvent.click(screen.getByRole("button", { name: "Total" }));
    expect(names()).toEqual(["Client 10", "Client 3", "Client 2", "Client 11"]);
    expect(th("Total").getAttribute("aria-sort")).toBe("descending");

    fireEvent.click(screen.getByRole("button", { name: "Community" }));
    expect(names()).toEqual(["Client 2", "Client 10", "Client 11", "Client 3"]);
    fireEvent.keyDown(screen.getByRole("button", { name: "Community" }), { key: "Enter" });
    expect(names()).toEqual(["Client 3", "Client 11", "Client 10", "Client 2"]);
    expect(th("Community").getAttribute("aria-sort")).toBe("descending");
  });

  it("hints the cell under the pointer, from the current rows, and drops the hint when the matrix scrolls", async () => {
    const many = Array.from({ length: 200 }, (_, i) => community(`k${i}`, `Client ${i}`));
    const matrix = Object.fromEntries(many.map((c, i) => [c.id, { "r-analyst": i + 1 }]));
    handlers({ communities: () => many, aggregate: () => ({ ...aggregate, matrix }) });
    const h = vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(420);
    const w = vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(800);
    onTestFinished(() => (h.mockRestore(), w.mockRestore()));
    renderInPane(<Overview />);
    const grid = await screen.findByRole("grid", { name: "People per role and community" });
    // No native titles: WebKit keeps those up over whatever scrolls under the pointer.
    expect(grid.querySelectorAll("[title]").length).toBe(0);
    fireEvent.mouseOver(screen.getByRole("button", { name: "Client 3 · Analyst: 4 people" }));
    expect(screen.getByRole("tooltip").textContent).toBe("Client 3 · Analyst: 4 people — click to see them in Members");
    // Moving to another cell, the hint follows it.
    fireEvent.mouseOver(screen.getByRole("button", { name: "Client 5 · Analyst: 6 people" }));
    expect(screen.getByRole("tooltip").textContent).toContain("Client 5 · Analyst: 6 people");
    fireEvent.scroll(grid.parentElement!);
    expect(screen.queryByRole("tooltip")).toBeNull();
    // Over a row's total (no hint of its own), the previous hint does not linger.
    fireEvent.mouseOver(screen.getByRole("button", { name: "Client 0 · Analyst: 1 person" }));
    expect(screen.getByRole("tooltip")).toBeTruthy();
    fireEvent.mouseOver(grid.querySelector("tbody td.total")!);
    expect(screen.queryByRole("tooltip")).toBeNull();
  });

  it("says one API key, not one API keys", async () => {
    handlers({ usage: () => ({ ...usage, api_keys: 1 }) });
    renderInPane(<Overview />, { communities: ["c1", "c2"] });
    expect(await screen.findByText(/^1 active API key in the workspace/)).toBeTruthy();
  });

  it("renders only the visible rows of a 1,000-community matrix, and the filter narrows them", async () => {
    const many = Array.from({ length: 1000 }, (_, i) => community(`k${i}`, `Client ${String(i).padStart(4, "0")}`));
    const matrix = Object.fromEntries(many.map((c, i) => [c.id, { "r-analyst": (i % 7) + 1 }]));
    handlers({ communities: () => many, aggregate: () => ({ ...aggregate, matrix }) });
    // The test DOM lays nothing out: give the scroll box the size it has on screen.
    const h = vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(420);
    const w = vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(800);
    onTestFinished(() => (h.mockRestore(), w.mockRestore()));
    renderInPane(<Overview />);
    const table = await screen.findByRole("grid", { name: "People per role and community" });
    const rendered = table.querySelectorAll("tbody tr:not(.ov-spacer)").length;
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(100);
    fireEvent.change(screen.getByLabelText("Filter communities in the matrix"), { target: { value: "Client 0999" } });
    await waitFor(() => expect([...table.querySelectorAll("tbody tr:not(.ov-spacer) th")].map((th) => th.textContent)).toEqual(["Client 0999"]));
  });

  it("says so when the workspace has no communities, without asking for aggregates", async () => {
    const calls = handlers({ communities: () => [] });
    renderInPane(<Overview />);
    expect(await screen.findByText("No communities in this workspace.")).toBeTruthy();
    expect(calls.some((c) => c.cmd === "aggregate")).toBe(false);
  });

  it("shows the cache's error sentence", async () => {
    handlers({ aggregate: () => refuse({ code: "internal", message: "The cache could not be read; a full resync repairs it.", problem: null }) });
    renderInPane(<Overview />);
    expect((await screen.findByRole("alert")).textContent).toContain("a full resync repairs it");
  });
});

describe("ExportButtons", () => {
  it("exports the selection and says where the file went", async () => {
    const calls = ipc({ export: (a) => ({ path: `/home/ann/Downloads/tenantry-northwind-${a.what}.${a.format}`, count: 312 }) });
    renderInPane(<ExportButtons />, { communities: ["c2"] });
    fireEvent.click(screen.getByRole("button", { name: "Export members CSV" }));
    expect((await screen.findByRole("status")).textContent).toBe("Saved 312 members to /home/ann/Downloads/tenantry-northwind-members.csv");
    expect(calls[0]).toMatchObject({ cmd: "export", args: { workspaceId: "ws-1", what: "members", format: "csv", communities: ["c2"] } });
  });

  it("works offline and shows an error in the client's words", async () => {
    ipc({ export: () => refuse({ code: "internal", message: "Could not write the file: disk full.", problem: null }) });
    renderInPane(<ExportButtons />, { offline: { code: "offline", message: "offline", problem: null } });
    const button = screen.getByRole("button", { name: "Export roles JSON" });
    expect(button).toHaveProperty("disabled", false);
    fireEvent.click(button);
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("disk full"));
  });
});
