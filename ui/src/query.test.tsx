// @vitest-environment jsdom
import { QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { useState } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { newQueryClient, useChange, useCmd } from "./query";
import { account, ipc, workspace } from "./test/render";

afterEach(cleanup);

function DeleteDialog() {
  const [open, setOpen] = useState(true);
  const list = useCmd("workspaces", { account: account.key, search: null });
  const del = useChange("delete_workspace", { onSuccess: () => setOpen(false) });
  return (
    <>
      <p>{list.data ? `${list.data.length} workspaces` : "loading"}</p>
      {open && (
        <div role="dialog">
          <button type="button" onClick={() => del.mutate({ account: account.key, workspaceId: workspace.id, version: workspace.version, confirmSlug: workspace.slug })}>Delete</button>
        </div>
      )}
    </>
  );
}

describe("useChange", () => {
  it("runs the caller's onSuccess (a dialog closes) before the reads have refreshed", async () => {
    let reads = 0;
    let answerRefetch: (v: unknown) => void = () => {};
    ipc({
      workspaces: () => (++reads === 1 ? [workspace] : new Promise((resolve) => (answerRefetch = resolve))),
      delete_workspace: () => ({ ...workspace, deleted_at: "2026-12-01T00:00:00Z" }),
    });
    render(
      <QueryClientProvider client={newQueryClient()}>
        <DeleteDialog />
      </QueryClientProvider>,
    );
    await screen.findByText("1 workspaces");
    fireEvent.click(screen.getByRole("button", { name: "Delete" }));
    // The dialog is gone while the refreshed list is still on its way.
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(reads).toBe(2);
    expect(screen.getByText("1 workspaces")).toBeTruthy();
    answerRefetch([]);
    await screen.findByText("0 workspaces");
  });
});
