// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { QueryClientProvider } from "@tanstack/react-query";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { CompareRow } from "../bindings/CompareRow";
import type { Comparison } from "../bindings/Comparison";
import { newQueryClient } from "../query";
import { account, ipc, workspace } from "../test/render";
import { Compare, type Side } from "./Compare";
import { rowHeight, VIRTUALIZE_ABOVE } from "./CompareTable";
import { filterRows, scopeLabel } from "./shape";

// jsdom has no layout: give every element a 600px-high viewport so the virtualizer renders
// the rows that would be on screen.
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, get: () => 600 });
  Object.defineProperty(HTMLElement.prototype, "clientWidth", { configurable: true, get: () => 1000 });
});
afterEach(cleanup);

const other = { ...account, key: "bo@example.test @ http://127.0.0.1:2", email: "bo@example.test", server: "http://127.0.0.1:2" };
const ws2 = { ...workspace, id: "ws-2", name: "Sentinel" };

const row = (email: string, status: CompareRow["status"], over: Partial<CompareRow> = {}): CompareRow => ({
  email,
  display_name: email.split("@")[0].replace(/^./, (c) => c.toUpperCase()),
  status,
  left: status === "only_right" ? null : { workspace_role: "member", pending: false, roles: ["Analyst in Acme Corp"] },
  right: status === "only_left" ? null : { workspace_role: "member", pending: false, roles: ["Analyst in Acme Corp"] },
  only_left: [],
  only_right: [],
  ...over,
});

const answer: Comparison = {
  rows: [
    row("ann@x.test", "only_left"),
    row("bea@x.test", "same"),
    row("cy@x.test", "differ", {
      left: { workspace_role: "member", pending: false, roles: ["Analyst in Acme Corp", "Guest in Globex"] },
      right: { workspace_role: "admin", pending: false, roles: ["Guest in Globex"] },
      only_left: ["Analyst in Acme Corp"],
    }),
    row("dee@x.test", "only_right", { display_name: "" }),
  ],
  only_left: 1,
  only_right: 1,
  differing: 1,
  same: 1,
  left_communities: ["Acme Corp", "Globex"],
  right_communities: [],
};

function show(panes: Side[]) {
  return render(
    <QueryClientProvider client={newQueryClient()}>
      <Compare panes={panes} onClose={() => {}} />
    </QueryClientProvider>,
  );
}

const panes: Side[] = [
  { account, ws: workspace, communities: ["c-acme", "c-globex"] },
  { account: other, ws: ws2, communities: [] },
];

/** The emails of the table's rows, in order. */
const emails = () =>
  Array.from(screen.getByRole("table", { name: "People compared" }).querySelectorAll("tbody tr:not(.cmp-spacer)")).map(
    (tr) => tr.querySelector("th .small")?.textContent,
  );

describe("compare", () => {
  it("sends each pane's selected communities and names them", async () => {
    const calls = ipc({ compare: () => answer });
    show(panes);
    await screen.findByRole("table", { name: "People compared" });
    expect(calls[0].cmd).toBe("compare");
    expect(calls[0].args).toEqual({
      left: { account: account.key, workspace_id: "ws-1", communities: ["c-acme", "c-globex"] },
      right: { account: other.key, workspace_id: "ws-2", communities: [] },
    });
    const scope = screen.getByLabelText("What is compared");
    expect(scope.textContent).toContain("Northwind MSSP");
    expect(scope.textContent).toContain("Acme Corp, Globex (2 communities)");
    expect(scope.textContent).toContain("all communities");
    expect(screen.getByText(/counts only the people holding a role in one of them/)).toBeTruthy();
    const summary = screen.getAllByRole("status").find((s) => s.className === "cmp-summary")!;
    expect(summary.textContent).toBe("1 person only in Northwind MSSP · 1 person only in Sentinel · 1 person with different roles · 1 person the same");
  });

  it("is one table with a row per person, the same ones hidden until shown", async () => {
    ipc({ compare: () => answer });
    show(panes);
    await screen.findByRole("table", { name: "People compared" });
    expect(emails()).toEqual(["ann@x.test", "cy@x.test", "dee@x.test"]);
    const same = screen.getByRole("button", { name: /^Same/ });
    expect(same.getAttribute("aria-pressed")).toBe("false");
    fireEvent.click(same);
    expect(emails()).toEqual(["ann@x.test", "bea@x.test", "cy@x.test", "dee@x.test"]);
    expect(screen.getByText("4 of 4 people shown")).toBeTruthy();
    // Each side's workspace role and roles, what differs marked; absent from a side: a dash.
    const cy = screen.getByText("cy@x.test").closest("tr")!;
    const cells = within(cy).getAllByRole("cell").map((td) => td.textContent);
    expect(cells).toEqual(["Roles differ", "member", "Analyst in Acme CorpGuest in Globex", "admin", "Guest in Globex"]);
    expect([...cy.querySelectorAll("mark")].map((m) => m.textContent)).toEqual(["member", "Analyst in Acme Corp", "admin"]);
    const dee = screen.getByText("dee@x.test").closest("tr")!;
    expect(within(dee).getAllByRole("cell")[0].textContent).toBe("Right only");
    expect(within(dee).getAllByRole("cell")[0].getAttribute("title")).toBe("Only in Sentinel");
    expect(within(dee).getAllByRole("cell")[1].textContent).toBe("—");
    expect(within(dee).getByText("Invited")).toBeTruthy();
  });

  it("filters by status chips and by text", async () => {
    ipc({ compare: () => answer });
    show(panes);
    await screen.findByRole("table", { name: "People compared" });
    fireEvent.click(screen.getByRole("button", { name: /^Only in Northwind MSSP/ }));
    fireEvent.click(screen.getByRole("button", { name: /^Only in Sentinel/ }));
    expect(emails()).toEqual(["cy@x.test"]);
    expect(screen.getByText("1 of 4 people shown")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: /^Only in Sentinel/ }));
    fireEvent.change(screen.getByLabelText("Filter people in the comparison"), { target: { value: "GLOBEX" } });
    expect(emails()).toEqual(["cy@x.test"]);
    fireEvent.change(screen.getByLabelText("Filter people in the comparison"), { target: { value: "zed" } });
    expect(screen.queryByRole("table")).toBeNull();
    expect(screen.getByText(/Nobody matches these filters/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Show the 1 person with the same roles" }));
    expect(screen.getByRole("button", { name: /^Same/ }).getAttribute("aria-pressed")).toBe("true");
  });

  it("exports every row, whatever the filters, and says where", async () => {
    const calls = ipc({ compare: () => answer, compare_export: () => ({ path: "/home/ann/Downloads/tenantry-compare.csv", count: 4 }) });
    show(panes);
    await screen.findByRole("table", { name: "People compared" });
    expect(screen.getByText(/Every person compared \(4 rows\), whatever the filters show/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Export all rows as CSV" }));
    expect(await screen.findByText("Saved 4 people to /home/ann/Downloads/tenantry-compare.csv")).toBeTruthy();
    const exp = calls.find((c) => c.cmd === "compare_export")!;
    expect(exp.args).toEqual({ ...calls[0].args, format: "csv" });
  });

  it("shows the error with a retry, and refuses to compare a pane with itself", async () => {
    let n = 0;
    const calls = ipc({
      compare: () => {
        n++;
        if (n === 1) throw { code: "not_found", message: "This workspace is not in the cache; sync and try again.", problem: null };
        return answer;
      },
    });
    show(panes);
    expect((await screen.findByRole("alert")).textContent).toContain("not in the cache");
    fireEvent.click(screen.getByRole("button", { name: /retry|try again/i }));
    await screen.findByRole("table", { name: "People compared" });
    fireEvent.change(screen.getByLabelText("Right"), { target: { value: "0" } });
    await screen.findByText("Choose two different panes.");
    expect(calls.filter((c) => c.cmd === "compare").length).toBe(2);
  });

  it("says when nobody is on either side", async () => {
    ipc({ compare: () => ({ ...answer, rows: [], only_left: 0, only_right: 0, differing: 0, same: 0 }) });
    show(panes);
    expect(await screen.findByText("Nobody on either side.")).toBeTruthy();
  });

  it("renders only the rows in view of a long comparison", async () => {
    const many = Array.from({ length: 2000 }, (_, i) => row(`p${String(i).padStart(4, "0")}@x.test`, "only_left"));
    ipc({ compare: () => ({ ...answer, rows: many, only_left: many.length, only_right: 0, differing: 0, same: 0 }) });
    show(panes);
    const table = await screen.findByRole("table", { name: "People compared" });
    const rendered = emails();
    expect(rendered.length).toBeGreaterThan(0);
    expect(rendered.length).toBeLessThan(VIRTUALIZE_ABOVE * 2);
    expect(rendered[0]).toBe("p0000@x.test");
    // Scrolled down, later people are rendered instead.
    const scroller = screen.getByLabelText("Comparison, scrollable");
    scroller.scrollTop = 1000 * rowHeight(many[0]);
    fireEvent.scroll(scroller);
    await waitFor(() => expect(emails()).toContain("p1000@x.test"));
    expect(emails()).not.toContain("p0000@x.test");
    expect(table.getAttribute("aria-rowcount")).toBe(String(2000 + 2));
    expect(screen.getByText("2,000 of 2,000 people shown")).toBeTruthy();
  });
});

describe("compare words", () => {
  it("names a selection, shortened past a few", () => {
    expect(scopeLabel([])).toBe("all communities");
    expect(scopeLabel(["Acme Corp"])).toBe("Acme Corp (1 community)");
    expect(scopeLabel(["A", "B", "C", "D", "E"])).toBe("A, B, C and 2 more (5 communities)");
  });

  it("filters by status and by text on either side's roles", () => {
    const all = new Set(["only_left", "only_right", "differ", "same"] as const);
    expect(filterRows(answer.rows, all, "guest").map((r) => r.email)).toEqual(["cy@x.test"]);
    expect(filterRows(answer.rows, new Set(["same"] as const), "").map((r) => r.email)).toEqual(["bea@x.test"]);
    expect(filterRows(answer.rows, all, "admin").map((r) => r.email)).toEqual(["cy@x.test"]);
  });
});
