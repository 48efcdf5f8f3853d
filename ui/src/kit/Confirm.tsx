// The production guard: on a workspace the user marked as production, a destructive change
// asks first and names the workspace, so a change meant for staging does not land in production.
import { useCallback, useState } from "react";
import { Dialog } from "./kit";

type Pending = { what: string; workspace: string; resolve: (ok: boolean) => void };

export function useProductionGuard(workspaceName: string, production: boolean) {
  const [pending, setPending] = useState<Pending | null>(null);
  const guard = useCallback(
    (what: string) => (production ? new Promise<boolean>((resolve) => setPending({ what, workspace: workspaceName, resolve })) : Promise.resolve(true)),
    [production, workspaceName],
  );
  const close = (ok: boolean) => {
    pending?.resolve(ok);
    setPending(null);
  };
  const dialog = pending ? (
    <Dialog title="Change a production workspace?" onClose={() => close(false)}>
      <p>
        <strong>{pending.workspace}</strong> is marked as production. You are about to {pending.what}.
      </p>
      <div className="row">
        <button type="button" className="danger" onClick={() => close(true)}>Yes, {pending.what}</button>
        <button type="button" autoFocus onClick={() => close(false)}>Cancel</button>
      </div>
    </Dialog>
  ) : null;
  return { guard, dialog };
}
