// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ApiKey } from "../bindings/ApiKey";
import type { Community } from "../bindings/Community";
import type { Role } from "../bindings/Role";
import { ipc, refuse, renderInPane } from "../test/render";
import { ApiKeys, keyStatus, parseDays } from "./ApiKeys";

afterEach(cleanup);

const community = (id: string, name: string): Community => ({ id, workspace_id: "ws-1", slug: id, name, settings: { timezone: "UTC", contact_email: null, region: "eu-west", portal: { enabled: false, show_team: false } }, created_at: "2026-01-01T00:00:00Z", version: 1 });
const role = (id: string, name: string): Role => ({ id, workspace_id: "ws-1", name, kind: "builtin", builtin: null, description: "", permissions: [], intake_scope: [], created_at: "2026-01-01T00:00:00Z", version: 1 });
const key = (id: string, name: string, over: Partial<ApiKey> = {}): ApiKey => ({
  id, workspace_id: "ws-1", community_id: "c2", name, prefix: `tk_${id}`, role_ids: ["r-analyst"], created_by: "u-ann", created_at: "2026-02-01T10:00:00Z", expires_at: null, last_used_at: null, revoked_at: null, ...over,
});
const SECRET = "tk_live_5f3c9a1e7d2b4c8f9e0a1b2c3d4e5f60";

function handlers(over: Record<string, (a: Record<string, unknown>) => unknown> = {}) {
  let keys = [key("k1", "SIEM forwarder"), key("k0", "Old ticketing", { revoked_at: "2026-02-10T09:00:00Z" })];
  return ipc({
    communities: () => [community("c1", "Contoso"), community("c2", "Fabrikam")],
    roles: () => [role("r-guest", "Guest"), role("r-analyst", "Analyst")],
    // As the cache answers: the keys of the communities asked for (none: all), newest first.
    api_keys_of: (a) => keys.filter((k) => !(a.communities as string[]).length || (a.communities as string[]).includes(k.community_id)).sort((x, y) => y.created_at.localeCompare(x.created_at)),
    member: (a) => (a.userId === "u-ann" ? { member: { email: "ann@example.test" } } : null),
    create_api_key: (a) => {
      const req = a.req as { name: string; role_ids: string[] };
      const k = key("k2", req.name, { role_ids: req.role_ids });
      keys = [...keys, k];
      return { key: k, secret: SECRET };
    },
    revoke_api_key: (a) => {
      keys = keys.map((k) => (k.id === a.apiKeyId ? { ...k, revoked_at: "2026-03-01T00:00:00Z" } : k));
      return keys.find((k) => k.id === a.apiKeyId);
    },
    ...over,
  });
}

describe("ApiKeys", () => {
  it("lists the keys of the selected community with roles, creator and state", async () => {
    const calls = handlers();
    renderInPane(<ApiKeys />, { communities: ["c2"] });
    const table = await screen.findByRole("table", { name: "API keys of Fabrikam" });
    expect(calls.find((c) => c.cmd === "api_keys_of")!.args).toMatchObject({ workspaceId: "ws-1", communities: ["c2"] });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows[0].textContent).toContain("SIEM forwarder");
    expect(rows[0].textContent).toContain("tk_k1…");
    expect(rows[0].textContent).toContain("Analyst");
    await waitFor(() => expect(rows[0].textContent).toContain("ann@example.test"));
    expect(rows[1].textContent).toContain("Revoked");
    expect(within(rows[1]).queryByRole("button", { name: "Revoke" })).toBeNull();
  });

  it("keeps every key in its place when one is revoked: newest first, whatever their state", async () => {
    const keys = [key("k2", "Newest"), key("k1", "Middle"), key("k0", "Oldest")];
    let revoked = false;
    ipc({
      communities: () => [community("c2", "Fabrikam")],
      roles: () => [role("r-analyst", "Analyst")],
      api_keys_of: () => (revoked ? keys.map((k) => (k.id === "k2" ? { ...k, revoked_at: "2026-02-11T00:00:00Z" } : k)) : keys),
      member: () => null,
      revoke_api_key: () => {
        revoked = true;
        return { ...keys[0], revoked_at: "2026-02-11T00:00:00Z" };
      },
    });
    renderInPane(<ApiKeys />, { communities: ["c2"] });
    const table = await screen.findByRole("table", { name: "API keys of Fabrikam" });
    const names = () => within(table).getAllByRole("row").slice(1).map((r) => r.querySelector("td")!.textContent);
    expect(names()).toEqual(["Newest", "Middle", "Oldest"]);
    fireEvent.click(within(within(table).getAllByRole("row")[1]).getByRole("button", { name: "Revoke" }));
    await waitFor(() => expect(within(table).getAllByRole("row")[1].textContent).toContain("Revoked"));
    expect(names()).toEqual(["Newest", "Middle", "Oldest"]);
  });

  it("shows the secret once, copies it, and forgets it after Done", async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const calls = handlers();
    renderInPane(<ApiKeys />, { communities: ["c2"] });
    fireEvent.click(await screen.findByRole("button", { name: "Create API key…" }));
    const dialog = screen.getByRole("dialog");
    fireEvent.change(within(dialog).getByLabelText("Name"), { target: { value: "SOAR" } });
    fireEvent.click(within(dialog).getByRole("checkbox", { name: "Analyst" }));
    fireEvent.change(within(dialog).getByLabelText("Expires after (days)"), { target: { value: "90" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Create key" }));

    const secret = (await screen.findByLabelText("Secret")) as HTMLInputElement;
    expect(secret.value).toBe(SECRET);
    expect(secret.readOnly).toBe(true);
    expect(screen.getByText("This is the only time the secret is shown. Store it now.")).toBeTruthy();
    expect(calls.find((c) => c.cmd === "create_api_key")!.args).toMatchObject({
      workspaceId: "ws-1", communityId: "c2", req: { name: "SOAR", role_ids: ["r-analyst"], expires_in_days: 90 },
    });
    fireEvent.click(screen.getByRole("button", { name: "Copy" }));
    await waitFor(() => expect(screen.getByRole("status").textContent).toBe("Copied"));
    expect(writeText).toHaveBeenCalledWith(SECRET);

    fireEvent.click(screen.getByRole("button", { name: "Done" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(document.body.innerHTML).not.toContain(SECRET);
    // The new key is listed, by prefix only.
    await waitFor(() => expect(screen.getByText("SOAR")).toBeTruthy());

    fireEvent.click(screen.getByRole("button", { name: "Create API key…" }));
    expect(screen.queryByLabelText("Secret")).toBeNull();
    expect((within(screen.getByRole("dialog")).getByLabelText("Name") as HTMLInputElement).value).toBe("");
    expect(document.body.innerHTML).not.toContain(SECRET);
  });

  it("keeps what was typed when creating fails, even after closing the dialog", async () => {
    handlers({ create_api_key: () => refuse({ code: "forbidden", message: "You need the API-keys permission in Fabrikam to create keys there.", problem: "forbidden" }) });
    renderInPane(<ApiKeys />, { communities: ["c2"] });
    fireEvent.click(await screen.findByRole("button", { name: "Create API key…" }));
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "SOAR" } });
    fireEvent.click(screen.getByRole("checkbox", { name: "Guest" }));
    fireEvent.click(screen.getByRole("button", { name: "Create key" }));
    expect((await screen.findByRole("alert")).textContent).toContain("API-keys permission");
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    fireEvent.click(screen.getByRole("button", { name: "Create API key…" }));
    expect((screen.getByLabelText("Name") as HTMLInputElement).value).toBe("SOAR");
    expect((screen.getByRole("checkbox", { name: "Guest" }) as HTMLInputElement).checked).toBe(true);
  });

  it("revokes through the production guard, and not when the user cancels", async () => {
    let answer = false;
    const asked: string[] = [];
    const calls = handlers();
    renderInPane(<ApiKeys />, { communities: ["c2"], guard: async (what) => (asked.push(what), answer) });
    const table = await screen.findByRole("table");
    const row = within(table).getByText("SIEM forwarder").closest("tr")!;
    fireEvent.click(within(row).getByRole("button", { name: "Revoke" }));
    await waitFor(() => expect(asked).toHaveLength(1));
    expect(asked[0]).toContain("revoke the API key SIEM forwarder");
    expect(calls.some((c) => c.cmd === "revoke_api_key")).toBe(false);
    answer = true;
    fireEvent.click(within(row).getByRole("button", { name: "Revoke" }));
    await waitFor(() => expect(calls.find((c) => c.cmd === "revoke_api_key")?.args).toMatchObject({ communityId: "c2", apiKeyId: "k1" }));
    await waitFor(() => expect(within(table).getAllByText(/Revoked/)).toHaveLength(2));
  });

  it("offline: creating and revoking are disabled and say why", async () => {
    handlers();
    renderInPane(<ApiKeys />, { communities: ["c2"], offline: { code: "offline", message: "unreachable", problem: null } });
    expect(await screen.findByRole("button", { name: "Create API key…" })).toHaveProperty("disabled", true);
    expect(screen.getByRole("note").textContent).toContain("cannot be reached");
    // The keys list is a read of its own: wait for it, not only for the toolbar.
    expect(await screen.findByRole("button", { name: "Revoke" })).toHaveProperty("disabled", true);
  });
});

describe("ApiKeys of several communities", () => {
  // In the natural order the Rust side sends: "Client 2" before "Client 10".
  const all = [community("cl2", "Client 2"), community("cl10", "Client 10"), community("c1", "Contoso"), community("c2", "Fabrikam")];
  const keys = [
    key("a1", "Contoso SIEM", { community_id: "c1", created_at: "2026-03-05T08:00:00Z" }),
    key("b1", "Fabrikam SOAR", { community_id: "c2", created_at: "2026-03-01T08:00:00Z", expires_at: "2099-06-01T00:00:00Z" }),
    key("c1k", "Client 10 feed", { community_id: "cl10", created_at: "2026-01-10T08:00:00Z", last_used_at: "2026-03-06T00:00:00Z" }),
    key("d1", "Client 2 feed", { community_id: "cl2", created_at: "2026-02-10T08:00:00Z", expires_at: "2099-04-01T00:00:00Z" }),
  ];
  const setup = () =>
    handlers({
      communities: () => all,
      api_keys_of: (a) => keys.filter((k) => !(a.communities as string[]).length || (a.communities as string[]).includes(k.community_id)),
    });
  const cells = (table: HTMLElement, col: number) => within(table).getAllByRole("row").slice(1).map((r) => r.querySelectorAll("td")[col].textContent);

  it("lists the keys of every community in one table, newest first, each with its community", async () => {
    const calls = setup();
    renderInPane(<ApiKeys />);
    const table = await screen.findByRole("table", { name: "API keys of all 4 communities" });
    expect(calls.find((c) => c.cmd === "api_keys_of")!.args.communities).toEqual([]);
    expect(calls.some((c) => c.cmd === "api_keys")).toBe(false);
    expect(cells(table, 0)).toEqual(["Contoso SIEM", "Fabrikam SOAR", "Client 2 feed", "Client 10 feed"]);
    expect(cells(table, 1)).toEqual(["Contoso", "Fabrikam", "Client 2", "Client 10"]);
    expect(within(table).getByRole("columnheader", { name: "Created" }).getAttribute("aria-sort")).toBe("descending");
  });

  it("sorts by a column, natural order for names, and reverses on a second click", async () => {
    setup();
    renderInPane(<ApiKeys />);
    const table = await screen.findByRole("table", { name: "API keys of all 4 communities" });
    const header = (name: string) => within(table).getByRole("columnheader", { name });
    fireEvent.click(within(table).getByRole("button", { name: "Community" }));
    expect(cells(table, 1)).toEqual(["Client 2", "Client 10", "Contoso", "Fabrikam"]);
    expect(header("Community").getAttribute("aria-sort")).toBe("ascending");
    expect(header("Created").getAttribute("aria-sort")).toBeNull();
    fireEvent.click(within(table).getByRole("button", { name: "Community" }));
    expect(cells(table, 1)).toEqual(["Fabrikam", "Contoso", "Client 10", "Client 2"]);
    expect(header("Community").getAttribute("aria-sort")).toBe("descending");
    fireEvent.click(within(table).getByRole("button", { name: "Name" }));
    expect(cells(table, 0)).toEqual(["Client 2 feed", "Client 10 feed", "Contoso SIEM", "Fabrikam SOAR"]);
    // Expiry soonest first; keys that never expire last.
    fireEvent.click(within(table).getByRole("button", { name: "Expires" }));
    expect(cells(table, 0)).toEqual(["Client 2 feed", "Fabrikam SOAR", "Contoso SIEM", "Client 10 feed"]);
    fireEvent.click(within(table).getByRole("button", { name: "Created" }));
    fireEvent.click(within(table).getByRole("button", { name: "Created" }));
    expect(cells(table, 0)).toEqual(["Client 10 feed", "Client 2 feed", "Fabrikam SOAR", "Contoso SIEM"]);
    expect(header("Created").getAttribute("aria-sort")).toBe("ascending");
  });

  it("revokes a key in its own community, and creates in the community picked for it", async () => {
    const asked: string[] = [];
    const calls = setup();
    renderInPane(<ApiKeys />, { communities: ["c1", "c2"], guard: async (what) => (asked.push(what), true) });
    const table = await screen.findByRole("table", { name: "API keys of 2 communities" });
    expect(cells(table, 0)).toEqual(["Contoso SIEM", "Fabrikam SOAR"]);
    const row = within(table).getByText("Fabrikam SOAR").closest("tr")!;
    fireEvent.click(within(row).getByRole("button", { name: "Revoke" }));
    await waitFor(() => expect(calls.find((c) => c.cmd === "revoke_api_key")?.args).toMatchObject({ communityId: "c2", apiKeyId: "b1" }));
    expect(asked[0]).toBe("revoke the API key Fabrikam SOAR (tk_b1…) of Fabrikam");

    fireEvent.click(screen.getByRole("button", { name: "Create API key…" }));
    const dialog = screen.getByRole("dialog", { name: "New API key for Contoso" });
    const picker = within(dialog).getByLabelText("Community") as HTMLSelectElement;
    expect(picker.value).toBe("c1");
    expect(within(dialog).getByRole("button", { name: "Create key" }).getAttribute("title")).toBe("Give the key a name.");
    fireEvent.change(picker, { target: { value: "c2" } });
    expect(screen.getByRole("dialog", { name: "New API key for Fabrikam" })).toBeTruthy();
    fireEvent.change(within(dialog).getByLabelText("Name"), { target: { value: "EDR sync" } });
    fireEvent.click(within(dialog).getByRole("checkbox", { name: "Guest" }));
    fireEvent.click(within(dialog).getByRole("button", { name: "Create key" }));
    await screen.findByLabelText("Secret");
    expect(calls.find((c) => c.cmd === "create_api_key")!.args).toMatchObject({ workspaceId: "ws-1", communityId: "c2", req: { name: "EDR sync" } });
  });
});

describe("key helpers", () => {
  it("parses the expiry field", () => {
    expect(parseDays("")).toEqual({ days: null, problem: null });
    expect(parseDays(" 30 ")).toEqual({ days: 30, problem: null });
    expect(parseDays("0").problem).toMatch(/between 1 and 3650/);
    expect(parseDays("1.5").problem).toMatch(/whole number/);
  });
  it("tells active, expired and revoked keys apart", () => {
    const now = new Date("2026-03-01T00:00:00Z");
    expect(keyStatus(key("a", "a"), now).active).toBe(true);
    expect(keyStatus(key("a", "a", { expires_at: "2026-02-01T00:00:00Z" }), now).label).toMatch(/^Expired/);
    expect(keyStatus(key("a", "a", { revoked_at: "2026-02-01T00:00:00Z", expires_at: "2026-01-01T00:00:00Z" }), now).label).toMatch(/^Revoked/);
  });
});
