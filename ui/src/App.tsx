import { useCallback, useEffect, useLayoutEffect, useState } from "react";
import type { AccountView } from "./bindings/AccountView";
import type { CommandArgs } from "./bindings/CommandArgs";
import type { ClientError } from "./bindings/ClientError";
import type { DemoHint } from "./bindings/DemoHint";
import { asClientError, call } from "./ipc";
import { HotkeysOn } from "./hotkeys";
import { Shell } from "./shell/Shell";
import { afterPaint, markOnce, PERF } from "./perf";
import { firstAccounts } from "./early";

export function App() {
  const [accounts, setAccounts] = useState<AccountView[] | null>(null);
  const [demo, setDemo] = useState<DemoHint | null>(null);
  const [adding, setAdding] = useState(false);

  const reload = useCallback(async () => {
    setAccounts(await call("list_accounts", {}));
  }, []);

  useEffect(() => {
    firstAccounts()
      .then(setAccounts)
      .catch(() => setAccounts([]));
    call("demo_hint", {}).then(setDemo).catch(() => setDemo(null));
  }, []);

  if (accounts === null) return <p className="loading">Opening Tenantry…</p>;
  const signIn = (
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
  if (accounts.length === 0) return signIn;
  // Adding an account keeps the console mounted (hidden, its hotkeys off), so its panes come
  // back as they were: same workspaces, same tabs.
  return (
    <>
      {adding && signIn}
      <div hidden={adding}>
        <HotkeysOn.Provider value={!adding}>
          <Shell accounts={accounts} onAddAccount={() => setAdding(true)} onAccountsChanged={reload} />
        </HotkeysOn.Provider>
      </div>
    </>
  );
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
  const [creating, setCreating] = useState(false);
  // The floor of `make bench`'s cold start: the smallest window the app shows.
  useLayoutEffect(() => afterPaint(() => markOnce(PERF.signInShown)), []);

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

  if (creating) return <CreateAccount server={server} email={email} onBack={() => setCreating(false)} onCreated={props.onSignedIn} canCancel={props.canCancel} onCancel={props.onCancel} />;
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
      <p className="small">
        New to this server? <button type="button" className="link" onClick={() => setCreating(true)}>Create an account</button> (invited people: use the address the invitation was sent to).
      </p>
    </main>
  );
}

/** A new account on a server: the server's password rule explained as you type, then signed in. */
function CreateAccount(props: { server: string; email: string; canCancel: boolean; onBack: () => void; onCancel: () => void; onCreated: (a: AccountView) => void }) {
  const [server, setServer] = useState(props.server);
  const [name, setName] = useState("");
  const [email, setEmail] = useState(props.email);
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ClientError | null>(null);
  const passwordCheck = useRule("password_problem", password ? { password } : null);
  const emailCheck = useRule("email_problem", email.trim() ? { email } : null);
  const ready = !!server.trim() && !!name.trim() && !!email.trim() && !!password && passwordCheck.known && passwordCheck.problem === null && emailCheck.known && emailCheck.problem === null;

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!ready) return;
    setBusy(true);
    setError(null);
    try {
      props.onCreated(await call("create_account", { server, displayName: name, email, password }));
    } catch (err) {
      setError(asClientError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="signin">
      <h1>Create an account</h1>
      <p className="muted">One account works in every workspace you are invited to. Your session token is kept in the system keyring.</p>
      <form onSubmit={submit}>
        <label>
          Server
          <input name="server" value={server} onChange={(e) => setServer(e.target.value)} placeholder="https://tenancy.example.com" required />
        </label>
        <label>
          Your name
          <input name="display_name" value={name} onChange={(e) => setName(e.target.value)} required autoFocus placeholder="Dana Scully" />
        </label>
        <label>
          Email
          <input name="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
        </label>
        {emailCheck.problem && <p className="note small">{emailCheck.problem}</p>}
        <label>
          Password
          <input name="password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required aria-describedby="password-rule" />
        </label>
        <p id="password-rule" className={password && passwordCheck.problem ? "note small" : "muted small"}>
          {password && passwordCheck.problem ? passwordCheck.problem : "At least 12 characters; a passphrase of a few words works well."}
        </p>
        {error && <p role="alert" className="error">{error.message}</p>}
        <div className="row">
          <button type="submit" disabled={busy || !ready}>{busy ? "Creating…" : "Create account and sign in"}</button>
          <button type="button" onClick={props.onBack}>I have an account</button>
          {props.canCancel && <button type="button" onClick={props.onCancel}>Cancel</button>}
        </div>
      </form>
    </main>
  );
}

/** A rule of the domain asked of Rust as the user types: its problem, once the answer for the
 *  current input is in. */
function useRule<C extends "password_problem" | "email_problem">(cmd: C, args: CommandArgs[C] | null): { known: boolean; problem: string | null } {
  const [answer, setAnswer] = useState<{ for: string; problem: string | null } | null>(null);
  const key = JSON.stringify(args);
  useEffect(() => {
    if (!args) return;
    let live = true;
    (call(cmd, args) as Promise<string | null>).then((problem) => live && setAnswer({ for: key, problem })).catch(() => {});
    return () => {
      live = false;
    };
  }, [cmd, key]); // eslint-disable-line react-hooks/exhaustive-deps
  const known = !!args && answer?.for === key;
  return { known, problem: known ? (answer?.problem ?? null) : null };
}

