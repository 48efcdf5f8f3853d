// @vitest-environment jsdom
import { QueryClientProvider } from "@tanstack/react-query";
import { mockWindows } from "@tauri-apps/api/mocks";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "./App";
import { newQueryClient } from "./query";
import { account, ipc } from "./test/render";

afterEach(cleanup);

describe("creating an account from the sign-in screen", () => {
  it("explains the server's password rule as you type and signs in with the new account", async () => {
    let signedIn = false;
    const calls = ipc({
      list_accounts: () => (signedIn ? [account] : []),
      demo_hint: () => null,
      password_problem: (a) => (a.password.length < 12 ? "The password is too short; use at least 12 characters (a passphrase of a few words works well)." : null),
      email_problem: () => null,
      create_account: () => {
        signedIn = true;
        return account;
      },
      ui_prefs: () => ({ favourites: [], recents: [], colours: {}, production: [], panes: [], last_workspace: {}, labels: {} }),
    });
    // Once signed in, the console's window takes over (its title is set).
    mockWindows("main");
    render(
      <QueryClientProvider client={newQueryClient()}>
        <App />
      </QueryClientProvider>,
    );
    fireEvent.click(await screen.findByRole("button", { name: "Create an account" }));
    fireEvent.change(screen.getByLabelText("Server"), { target: { value: "http://127.0.0.1:8480" } });
    fireEvent.change(screen.getByLabelText("Your name"), { target: { value: "Dana Scully" } });
    fireEvent.change(screen.getByLabelText("Email"), { target: { value: "dana@new.example" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "short" } });
    expect(await screen.findByText(/too short; use at least 12 characters/)).toBeTruthy();
    const create = screen.getByRole("button", { name: "Create account and sign in" }) as HTMLButtonElement;
    expect(create.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "a long passphrase" } });
    await waitFor(() => expect(create.disabled).toBe(false));
    fireEvent.click(create);
    await waitFor(() => expect(calls.find((c) => c.cmd === "create_account")?.args).toEqual({ server: "http://127.0.0.1:8480", displayName: "Dana Scully", email: "dana@new.example", password: "a long passphrase" }));
  });
});
