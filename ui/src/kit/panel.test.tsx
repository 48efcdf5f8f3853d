// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PanelFrame } from "./PanelFrame";

afterEach(cleanup);

function Pane(props: { focused: boolean; onClose: () => void }) {
  return (
    <section className={props.focused ? "pane focused" : "pane"}>
      <button type="button">A row</button>
      <input aria-label="Search" />
      <PanelFrame label="Member details" onClose={props.onClose}>
        <input aria-label="Inside" />
      </PanelFrame>
    </section>
  );
}

describe("PanelFrame", () => {
  it("closes on Escape from anywhere in its pane, but a field outside it keeps its Escape", () => {
    const onClose = vi.fn();
    render(<Pane focused onClose={onClose} />);
    fireEvent.keyDown(screen.getByText("A row"), { key: "Escape" });
    expect(onClose).toHaveBeenCalledTimes(1);
    fireEvent.keyDown(screen.getByLabelText("Search"), { key: "Escape" });
    expect(onClose).toHaveBeenCalledTimes(1);
    fireEvent.keyDown(screen.getByLabelText("Inside"), { key: "Escape" });
    expect(onClose).toHaveBeenCalledTimes(2);
  });

  it("with panes side by side, only the focused pane's panel closes", () => {
    const onClose = vi.fn();
    render(<Pane focused={false} onClose={onClose} />);
    fireEvent.keyDown(screen.getByText("A row"), { key: "Escape" });
    expect(onClose).not.toHaveBeenCalled();
  });
});
