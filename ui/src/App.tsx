import { useCallback, useEffect, useState } from "react";
import type { AccountView } from "./bindings/AccountView";
import type { ClientError } from "./bindings/ClientError";
import type { DemoHint } from "./bindings/DemoHint";
import { asClientError, call } from "./ipc";
import { Shell } from "./shell/Shell";

export function App() {
  const [accounts, setAccounts] = useState<AccountView[] | null>(null);
  const [demo, setDemo] = useState<DemoHint | null>(null);
  const [adding, setAdding] = useState(false);

  const reload = useCallback(async () => {
    setAccounts(await call("list_accounts", {}));
  }, []);

  useEffect(() => {
    reload().catch(() => setAccounts([]));
    call("demo_hint", {}).then(setDemo).catch(() => setDemo(null));
  }, [reload]);

  if (accounts === null) return <p className="loading">Opening Tenantry…</p>;
  if (accounts.length === 0 || adding) {
    return (
      <SignIn
        demo={demo}
        canCancel={accounts.length > 0}
        onCancel={() => setAdding(false)}
        onSignedIn={async () => {
          setAdding(false);
          await reload();
        }}
      />
    );
  }
  return <Shell accounts={accounts} onAddAccount={() => setAdding(true)} onAccountsChanged={reload} />;
}

function SignIn(props: { demo: DemoHint | null; canCancel: boolean; onCancel: () => void; onSignedIn: (a: AccountView) => void }) {
  const { demo } = props;
  const [server, setServer] = useState(demo?.server ?? "");
  const [email, setEmail] = useState(demo?.email ?? "");
  const [password, setPassword] = useState("");
  const [totp, setTotp] = useState("");
  const [needTotp, setNeedTotp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ClientError | null>(null);

  useEffect(() => {
    if (demo && !server) setServer(demo.server);
    if (demo && !email) setEmail(demo.email);
  }, [demo, server, email]);

  // `make run`: the first run signs in to the local demo server at once, showing what it does.
  const [autoTried, setAutoTried] = useState(false);
  useEffect(() => {
    if (!demo?.auto_sign_in || autoTried || props.canCancel) return;
    setAutoTried(true);
    setServer(demo.server);
    setEmail(demo.email);
    setPassword(demo.password);
    void signIn(demo.server, demo.email, demo.password, null);
  }, [demo, autoTried, props.canCancel]); // eslint-disable-line react-hooks/exhaustive-deps

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    await signIn(server, email, password, needTotp ? totp : null);
  }

  async function signIn(server: string, email: string, password: string, totp: string | null) {
    setBusy(true);
    setError(null);
    try {
      const a = await call("add_account", { server, email, password, totp });
      props.onSignedIn(a);
    } catch (err) {
      const ce = asClientError(err);
      if (ce.code === "totp_required") setNeedTotp(true);
      setError(ce);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="signin">
      <h1>Tenantry</h1>
      <p className="muted">Sign in to a tenancy server. Your session token is kept in the system keyring.</p>
      {demo && (
        <aside className="demo" aria-label="Demo server">
          <strong>Demo server running</strong> at <code>{demo.server}</code>. Sign in as <code>{demo.email}</code> with password{" "}
          <code>{demo.password}</code>.
          <button type="button" onClick={() => { setServer(demo.server); setEmail(demo.email); setPassword(demo.password); }}>
            Fill in
          </button>
        </aside>
      )}
      <form onSubmit={submit}>
        <label>
          Server
          <input name="server" value={server} onChange={(e) => setServer(e.target.value)} placeholder="https://tenancy.example.com" required autoFocus={!demo} />
        </label>
        <label>
          Email
          <input name="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
        </label>
        <label>
          Password
          <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} required autoFocus={!!demo} />
        </label>
        {needTotp && (
          <label>
            Two-factor code
            <input name="totp" inputMode="numeric" autoComplete="one-time-code" value={totp} onChange={(e) => setTotp(e.target.value)} maxLength={6} required autoFocus />
          </label>
        )}
        {error && <p role="alert" className="error">{error.message}</p>}
        <div className="row">
          <button type="submit" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
          {props.canCancel && <button type="button" onClick={props.onCancel}>Cancel</button>}
        </div>
      </form>
    </main>
  );
}

