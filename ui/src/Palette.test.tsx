// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Palette } from "./Palette";
import type { PaletteItem } from "./palette";

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const ann = "ann@x.test @ http://127.0.0.1:1";
const ops = "ann@x.test @ http://127.0.0.1:2";
const items: PaletteItem[] = [{ key: "workspace:1", label: "Northwind Security", detail: "northwind", kind: "workspace", account: ann, where: "Acme production" }];

describe("the palette", () => {
  it("asks every account for people once typing pauses, and opens the one picked with its account", async () => {
    vi.useFakeTimers();
    const asked: string[] = [];
    const picked: PaletteItem[] = [];
    const findPeople = async (q: string): Promise<PaletteItem[]> => {
      asked.push(q);
      return [{ key: "person:u1:ws9", label: "Zoe Xu", alt: "zoe.xu@globex.test", detail: "Globex · member", kind: "person", account: ops, where: "ann@x.test · 127.0.0.1:2" }];
    };
    render(<Palette items={items} findPeople={findPeople} here={ann} manyAccounts favourites={[]} recents={[]} onPick={(i) => picked.push(i)} onToggleFavourite={() => {}} onClose={() => {}} />);
    const input = screen.getByRole("textbox", { name: "Go to a workspace, community or person" });
    for (const q of ["z", "zo", "zoe.xu"]) fireEvent.change(input, { target: { value: q } });
    expect(screen.getByText("Searching people…")).toBeTruthy();
    await act(async () => {
      await vi.advanceTimersByTimeAsync(200);
    });
    expect(asked).toEqual(["zoe.xu"]);
    const option = screen.getByRole("option");
    expect(option.textContent).toContain("Zoe Xu");
    expect(option.textContent).toContain("zoe.xu@globex.test");
    expect(option.textContent).toContain("127.0.0.1:2");
    fireEvent.keyDown(input, { key: "Enter" });
    expect(picked.map((p) => [p.key, p.account])).toEqual([["person:u1:ws9", ops]]);
  });

  it("says nothing matches once the people search answered empty", async () => {
    vi.useFakeTimers();
    render(<Palette items={items} findPeople={async () => []} manyAccounts={false} favourites={[]} recents={[]} onPick={() => {}} onToggleFavourite={() => {}} onClose={() => {}} />);
    fireEvent.change(screen.getByRole("textbox"), { target: { value: "qqq" } });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(200);
    });
    expect(screen.getByText("Nothing matches “qqq”.")).toBeTruthy();
    fireEvent.change(screen.getByRole("textbox"), { target: { value: "north" } });
    // One account: results need not name it.
    expect(screen.getByRole("option").textContent).not.toContain("Acme production");
  });
});
