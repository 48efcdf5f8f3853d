// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { GLOSSARY } from "../test/catalogue";
import { ipc, renderInPane } from "../test/render";
import { GlossaryHint, Term } from "./Glossary";
import { Hint, HINT_DELAY_MS } from "./Hint";
import { Dialog } from "./kit";

afterEach(cleanup);

const pause = (ms = HINT_DELAY_MS + 50) => act(() => new Promise((r) => setTimeout(r, ms)));

/** A shortcut hint on a button that opens a dialog, as in the members view. */
function Invite() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Hint text="Invite members Alt+I">
        <button type="button" aria-keyshortcuts="Alt+I" onClick={() => setOpen(true)}>
          Invite…
        </button>
      </Hint>
      <button type="button">Elsewhere</button>
      {open && (
        <Dialog title="Invite people" onClose={() => setOpen(false)}>
          <input aria-label="Email" />
        </Dialog>
      )}
    </>
  );
}

describe("Hint", () => {
  it("shows after a pause on hover, keeps aria-keyshortcuts, and goes when the pointer leaves", async () => {
    render(<Invite />);
    const button = screen.getByRole("button", { name: "Invite…" });
    fireEvent.pointerEnter(button);
    // Not at once: a pointer passing over does not flash hints.
    expect(screen.queryByRole("tooltip")).toBeNull();
    await pause();
    const tip = screen.getByRole("tooltip");
    expect(tip.textContent).toBe("Invite members Alt+I");
    expect(button.getAttribute("aria-describedby")).toBe(tip.id);
    expect(button.getAttribute("aria-keyshortcuts")).toBe("Alt+I");
    expect(button.hasAttribute("title")).toBe(false);
    fireEvent.pointerLeave(button);
    expect(screen.queryByRole("tooltip")).toBeNull();
    expect(button.hasAttribute("aria-describedby")).toBe(false);
  });

  it("a press hides it, and the focus the press gives does not bring it back", async () => {
    render(<Invite />);
    const button = screen.getByRole("button", { name: "Invite…" });
    fireEvent.pointerEnter(button);
    await pause();
    expect(screen.getByRole("tooltip")).toBeTruthy();
    fireEvent.pointerDown(button);
    act(() => button.focus());
    await pause();
    expect(screen.queryByRole("tooltip")).toBeNull();
    // Once the pointer has left and come back, it shows again.
    fireEvent.pointerLeave(button);
    fireEvent.pointerEnter(button);
    await pause();
    expect(screen.getByRole("tooltip")).toBeTruthy();
  });

  it("a pointer that leaves before the pause shows nothing", async () => {
    render(<Invite />);
    const button = screen.getByRole("button", { name: "Invite…" });
    fireEvent.pointerEnter(button);
    fireEvent.pointerLeave(button);
    await pause();
    expect(screen.queryByRole("tooltip")).toBeNull();
  });

  it("shows on keyboard focus and hides on blur, Escape and scroll", async () => {
    render(<Invite />);
    const button = screen.getByRole("button", { name: "Invite…" });
    act(() => button.focus());
    await pause();
    expect(screen.getByRole("tooltip")).toBeTruthy();
    act(() => screen.getByRole("button", { name: "Elsewhere" }).focus());
    expect(screen.queryByRole("tooltip")).toBeNull();

    act(() => button.focus());
    await pause();
    const escape = fireEvent.keyDown(button, { key: "Escape" });
    expect(screen.queryByRole("tooltip")).toBeNull();
    // The Escape was the hint's: nothing behind it (a panel) also acts on it.
    expect(escape).toBe(false);

    act(() => button.blur());
    act(() => button.focus());
    await pause();
    fireEvent.scroll(window);
    expect(screen.queryByRole("tooltip")).toBeNull();
  });

  it("goes away when a dialog opens, and does not show under one", async () => {
    render(<Invite />);
    const button = screen.getByRole("button", { name: "Invite…" });
    fireEvent.pointerEnter(button);
    await pause();
    expect(screen.getByRole("tooltip")).toBeTruthy();
    fireEvent.click(button);
    expect(screen.getByRole("dialog", { name: "Invite people" })).toBeTruthy();
    expect(screen.queryByRole("tooltip")).toBeNull();
    // Still under the pointer, with the dialog open: no hint over it.
    fireEvent.pointerLeave(button);
    fireEvent.pointerEnter(button);
    await pause();
    expect(screen.queryByRole("tooltip")).toBeNull();
  });

  it("goes away when a dialog that is not the kit's appears (the palette)", async () => {
    function WithPalette() {
      const [open, setOpen] = useState(false);
      return (
        <>
          <Hint text="Sync now">
            <button type="button" onClick={() => setTimeout(() => setOpen(true), 0)}>Sync</button>
          </Hint>
          {open && <div role="dialog" aria-label="Command palette" />}
        </>
      );
    }
    render(<WithPalette />);
    const button = screen.getByRole("button", { name: "Sync" });
    act(() => button.focus());
    await pause();
    expect(screen.getByRole("tooltip")).toBeTruthy();
    // A keyboard click (no pointer press), opening the dialog a moment later.
    fireEvent.click(button);
    await pause(20);
    expect(screen.getByRole("dialog", { name: "Command palette" })).toBeTruthy();
    expect(screen.queryByRole("tooltip")).toBeNull();
  });
});

describe("Glossary", () => {
  it("a word is a focusable button whose hint is Rust's sentence; Escape hides it", async () => {
    ipc({ glossary: () => GLOSSARY });
    renderInPane(
      <p>
        Assigned as <Term topic="assignment_type" term="escalation" />
      </p>,
    );
    const word = await screen.findByRole("button", { name: "escalation" });
    act(() => word.focus());
    const tip = await screen.findByRole("tooltip");
    const entry = GLOSSARY.find((e) => e.topic === "assignment_type" && e.term === "escalation")!;
    expect(tip.textContent).toBe(`${entry.label}: ${entry.explain}`);
    fireEvent.keyDown(word, { key: "Escape" });
    expect(screen.queryByRole("tooltip")).toBeNull();
    // A click shows it at once and a second click hides it.
    fireEvent.click(word);
    expect(screen.getByRole("tooltip")).toBeTruthy();
    fireEvent.click(word);
    expect(screen.queryByRole("tooltip")).toBeNull();
  });

  it("a “?” explains every kind of role; a word the glossary lacks is plain text", async () => {
    ipc({ glossary: () => GLOSSARY });
    renderInPane(
      <>
        <GlossaryHint topic="role_kind" />
        <Term topic="role_kind" term="legacy" />
      </>,
    );
    const q = await screen.findByRole("button", { name: "What the kinds of role mean" });
    fireEvent.click(q);
    const tip = screen.getByRole("tooltip");
    const kinds = GLOSSARY.filter((e) => e.topic === "role_kind");
    expect(kinds.length).toBeGreaterThanOrEqual(4);
    for (const k of kinds) expect(tip.textContent).toContain(k.explain);
    expect(screen.queryByRole("button", { name: "legacy" })).toBeNull();
    expect(screen.getByText("legacy")).toBeTruthy();
  });
});
