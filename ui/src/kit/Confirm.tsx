// Destructive changes ask first. The question names what goes and what follows from it; focus
// starts on Cancel, so Enter does not confirm and Escape cancels. On a workspace the user marked
// as production, the change is confirmed by typing the workspace's name, so a change meant for
// staging does not land in production.
import { useCallback, useState } from "react";
import type { Guard, GuardOptions } from "../context";
import { Dialog } from "./kit";

export type { Guard, GuardOptions } from "../context";

type Pending = { what: string; opts: GuardOptions; resolve: (ok: boolean) => void };

export function useProductionGuard(workspaceName: string, production: boolean) {
  const [pending, setPending] = useState<Pending | null>(null);
  const [typed, setTyped] = useState("");
  const guard: Guard = useCallback(
    (what, opts = {}) =>
      !production && opts.productionOnly
        ? Promise.resolve(true)
        : new Promise<boolean>((resolve) => {
            setTyped("");
            setPending({ what, opts, resolve });
          }),
    [production],
  );
  const close = (ok: boolean) => {
    pending?.resolve(ok);
    setPending(null);
  };
  const matches = !production || typed.trim() === workspaceName;
  const dialog = pending ? (
    <Dialog title={`${sentence(pending.what)}?`} onClose={() => close(false)}>
      {pending.opts.consequence && <p>{pending.opts.consequence}</p>}
      {production && (
        <>
          <p>
            <strong>{workspaceName}</strong> is marked as production on this computer.
          </p>
          <label className="confirm-typed">
            Type <strong>{workspaceName}</strong> to confirm
            <input data-autofocus value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
          </label>
        </>
      )}
      <div className="row">
        <button type="button" data-autofocus onClick={() => close(false)}>
          Cancel
        </button>
        <button
          type="button"
          className="danger"
          disabled={!matches}
          title={matches ? undefined : `Type ${workspaceName} first: it is marked as production.`}
          onClick={() => close(true)}
        >
          Yes, {pending.what}
        </button>
      </div>
    </Dialog>
  ) : null;
  return { guard, dialog };
}

/** "revoke the key" → "Revoke the key". */
function sentence(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
