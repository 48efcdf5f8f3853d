// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { QueryClientProvider } from "@tanstack/react-query";
import { afterEach, describe, expect, it } from "vitest";
import type { Comparison } from "../bindings/Comparison";
import type { Community } from "../bindings/Community";
import { Compare } from "../compare/Compare";
import { ErrorNote, ServerButton } from "../kit/kit";
import { newQueryClient } from "../query";
import { account, ipc, renderInPane, workspace } from "../test/render";
import { StatusBanners } from "./Banners";
import { CommunitySwitcher } from "./CommunitySwitcher";
import { IDLE } from "./sync";

afterEach(cleanup);

describe("offline banner", () => {
  it("says the server is unreachable, how old the data is, and offers a retry", () => {
    let retried = 0;
    const syncedAt = new Date(Date.now() - 3 * 3600_000).toISOString();
    render(
      <StatusBanners
        status={{ ...IDLE, offline: { code: "offline", message: "The server at http://127.0.0.1:9 cannot be reached.", problem: null }, syncedAt }}
        onRetry={() => retried++}
      />,
    );
    const banner = screen.getByRole("status");
    expect(banner.textContent).toContain("Offline.");
    expect(banner.textContent).toContain("cannot be reached");
    expect(banner.textContent).toContain("3 hours ago");
    fireEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(retried).toBe(1);
  });

  it("is absent when online, and a progress bar counts a running sync", () => {
    render(<StatusBanners status={{ ...IDLE, syncing: true, progress: { done: 120, total: 400 } as never }} onRetry={() => {}} />);
    expect(screen.queryByRole("status")).toBeNull();
    const bar = screen.getByRole("progressbar");
    expect((bar as HTMLProgressElement).value).toBe(120);
    expect(screen.getByText(/Syncing… 120 of 400/)).toBeTruthy();
  });
});

describe("errors and server-bound actions", () => {
  it("shows the server's own sentence", () => {
    render(<ErrorNote error={{ code: "conflict", message: "Every workspace keeps at least one owner.", problem: "last-owner" }} />);
    expect(screen.getByRole("alert").textContent).toContain("Every workspace keeps at least one owner.");
  });

  it("disables a server action offline and says why", () => {
    ipc({});
    renderInPane(<ServerButton>Remove member</ServerButton>, { offline: { code: "offline", message: "down", problem: null } });
    const b = screen.getByRole("button", { name: "Remove member" }) as HTMLButtonElement;
    expect(b.disabled).toBe(true);
    expect(b.title).toContain("cannot be reached");
  });

  it("enables it online", () => {
    ipc({});
    renderInPane(<ServerButton>Remove member</ServerButton>);
    expect((screen.getByRole("button", { name: "Remove member" }) as HTMLButtonElement).disabled).toBe(false);
  });
});

describe("compare", () => {
  const other = { ...account, key: "bo@example.test @ http://127.0.0.1:2", email: "bo@example.test", server: "http://127.0.0.1:2" };
  const ws2 = { ...workspace, id: "ws-2", name: "Sentinel" };
  const answer: Comparison = {
    only_left: [{ email: "ann@x.test", display_name: "Ann", workspace_role: "member", pending: false }],
    only_right: [],
    differing: [{ email: "cy@x.test", display_name: "Cy", left_workspace_role: "member", right_workspace_role: "admin", only_left: ["Analyst in Acme"], only_right: [] }],
    same: 7,
  };

  it("asks for the two panes' workspaces and lists one-sided people and role differences", async () => {
    const calls = ipc({ compare: () => answer });
    render(
      <QueryClientProvider client={newQueryClient()}>
        <Compare panes={[{ account, ws: workspace }, { account: other, ws: ws2 }]} onClose={() => {}} />
      </QueryClientProvider>,
    );
    await screen.findByText("Ann");
    expect(calls[0].args).toEqual({ left: { account: account.key, workspace_id: "ws-1" }, right: { account: other.key, workspace_id: "ws-2" } });
    expect(screen.getByRole("status").textContent).toContain("1 only in Northwind MSSP");
    expect(screen.getByRole("status").textContent).toContain("7 the same");
    const diff = screen.getByRole("region", { name: "Roles that differ" });
    expect(diff.textContent).toContain("Analyst in Acme");
    expect(diff.textContent).toContain("workspace admin");
  });

  it("refuses to compare a pane with itself", async () => {
    const calls = ipc({ compare: () => answer });
    render(
      <QueryClientProvider client={newQueryClient()}>
        <Compare panes={[{ account, ws: workspace }, { account: other, ws: ws2 }]} onClose={() => {}} />
      </QueryClientProvider>,
    );
    await screen.findByText("Ann");
    fireEvent.change(screen.getByLabelText("Right"), { target: { value: "0" } });
    await screen.findByText("Choose two different panes.");
    expect(calls.length).toBe(1);
  });
});

describe("community switcher", () => {
  const cs: Community[] = ["Acme Corp", "Bolt Bank", "Crane Air"].map((name, i) => ({
    id: `c${i}`, workspace_id: "ws-1", slug: name.toLowerCase().replace(" ", "-"), name, settings: { timezone: "UTC", contact_email: null, region: "eu-west", portal: { enabled: false, show_team: false } }, created_at: "2026-01-01T00:00:00Z", version: 1,
  }));

  it("selects several communities and selects all matching a search", () => {
    let picked: string[] = [];
    const { rerender } = render(<CommunitySwitcher communities={cs} selected={picked} onChange={(ids) => (picked = ids)} />);
    fireEvent.click(screen.getByRole("button", { name: /All communities \(3\)/ }));
    fireEvent.click(screen.getByLabelText(/Bolt Bank/));
    expect(picked).toEqual(["c1"]);
    rerender(<CommunitySwitcher communities={cs} selected={picked} onChange={(ids) => (picked = ids)} />);
    fireEvent.change(screen.getByLabelText("Find a community"), { target: { value: "crane" } });
    expect(screen.queryByLabelText(/Acme Corp/)).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Select 1 matching" }));
    expect(picked.sort()).toEqual(["c1", "c2"]);
  });
});

describe("workspace title", () => {
  it("waits for nothing it does not need", async () => {
    // The compare dialog with fewer than two panes says what to do instead of calling the server.
    const calls = ipc({});
    render(
      <QueryClientProvider client={newQueryClient()}>
        <Compare panes={[{ account, ws: workspace }]} onClose={() => {}} />
      </QueryClientProvider>,
    );
    await waitFor(() => screen.getByText("Choose two different panes."));
    expect(calls).toEqual([]);
  });
});
