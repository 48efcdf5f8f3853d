// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { useProductionGuard, type GuardOptions } from "./Confirm";

afterEach(cleanup);

/** A button that asks before "revoke the key", and records the answer. */
function Harness(props: { production: boolean; opts?: GuardOptions; answers: boolean[] }) {
  const { guard, dialog } = useProductionGuard("Acme Prod", props.production);
  return (
    <>
      <button type="button" onClick={async () => props.answers.push(await guard("revoke the key tk_3f of Acme", props.opts))}>
        Revoke
      </button>
      {dialog}
    </>
  );
}

async function flush() {
  await act(async () => {});
}

describe("destructive changes ask first", () => {
  it("names what goes and what follows, with focus on Cancel: Enter there and Escape both cancel", async () => {
    const answers: boolean[] = [];
    render(<Harness production={false} opts={{ consequence: "Integrations using it stop at once." }} answers={answers} />);
    fireEvent.click(screen.getByText("Revoke"));
    const dialog = await screen.findByRole("dialog", { name: "Revoke the key tk_3f of Acme?" });
    expect(dialog.textContent).toContain("Integrations using it stop at once.");
    expect(document.activeElement?.textContent).toBe("Cancel");
    // Enter on the focused Cancel is a click on Cancel.
    fireEvent.click(document.activeElement!);
    await flush();
    expect(answers).toEqual([false]);
    fireEvent.click(screen.getByText("Revoke"));
    await screen.findByRole("dialog");
    fireEvent.keyDown(document.activeElement!, { key: "Escape" });
    await flush();
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(answers).toEqual([false, false]);
    fireEvent.click(screen.getByText("Revoke"));
    fireEvent.click(await screen.findByRole("button", { name: "Yes, revoke the key tk_3f of Acme" }));
    await flush();
    expect(answers).toEqual([false, false, true]);
  });

  it("on a production workspace, asks for the workspace's name to be typed", async () => {
    const answers: boolean[] = [];
    render(<Harness production answers={answers} />);
    fireEvent.click(screen.getByText("Revoke"));
    const yes = (await screen.findByRole("button", { name: "Yes, revoke the key tk_3f of Acme" })) as HTMLButtonElement;
    const typed = screen.getByLabelText(/Type Acme Prod to confirm/) as HTMLInputElement;
    expect(document.activeElement).toBe(typed);
    expect(yes.disabled).toBe(true);
    fireEvent.change(typed, { target: { value: "Acme" } });
    expect(yes.disabled).toBe(true);
    fireEvent.change(typed, { target: { value: "Acme Prod" } });
    expect(yes.disabled).toBe(false);
    fireEvent.click(yes);
    await flush();
    expect(answers).toEqual([true]);
  });

  it("a change with an Undo asks only on production", async () => {
    const answers: boolean[] = [];
    render(<Harness production={false} opts={{ productionOnly: true }} answers={answers} />);
    fireEvent.click(screen.getByText("Revoke"));
    await flush();
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(answers).toEqual([true]);
  });
});
