import { describe, expect, it } from "vitest";
import type { Community } from "../bindings/Community";
import type { Role } from "../bindings/Role";
import { emailsIn, isEmail, keepRows, parseInvites, splitLine, type InviteContext } from "./inviteCsv";

const community = (id: string, name: string, slug: string): Community => ({
  id,
  workspace_id: "ws-1",
  slug,
  name,
  timezone: "UTC",
  contact_email: null,
  region: "eu-west",
  created_at: "2026-01-01T00:00:00Z",
  version: 1,
});
const role = (id: string, name: string, builtin: Role["builtin"] = null): Role => ({
  id,
  workspace_id: "ws-1",
  name,
  kind: builtin ? "builtin" : "custom",
  builtin,
  description: "",
  permissions: [],
  intake_scope: [],
  created_at: "2026-01-01T00:00:00Z",
  version: 1,
});

const ctx = (over: Partial<InviteContext> = {}): InviteContext => ({
  communities: [community("c-acme", "Acme Corp", "acme"), community("c-glob", "Globex", "globex")],
  roles: [role("r-an", "Analyst", "analyst"), role("r-gu", "Guest", "guest"), role("r-edr", "EDR only")],
  members: new Set(),
  invited: new Set(),
  seatsLeft: null,
  plan: "pro",
  assignmentType: "dedicated",
  ...over,
});

describe("isEmail", () => {
  it("follows the server's shape rule", () => {
    expect(isEmail("ann@example.test")).toBe(true);
    expect(isEmail("Ann.B+x@Sub.Example.test")).toBe(true);
    expect(isEmail("bob@")).toBe(false);
    expect(isEmail("bob@localhost")).toBe(false);
    expect(isEmail(".bob@example.test")).toBe(false);
    expect(isEmail("bob@-ex.test")).toBe(false);
    expect(isEmail("bob smith@example.test")).toBe(false);
  });
});

describe("splitLine", () => {
  it("keeps separators inside quotes and trims cells", () => {
    expect(splitLine(' a@x.test , admin ,"Acme, Inc." , "Say ""hi"""', ",")).toEqual(["a@x.test", "admin", "Acme, Inc.", 'Say "hi"']);
  });
});

describe("parseInvites", () => {
  it("turns each line into an invitation, resolving community by name or slug and role by name, case-insensitively", () => {
    const p = parseInvites("Ann@Example.test\nbob@example.test,admin\ncarl@example.test,,ACME,analyst\ndora@example.test,member,globex corp,guest\neve@example.test,Owner,Globex,edr ONLY", ctx({ communities: [community("c-acme", "Acme Corp", "acme"), community("c-glob", "Globex Corp", "globex")] }));
    expect(p.header).toBe(false);
    expect(p.errorCount).toBe(0);
    expect(p.valid).toBe(5);
    expect(p.rows.map((r) => r.invitation)).toEqual([
      { email: "ann@example.test", workspace_role: "member", assignments: [] },
      { email: "bob@example.test", workspace_role: "admin", assignments: [] },
      { email: "carl@example.test", workspace_role: "member", assignments: [{ community_id: "c-acme", role_id: "r-an", assignment_type: "dedicated" }] },
      { email: "dora@example.test", workspace_role: "member", assignments: [{ community_id: "c-glob", role_id: "r-gu", assignment_type: "dedicated" }] },
      { email: "eve@example.test", workspace_role: "owner", assignments: [{ community_id: "c-glob", role_id: "r-edr", assignment_type: "dedicated" }] },
    ]);
    expect(p.rows[2].grant).toBe("Analyst in Acme Corp");
  });

  it("detects and skips a header row, and numbers rows as lines of the paste", () => {
    const p = parseInvites("email,workspace_role,community,role\nann@example.test,admin,Acme Corp,Guest\n\nbob@", ctx());
    expect(p.header).toBe(true);
    expect(p.rows.map((r) => r.row)).toEqual([2, 4]);
    expect(p.rows[1].errors).toEqual(["row 4: “bob@” is not an email address; write it as name@domain.example."]);
  });

  it("does not take a first line with an address for a header", () => {
    const p = parseInvites("ann@example.test,admin", ctx());
    expect(p.header).toBe(false);
    expect(p.rows).toHaveLength(1);
  });

  it("reads tab-separated text pasted from a spreadsheet, and semicolons", () => {
    expect(parseInvites("ann@example.test\tadmin\tacme\tGuest", ctx()).rows[0].invitation?.assignments).toHaveLength(1);
    expect(parseInvites("ann@example.test;admin;acme;Guest", ctx()).rows[0].invitation?.workspace_role).toBe("admin");
  });

  it("explains unknown communities, roles and workspace roles, and half-given community roles", () => {
    const p = parseInvites(
      ["a@example.test,,Initech,Analyst", "b@example.test,,Acme Corp,Janitor", "c@example.test,boss", "d@example.test,,Acme Corp", "e@example.test,,,Guest", "f@example.test,,acme,Guest,extra"].join("\n"),
      ctx(),
    );
    expect(p.rows.map((r) => r.errors)).toEqual([
      ["row 1: no community named “Initech” in this workspace."],
      ["row 2: no role named “Janitor” in this workspace."],
      ["row 3: “boss” is not a workspace role; use member, admin or owner (or leave it empty for member)."],
      ["row 4: give both a community and a community role, or neither."],
      ["row 5: give both a community and a community role, or neither."],
      ["row 6: too many columns; expected email, workspace role, community, role."],
    ]);
    expect(p.valid).toBe(0);
    expect(p.errorCount).toBe(6);
  });

  it("asks for the slug when two communities share a name", () => {
    const p = parseInvites("a@example.test,,Twin,Guest\nb@example.test,,twin-2,Guest", ctx({ communities: [community("c1", "Twin", "twin-1"), community("c2", "Twin", "twin-2")] }));
    expect(p.rows[0].errors).toEqual(["row 1: several communities are named “Twin”; use the community's slug instead."]);
    expect(p.rows[1].invitation?.assignments[0].community_id).toBe("c2");
  });

  it("flags duplicates within the paste, whatever the case", () => {
    const p = parseInvites("ann@example.test\nbob@example.test\nANN@example.test,admin", ctx());
    expect(p.rows[2].errors).toEqual(["row 3: ann@example.test is already on row 1; keep one row per person."]);
    expect(p.rows[0].errors).toEqual([]);
  });

  it("flags people who are already members or already invited", () => {
    const p = parseInvites("ann@example.test\nbob@example.test\ncarl@example.test", ctx({ members: new Set(["ann@example.test"]), invited: new Set(["bob@example.test"]) }));
    expect(p.rows.map((r) => r.errors)).toEqual([
      ["row 1: ann@example.test is already a member of this workspace; change their roles instead."],
      ["row 2: bob@example.test already has a pending invitation; revoke it first to send a new one."],
      [],
    ]);
  });

  it("stops at the plan's seats, counting only rows that would be sent", () => {
    const p = parseInvites("a@example.test\nbad\nb@example.test\nc@example.test", ctx({ seatsLeft: 2 }));
    expect(p.rows.map((r) => r.errors.length)).toEqual([0, 1, 0, 1]);
    expect(p.rows[3].errors[0]).toBe("row 4: no seat left on the pro plan (2 left for members and pending invitations); remove rows or change the plan.");
  });

  it("gives every error of a row, not only the first", () => {
    const p = parseInvites("nope,boss,Nowhere,Nobody", ctx());
    expect(p.rows[0].errors).toHaveLength(4);
  });

  it("uses the chosen assignment type", () => {
    const p = parseInvites("a@example.test,,acme,guest", ctx({ assignmentType: "pool" }));
    expect(p.rows[0].invitation?.assignments[0].assignment_type).toBe("pool");
  });
});

describe("emailsIn and keepRows", () => {
  it("lists the valid addresses to look up, lower-cased and once", () => {
    expect(emailsIn("email\nAnn@example.test,admin\nbob@\nann@example.test")).toEqual(["ann@example.test"]);
  });
  it("keeps the header and the chosen rows", () => {
    expect(keepRows("email,role\na@example.test\nb@example.test\nc@example.test", new Set([3]))).toBe("email,role\nb@example.test");
    expect(keepRows("a@example.test\nb@example.test", new Set([2]))).toBe("b@example.test");
  });
});
