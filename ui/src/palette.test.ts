import { describe, expect, it } from "vitest";
import { fuzzyScore, itemId, searchPalette, visit, type PaletteItem } from "./palette";
import { describe as describeKey, HOTKEYS, matches } from "./hotkeys";

const ws = (id: string, label: string, detail = ""): PaletteItem => ({ key: `workspace:${id}`, label, detail, kind: "workspace" });

describe("fuzzyScore", () => {
  it("refuses text missing a letter or with letters out of order", () => {
    expect(fuzzyScore("nwz", "Northwind Security")).toBeNull();
    expect(fuzzyScore("dn", "Northwind")).toBeNull();
  });
  it("ranks a prefix over a word start over scattered letters", () => {
    const prefix = fuzzyScore("nor", "Northwind Security")!;
    const wordStart = fuzzyScore("sec", "Northwind Security")!;
    const scattered = fuzzyScore("nrt", "Northwind Security")!;
    expect(prefix).toBeGreaterThan(wordStart);
    expect(wordStart).toBeGreaterThan(scattered);
  });
  it("is case-insensitive and ignores spaces in the query", () => {
    expect(fuzzyScore("ACME corp", "acme-corp")).not.toBeNull();
  });
});

describe("searchPalette", () => {
  const items = [ws("1", "Northwind Security", "northwind-mssp"), ws("2", "Sentinel Shield MSSP", "sentinel-shield"), ws("3", "Globex Corporation", "globex")];

  it("finds by label or detail, best first", () => {
    expect(searchPalette(items, "sent", [], []).map((r) => r.key)).toEqual(["workspace:2"]);
    expect(searchPalette(items, "globex", [], [])[0].key).toBe("workspace:3");
    expect(searchPalette(items, "mssp", [], []).map((r) => r.key).sort()).toEqual(["workspace:1", "workspace:2"]);
    expect(searchPalette(items, "zzz", [], [])).toEqual([]);
  });

  it("lifts favourites and recents among equal matches", () => {
    const twins = [ws("a", "Acme Prod"), ws("b", "Acme Prod")];
    expect(searchPalette(twins, "acme", ["workspace:b"], [])[0].key).toBe("workspace:b");
    expect(searchPalette(twins, "acme", [], ["workspace:b"])[0].key).toBe("workspace:b");
  });

  it("shows recents then favourites for an empty query, skipping unknown keys", () => {
    const r = searchPalette(items, "", ["workspace:3", "workspace:1"], ["workspace:1", "workspace:gone", "workspace:2"]);
    expect(r.map((x) => x.key)).toEqual(["workspace:1", "workspace:2", "workspace:3"]);
    expect(r[0].favourite && r[0].recent).toBe(true);
  });

  it("caps the list", () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({ key: `community:${i}`, label: `Client ${i}`, detail: "Titan MSSP", kind: "community" as const }));
    expect(searchPalette(many, "client 99", [], [], 50)).toHaveLength(50);
    expect(searchPalette(many, "client 9999", [], [], 50)[0].key).toBe("community:9999");
  });
});

describe("searchPalette across accounts", () => {
  const ann = "ann@x.test @ http://127.0.0.1:1";
  const ops = "ann@x.test @ http://127.0.0.1:2";
  const of = (account: string, it: PaletteItem): PaletteItem => ({ ...it, account });
  const person = (account: string, id: string, name: string, email: string): PaletteItem => ({ key: `person:${id}:ws`, label: name, alt: email, detail: "Northwind · member", kind: "person", account });
  const items = [
    of(ann, ws("1", "Northwind Security")),
    of(ops, ws("1", "Northwind Security")),
    of(ops, ws("9", "Globex")),
    person(ops, "u1", "Zoe Xu", "zoe.xu@globex.test"),
    person(ann, "u2", "Zed Ovitz", "zed@northwind.test"),
  ];

  it("finds a person by part of their email as well as by name, in any account", () => {
    expect(searchPalette(items, "zoe.xu", [], []).map(itemId)).toEqual([`${ops}|person:u1:ws`]);
    expect(searchPalette(items, "zoe", [], [])[0].label).toBe("Zoe Xu");
    expect(searchPalette(items, "globex.test", [], [])[0].kind).toBe("person");
  });

  it("keeps one item per account and lifts the focused pane's account among equals", () => {
    const both = searchPalette(items, "northwind", [], [], 50, ops).filter((r) => r.kind === "workspace");
    expect(both.map((r) => r.account)).toEqual([ops, ann]);
    expect(searchPalette(items, "northwind", [], [], 50, ann).filter((r) => r.kind === "workspace")[0].account).toBe(ann);
    // A better match elsewhere still wins over a weaker one here.
    expect(searchPalette(items, "zoe", [], [], 50, ann)[0].account).toBe(ops);
  });

  it("pins and remembers an item of one account without the other's twin", () => {
    const pinned = searchPalette(items, "northwind", [`${ann}|workspace:1`], [], 50, ops);
    expect(pinned[0].account).toBe(ann);
    expect(pinned.find((r) => r.account === ops)?.favourite).toBe(false);
    const recent = searchPalette(items, "", [], [`${ops}|workspace:9`, "workspace:1"], 50, ann);
    // A bare key saved before accounts were told apart resolves in the focused account.
    expect(recent.map(itemId)).toEqual([`${ops}|workspace:9`, `${ann}|workspace:1`]);
  });
});

describe("recents", () => {
  it("moves a visit to the front without duplicates, capped", () => {
    expect(visit(["a", "b", "c"], "b")).toEqual(["b", "a", "c"]);
    expect(visit(["a", "b"], "c", 2)).toEqual(["c", "a"]);
  });
});

describe("hotkeys", () => {
  const key = (k: string, o: Partial<KeyboardEvent> = {}) => ({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...o });
  it("Ctrl+K and Cmd+K open the palette, K alone does not", () => {
    expect(matches(key("k", { ctrlKey: true }), HOTKEYS.palette)).toBe(true);
    expect(matches(key("K", { metaKey: true }), HOTKEYS.palette)).toBe(true);
    expect(matches(key("k"), HOTKEYS.palette)).toBe(false);
    expect(matches(key("k", { ctrlKey: true, shiftKey: true }), HOTKEYS.palette)).toBe(false);
  });
  it("Alt+digit switches views by the physical key, whatever character the layout types", () => {
    expect(matches({ ...key("¡", { altKey: true }), code: "Digit1" }, HOTKEYS.tabOverview)).toBe(true);
    expect(matches({ ...key("2", { altKey: true }), code: "Digit2" }, HOTKEYS.tabOverview)).toBe(false);
    expect(matches(key("1"), HOTKEYS.tabOverview)).toBe(false);
  });
  it("? opens the help whether or not Shift is reported", () => {
    expect(matches(key("?", { shiftKey: true }), HOTKEYS.help)).toBe(true);
    expect(matches(key("?"), HOTKEYS.help)).toBe(true);
  });
  it("every shortcut is distinct and described", () => {
    const seen = new Set(Object.values(HOTKEYS).map((h) => describeKey(h)));
    expect(seen.size).toBe(Object.keys(HOTKEYS).length);
    expect(describeKey(HOTKEYS.sync)).toBe("Ctrl+Shift+R");
  });
});
