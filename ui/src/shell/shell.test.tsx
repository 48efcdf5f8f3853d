// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { QueryClientProvider } from "@tanstack/react-query";
import { afterEach, describe, expect, it } from "vitest";
import type { Community } from "../bindings/Community";
import { Compare } from "../compare/Compare";
import { ErrorNote, ServerButton } from "../kit/kit";
import { newQueryClient } from "../query";
import { account, ipc, renderInPane, workspace } from "../test/render";
import { OfflineBanners, offlineServers, StatusBanners } from "./Banners";
import { CommunitySwitcher } from "./CommunitySwitcher";
import { IDLE } from "./sync";

afterEach(cleanup);

describe("offline banner", () => {
  const down = (message: string) => ({ code: "offline" as const, message, problem: null });
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();

  it("is one per unreachable server, however many accounts show it, with the oldest data's age", () => {
    const a = { key: "ann @ http://127.0.0.1:9", server: "http://127.0.0.1:9" };
    const b = { key: "bob @ http://127.0.0.1:9", server: "http://127.0.0.1:9" };
    const c = { key: "ann @ http://127.0.0.1:10", server: "http://127.0.0.1:10" };
    const d = { key: "dan @ http://127.0.0.1:11", server: "http://127.0.0.1:11" };
    const servers = offlineServers([a, b, c, d], {
      [a.key]: { ...IDLE, offline: down("Cannot reach 127.0.0.1:9."), syncedAt: hoursAgo(1) },
      [b.key]: { ...IDLE, offline: down("Cannot reach 127.0.0.1:9."), syncedAt: hoursAgo(3) },
      [c.key]: { ...IDLE, offline: down("Cannot reach 127.0.0.1:10."), syncedAt: null },
      [d.key]: { ...IDLE, syncedAt: hoursAgo(1) },
    });
    expect(servers.map((s) => [s.server, s.accounts.length])).toEqual([["http://127.0.0.1:9", 2], ["http://127.0.0.1:10", 1]]);
    let retried: string[] = [];
    render(<OfflineBanners servers={servers} onRetry={(o) => (retried = o.accounts)} />);
    const banners = screen.getAllByRole("status");
    expect(banners).toHaveLength(2);
    expect(banners[0].textContent).toContain("Offline.");
    expect(banners[0].textContent).toContain("3 hours ago");
    expect(banners[0].textContent).toContain("2 accounts of 127.0.0.1:9");
    expect(banners[1].textContent).toContain("Nothing is cached for this server yet");
    fireEvent.click(within(banners[0]).getByRole("button", { name: "Try again" }));
    expect(retried).toEqual([a.key, b.key]);
  });

  it("is absent when online, and a progress bar counts a running sync", () => {
    expect(offlineServers([{ key: "k", server: "s" }], { k: { ...IDLE, syncedAt: hoursAgo(1) } })).toEqual([]);
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

// Compare: see compare/compare.test.tsx.

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
        <Compare panes={[{ account, ws: workspace, communities: [] }]} onClose={() => {}} />
      </QueryClientProvider>,
    );
    await waitFor(() => screen.getByText("Choose two different panes."));
    expect(calls).toEqual([]);
  });
});
