// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { QueryClientProvider } from "@tanstack/react-query";
import { afterEach, describe, expect, it } from "vitest";
import { accountName } from "../accounts";
import { newQueryClient } from "../query";
import { account, ipc } from "../test/render";
import { AccountsDialog } from "./Accounts";
import { IDLE } from "./sync";

afterEach(cleanup);

const twin = { ...account, key: "ann@example.test @ http://127.0.0.1:2", server: "http://127.0.0.1:2", last_sync_at: null };

describe("accounts", () => {
  it("are named by their label, else by email and server", () => {
    expect(accountName(account, {})).toBe("ann@example.test · 127.0.0.1:1");
    expect(accountName(account, { [account.key]: "Acme prod" })).toBe("Acme prod");
    expect(accountName(twin, { [account.key]: "Acme prod" })).toBe("ann@example.test · 127.0.0.1:2");
  });

  it("show a new account's first sync with its progress, and take a label", () => {
    ipc({ list_accounts: () => [account, twin] });
    const labelled: [string, string][] = [];
    render(
      <QueryClientProvider client={newQueryClient()}>
        <AccountsDialog
          accounts={[account, twin]}
          status={{ [twin.key]: { ...IDLE, syncing: true, progress: { done: 1500, total: 6000 } as never } }}
          labels={{ [account.key]: "Acme prod" }}
          onLabel={(k, l) => labelled.push([k, l])}
          onClose={() => {}}
          onAdd={() => {}}
          onOpenInPane={() => {}}
          onSignedOut={() => {}}
        />
      </QueryClientProvider>,
    );
    const rows = screen.getAllByRole("row").slice(1);
    expect(rows[0].textContent).toContain("Acme prod");
    expect(within(rows[0]).getByTestId("account-sync").textContent).toBe("From 5 minutes ago");
    expect(within(rows[1]).getByRole("progressbar")).toBeTruthy();
    expect(within(rows[1]).getByTestId("account-sync").textContent).toContain("1,500 of 6,000");
    fireEvent.click(within(rows[1]).getByRole("button", { name: "Label ann@example.test on 127.0.0.1:2" }));
    const input = screen.getByRole("textbox", { name: "Label for ann@example.test on 127.0.0.1:2" });
    fireEvent.change(input, { target: { value: "  Lab  " } });
    fireEvent.submit(input.closest("form")!);
    expect(labelled).toEqual([[twin.key, "Lab"]]);
    // Escape in the field cancels the label, not the dialog.
    fireEvent.click(within(rows[0]).getByRole("button", { name: "Label ann@example.test on 127.0.0.1:1" }));
    const again = screen.getByRole("textbox", { name: "Label for ann@example.test on 127.0.0.1:1" });
    expect((again as HTMLInputElement).value).toBe("Acme prod");
    fireEvent.keyDown(again, { key: "Escape" });
    expect(screen.queryByRole("textbox")).toBeNull();
    expect(screen.getByRole("dialog")).toBeTruthy();
  });
});
