// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { Community } from "../bindings/Community";
import type { CommunitySettings } from "../bindings/CommunitySettings";
import type { CommunityRow } from "../bindings/CommunityRow";
import type { Intake } from "../bindings/Intake";
import type { MemberRow } from "../bindings/MemberRow";
import type { RegionChoice } from "../bindings/RegionChoice";
import { ipc, refuse, renderInPane, workspace, type Handlers } from "../test/render";
import { CommunitiesView } from "./CommunitiesView";

afterEach(cleanup);

type Over = Partial<Omit<Community, "settings">> & Partial<Omit<CommunitySettings, "portal">>;
const community = (id: string, name: string, over: Over = {}): Community => {
  const { timezone = "Europe/Paris", contact_email = null, region = "eu-west", ...rest } = over;
  return {
    id,
    workspace_id: "ws-1",
    slug: name.toLowerCase().replace(/ /g, "-"),
    name,
    settings: { timezone, contact_email, region, portal: { enabled: false, show_team: false } },
    created_at: "2026-01-01T00:00:00Z",
    version: 1,
    ...rest,
  };
};
const rows: CommunityRow[] = [
  { community: community("c1", "Acme Corp"), members: 12, intakes: 3, api_keys: 1 },
  { community: community("c2", "Globex", { region: "us-east", timezone: "America/New_York" }), members: 4, intakes: 0, api_keys: 0 },
];
/** What the region rule says for each plan (the rule is Rust's; these are its answers). */
const regions = (plan: string): RegionChoice =>
  plan === "free"
    ? { options: [{ region: "eu-west", label: "EU West (Ireland)", allowed: true }, { region: "us-east", label: "US East", allowed: false }], others_need: "starter" }
    : { options: [{ region: "eu-west", label: "EU West (Ireland)", allowed: true }, { region: "us-east", label: "US East", allowed: true }], others_need: null };
const usage = (communities: number, max: number | null) => ({ plan: "pro", limits: { max_members: 500, max_communities: max }, members: 10, pending_invitations: 0, communities, api_keys: 1 });

/** The slug rule's answers (Rust's rule; a stand-in for its sentences). */
const slugHint = (name: string, slug: string) => ({
  suggestion: name.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
  problem: slug && !/^[a-z0-9-]{3,30}$/.test(slug) ? `"${slug}" uses a character a slug may not have; use lower-case letters.` : null,
});

/** The pane's workspace as its owner sees it (whole), or as a member confined to their communities. */
const mode = (confined: boolean) => ({ workspace_id: "ws-1", communities: 2, mode: "multi_tenant" as const, confined, contact_of: null });
const contactRow = (over: Partial<MemberRow>): MemberRow => ({
  user_id: null,
  invitation_id: null,
  email: "",
  display_name: "",
  workspace_role: "client",
  two_factor_enabled: false,
  pending: false,
  since: "2026-11-30T09:00:00Z",
  roles: [],
  contact_of: "c1",
  ...over,
});

function handlers(over: Handlers = {}): Handlers {
  return {
    community_rows: (a) => (a.search ? rows.filter((r) => r.community.name.toLowerCase().includes(a.search!.toLowerCase())) : rows),
    usage: () => usage(2, 100),
    timezones: () => ["America/New_York", "Europe/Paris", "UTC"],
    region_choice: (a) => regions(a.plan),
    slug_hint: (a) => slugHint(a.name, a.slug),
    // The workspace has "acme-corp" and "globex" (the rows above).
    community_slug_hint: (a) => {
      const h = slugHint(a.name, a.slug);
      return !h.problem && rows.some((r) => r.community.slug === a.slug) ? { ...h, problem: `This workspace already has a community with slug "${a.slug}"; slugs are unique in a workspace, so choose another (such as ${a.slug}-2).` } : h;
    },
    email_problem: (a) => (a.email.includes("@") && a.email.includes(".") ? null : `"${a.email}" is not an email address; write it as name@domain.example.`),
    intakes: () => [] as Intake[],
    intake_kinds: () => [{ kind: "edr", label: "EDR" }, { kind: "firewall", label: "Firewall" }],
    workspace_modes: () => [mode(false)],
    members: () => ({ rows: [], total: 0 }),
    ...over,
  };
}

describe("CommunitiesView", () => {
  it("lists every community with its people, intakes, keys, region and time zone; search narrows it", async () => {
    const calls = ipc(handlers());
    renderInPane(<CommunitiesView />);
    const table = await screen.findByRole("table", { name: "Communities" });
    const acme = within(table).getByText("Acme Corp").closest("tr")!;
    expect([...acme.querySelectorAll("td")].map((td) => td.textContent)).toEqual(["Acme Corp", "acme-corp", "12", "3", "1", "eu-west", "Europe/Paris"]);
    expect(screen.getByTestId("communities-count").textContent).toBe("2 communities");
    fireEvent.change(screen.getByLabelText("Search communities"), { target: { value: "glo" } });
    await waitFor(() => expect(within(table).queryByText("Acme Corp")).toBeNull());
    expect(screen.getByTestId("communities-count").textContent).toBe("1 of 2 communities");
    expect(calls.some((c) => c.cmd === "community_rows" && c.args.search === "glo")).toBe(true);
  });

  it("creates a community with every identity field and another's roles, once every check has passed", async () => {
    const made = community("c3", "Initech", { slug: "initech-eu", timezone: "UTC", contact_email: "soc@initech.example", region: "us-east" });
    const calls = ipc(handlers({ create_community: () => made }));
    renderInPane(<CommunitiesView />);
    fireEvent.click(await screen.findByRole("button", { name: "New community…" }));
    const dialog = screen.getByRole("dialog", { name: "New community" });
    const create = within(dialog).getByRole("button", { name: "Create community" }) as HTMLButtonElement;
    fireEvent.change(within(dialog).getByLabelText("Community name"), { target: { value: "Initech" } });
    fireEvent.change(within(dialog).getByLabelText("Community slug"), { target: { value: "Initech_EU" } });
    expect(await within(dialog).findByText(/uses a character a slug may not have/)).toBeTruthy();
    fireEvent.change(within(dialog).getByLabelText("Community slug"), { target: { value: "globex" } });
    expect(await within(dialog).findByText(/already has a community with slug "globex"/)).toBeTruthy();
    expect(create.disabled).toBe(true);
    expect(calls.some((c) => c.cmd === "community_slug_hint" && c.args.workspaceId === "ws-1" && c.args.slug === "globex")).toBe(true);
    fireEvent.change(within(dialog).getByLabelText("Community slug"), { target: { value: "initech-eu" } });
    fireEvent.change(within(dialog).getByLabelText("Time zone"), { target: { value: "Mars/Olympus" } });
    expect(await within(dialog).findByText(/not an IANA time zone of the list/)).toBeTruthy();
    fireEvent.change(within(dialog).getByLabelText("Time zone"), { target: { value: "UTC" } });
    fireEvent.change(within(dialog).getByLabelText("Primary contact email"), { target: { value: "soc@initech" } });
    expect(await within(dialog).findByText(/not an email address/)).toBeTruthy();
    expect(create.disabled).toBe(true);
    fireEvent.change(within(dialog).getByLabelText("Primary contact email"), { target: { value: "soc@initech.example" } });
    fireEvent.change(within(dialog).getByLabelText("Data residency region"), { target: { value: "us-east" } });
    fireEvent.change(within(dialog).getByLabelText("Copy role assignments from"), { target: { value: "c1" } });
    expect(within(dialog).getByRole("status").textContent).toContain("role assignments of 12 people in Acme Corp");
    await waitFor(() => expect(create.disabled).toBe(false));
    fireEvent.click(create);
    await waitFor(() => expect(calls.some((c) => c.cmd === "create_community")).toBe(true));
    expect(calls.find((c) => c.cmd === "create_community")!.args).toEqual({
      account: expect.any(String),
      workspaceId: "ws-1",
      req: { name: "Initech", slug: "initech-eu", timezone: "UTC", contact_email: "soc@initech.example", region: "us-east", copy_roles_from: "c1" },
    });
  });

  it("explains the plan's limits before anything is sent: communities and regions", async () => {
    ipc(handlers({ usage: () => usage(5, 5) }));
    renderInPane(<CommunitiesView />, { ws: { ...workspace, plan: "starter" } });
    const add = (await screen.findByRole("button", { name: "New community…" })) as HTMLButtonElement;
    await waitFor(() => expect(add.disabled).toBe(true));
    expect(screen.getByRole("note").textContent).toContain("allows 5 communities and this workspace has 5");
    cleanup();
    ipc(handlers());
    renderInPane(<CommunitiesView />, { ws: { ...workspace, plan: "free" } });
    fireEvent.click(await screen.findByRole("button", { name: "New community…" }));
    const region = within(screen.getByRole("dialog")).getByLabelText("Data residency region") as HTMLSelectElement;
    await waitFor(() => expect(region.options.length).toBe(2));
    const us = [...region.options].find((o) => o.value === "us-east")!;
    expect([us.disabled, us.textContent]).toEqual([true, "US East — needs the starter plan"]);
    expect(screen.getByText(/the starter plan and higher offer every region/)).toBeTruthy();
  });

  it("switches the client portal on, with the team shown only once the portal is", async () => {
    const calls = ipc(handlers({ intakes: () => [], update_community: () => ({ ...rows[0].community, version: 2 }) }));
    renderInPane(<CommunitiesView />, { guard: async () => true });
    fireEvent.click(within(await screen.findByRole("table", { name: "Communities" })).getByText("Acme Corp"));
    const panel = screen.getByRole("complementary", { name: "Community details" });
    const enable = within(panel).getByLabelText(/contacts sign in and see Acme Corp's overview/) as HTMLInputElement;
    const team = within(panel).getByLabelText(/Show them the people who work on Acme Corp/) as HTMLInputElement;
    expect([enable.checked, team.checked, team.disabled]).toEqual([false, false, true]);
    const save = within(panel).getByRole("button", { name: "Save changes" }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    fireEvent.click(enable);
    expect(team.disabled).toBe(false);
    fireEvent.click(team);
    await waitFor(() => expect(save.disabled).toBe(false));
    fireEvent.click(save);
    await waitFor(() =>
      expect(calls.find((c) => c.cmd === "update_community")?.args).toMatchObject({ communityId: "c1", req: { name: null, portal: { enabled: true, show_team: true } } }),
    );
    // Switching the portal off takes the team with it.
    fireEvent.click(enable);
    expect([enable.checked, team.checked, team.disabled]).toEqual([false, false, true]);
  });

  it("edits a community with its slug fixed, and manages its intakes with a confirmation to remove one", async () => {
    let intakes: Intake[] = [{ id: "i1", workspace_id: "ws-1", community_id: "c1", name: "CrowdStrike", kind: "edr", created_at: "2026-01-01T00:00:00Z" }];
    const calls = ipc(
      handlers({
        intakes: () => intakes,
        update_community: (a) => ({ ...rows[0].community, name: a.req.name ?? rows[0].community.name, version: 2 }),
        create_intake: (a) => {
          const i: Intake = { id: "i2", workspace_id: "ws-1", community_id: "c1", name: a.req.name, kind: a.req.kind, created_at: "2026-01-02T00:00:00Z" };
          intakes = [...intakes, i];
          return i;
        },
        delete_intake: () => refuse({ code: "conflict", message: "Restricted roles are scoped to this intake (EDR only). Remove it from those roles first.", problem: "conflict" }),
      }),
    );
    renderInPane(<CommunitiesView />, { guard: async () => true });
    fireEvent.click(within(await screen.findByRole("table", { name: "Communities" })).getByText("Acme Corp"));
    const panel = screen.getByRole("complementary", { name: "Community details" });
    expect((within(panel).getByLabelText("Community slug") as HTMLInputElement).readOnly).toBe(true);
    fireEvent.change(within(panel).getByLabelText("Community name"), { target: { value: "Acme Corporation" } });
    const save = within(panel).getByRole("button", { name: "Save changes" }) as HTMLButtonElement;
    await waitFor(() => expect(save.disabled).toBe(false));
    fireEvent.click(save);
    await waitFor(() => expect(calls.find((c) => c.cmd === "update_community")?.args).toMatchObject({ communityId: "c1", version: 1, req: { name: "Acme Corporation", timezone: null, region: null, portal: null } }));
    // Left out (undefined, which JSON drops): the contact stays as it is.
    expect((calls.find((c) => c.cmd === "update_community")!.args.req as { contact_email?: unknown }).contact_email).toBeUndefined();

    expect(await within(panel).findByText("CrowdStrike")).toBeTruthy();
    fireEvent.change(within(panel).getByLabelText("Kind of the new intake"), { target: { value: "firewall" } });
    fireEvent.change(within(panel).getByLabelText("Name of the new intake"), { target: { value: "Palo Alto" } });
    fireEvent.click(within(panel).getByRole("button", { name: "Add intake" }));
    await waitFor(() => expect(calls.find((c) => c.cmd === "create_intake")?.args).toMatchObject({ communityId: "c1", req: { name: "Palo Alto", kind: "firewall" } }));
    expect(await within(panel).findByText("Palo Alto")).toBeTruthy();

    fireEvent.click(within(panel).getByRole("button", { name: "Remove CrowdStrike" }));
    const confirm = screen.getByRole("dialog", { name: "Remove CrowdStrike?" });
    expect(document.activeElement).toBe(within(confirm).getByRole("button", { name: "Cancel" }));
    fireEvent.click(within(confirm).getByRole("button", { name: "Remove intake" }));
    expect((await within(confirm).findByRole("alert")).textContent).toContain("Restricted roles are scoped to this intake");
  });

  it("invites a client contact once the portal is on, and lists the community's contacts apart with their removal", async () => {
    const enabled = { ...rows[0], community: { ...rows[0].community, settings: { ...rows[0].community.settings!, portal: { enabled: true, show_team: false } } } };
    const contacts = [
      contactRow({ user_id: "u-9", email: "cto@acme.example", display_name: "Acme CTO" }),
      contactRow({ invitation_id: "inv-7", email: "ciso@acme.example", pending: true }),
      contactRow({ user_id: "u-8", email: "someone@globex.example", contact_of: "c2" }),
    ];
    const calls = ipc(
      handlers({
        community_rows: () => [enabled, rows[1]],
        members: () => ({ rows: contacts, total: contacts.length }),
        invite_contact: (a) => ({ id: "inv-8", workspace_id: "ws-1", email: a.req.email, workspace_role: "client", assignments: [], contact_of: a.communityId, invited_by: "u-0", created_at: "2026-12-01T00:00:00Z", expires_at: "2026-12-08T00:00:00Z", status: "pending" }),
        remove_member: () => null,
      }),
    );
    renderInPane(<CommunitiesView />);
    fireEvent.click(within(await screen.findByRole("table", { name: "Communities" })).getByText("Acme Corp"));
    const panel = screen.getByRole("complementary", { name: "Community details" });
    const list = await within(panel).findByRole("list", { name: "Client contacts of Acme Corp" });
    // Acme's contacts only: the member and the pending invitation, not Globex's contact.
    expect(within(list).getAllByRole("listitem").map((li) => li.textContent)).toEqual([expect.stringContaining("Acme CTO"), expect.stringContaining("ciso@acme.example")]);
    expect(calls.find((c) => c.cmd === "members")!.args.query).toMatchObject({ workspace_role: "client" });
    const form = within(panel).getByRole("form", { name: "Invite a client contact of Acme Corp" });
    const send = within(form).getByRole("button", { name: "Invite contact" }) as HTMLButtonElement;
    fireEvent.change(within(form).getByLabelText("Contact's email"), { target: { value: "it@acme" } });
    expect(await within(panel).findByText(/not an email address/)).toBeTruthy();
    expect(send.disabled).toBe(true);
    fireEvent.change(within(form).getByLabelText("Contact's email"), { target: { value: "it@acme.example" } });
    await waitFor(() => expect(send.disabled).toBe(false));
    fireEvent.click(send);
    expect((await within(panel).findByRole("status")).textContent).toContain("Invitation sent to it@acme.example");
    expect(calls.find((c) => c.cmd === "invite_contact")!.args).toEqual({ account: expect.any(String), workspaceId: "ws-1", communityId: "c1", req: { email: "it@acme.example" } });
    fireEvent.click(within(within(list).getAllByRole("listitem")[0]).getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(calls.some((c) => c.cmd === "remove_member" && c.args.userId === "u-9")).toBe(true));
  });

  it("tells why no contact can be invited: the portal is off, or the person is no workspace admin", async () => {
    const calls = ipc(handlers());
    renderInPane(<CommunitiesView />);
    fireEvent.click(within(await screen.findByRole("table", { name: "Communities" })).getByText("Acme Corp"));
    const panel = screen.getByRole("complementary", { name: "Community details" });
    expect(await within(panel).findByText(/Enable the client portal above to invite Acme Corp's contacts/)).toBeTruthy();
    expect(within(panel).queryByRole("form", { name: /Invite a client contact/ })).toBeNull();
    cleanup();
    const enabled = { ...rows[0], community: { ...rows[0].community, settings: { ...rows[0].community.settings!, portal: { enabled: true, show_team: true } } } };
    const asMember = ipc(handlers({ community_rows: () => [enabled], workspace_modes: () => [mode(true)] }));
    renderInPane(<CommunitiesView />);
    fireEvent.click(within(await screen.findByRole("table", { name: "Communities" })).getByText("Acme Corp"));
    expect(await screen.findByText(/invited and managed by the workspace's admins and owners/)).toBeTruthy();
    expect(asMember.some((c) => c.cmd === "members")).toBe(false);
    expect(calls.some((c) => c.cmd === "invite_contact")).toBe(false);
  });
});
