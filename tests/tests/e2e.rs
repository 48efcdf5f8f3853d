//! The scenarios of issue 5, each the way a user meets the product: the built app in a real
//! window, a real server process, the real keyring. Run by `scripts/e2e.sh` (from `make test`),
//! which provides Xvfb, the D-Bus session with gnome-keyring, and tauri-driver.

use anyhow::{ensure, Context, Result};
use std::sync::Arc;
use tenantry_e2e::*;

const IGNORED: &str = "end-to-end: needs Xvfb, a keyring and tauri-driver; run by scripts/e2e.sh";

/// Signs in through the sign-in screen and waits for the first workspace to show.
async fn sign_in(app: &App, server: &str, email: &str) -> Result<()> {
    app.fill("Server", server).await?;
    app.fill("Email", email).await?;
    app.fill("Password", PASSWORD).await?;
    app.click("Sign in").await?;
    app.el("[data-testid=workspace-name]").await?;
    app.wait_for("the first sync to finish", || async move { Ok((!app.text().await?.contains("never synced")).then_some(())) }).await?;
    Ok(())
}

/// Switches the focused pane with the palette, typing `part` of the name.
async fn go_to(app: &App, part: &str, expect: &str) -> Result<()> {
    app.el("body").await?.click().await.ok();
    app.keys(&format!("{}k{}", Key::Control, Key::Null)).await?;
    let input = app.el(".palette input").await?;
    input.send_keys(part).await?;
    app.sees_in(".palette li.active", expect).await?;
    input.send_keys(&Key::Enter.to_string()).await?;
    app.sees_in("[data-testid=workspace-name]", expect).await?;
    Ok(())
}

async fn tab(app: &App, name: &str) -> Result<()> {
    app.click(name).await
}

macro_rules! e2e {
    ($name:ident, |$app:ident, $server:ident, $dir:ident| $body:block) => {
        #[tokio::test(flavor = "multi_thread")]
        #[ignore = "end-to-end"]
        async fn $name() {
            let _ = IGNORED;
            let $dir = artifacts(stringify!($name));
            #[allow(unused_mut)]
            let mut $server = Server::start(&$dir, "server").expect("server");
            let app = App::open(stringify!($name), &$dir, &[]).await.expect("app");
            let server_url = $server.url.clone();
            let _ = &server_url;
            scenario(app, |$app: Arc<App>| async move {
                let $server = &mut $server;
                $body
            })
            .await;
        }
    };
}

// 1. First run: add the demo server, sign in, initial sync shows progress, the workspace list appears.
e2e!(first_run_signs_in_syncs_and_lists_workspaces, |app, server, dir| {
    app.sees("Sign in to a tenancy server").await?;
    // Record whether the sync progress bar is ever shown, however briefly.
    app.c
        .execute(
            "window.__sawProgress = false; new MutationObserver(() => { if (document.querySelector('progress[aria-label=\"Sync progress\"]')) window.__sawProgress = true; }).observe(document.body, {subtree: true, childList: true, attributes: true}); return true;",
            vec![],
        )
        .await?;
    sign_in(&app, &server.url, DEMO_EMAIL).await?;
    let saw: bool = serde_json::from_value(app.c.execute("return window.__sawProgress", vec![]).await?)?;
    ensure!(saw, "the initial sync showed its progress");
    // The workspace switcher lists the demo user's three workspaces.
    let switcher = app.field("Workspace").await?;
    let options = switcher.text().await?;
    for name in ["Globex", "Northwind Security", "Sentinel Shield MSSP"] {
        ensure!(options.contains(name), "the switcher lists {name}: {options}");
    }
    app.shot("signed-in").await;
    let _ = dir;
    Ok(())
});

// 2. Switch workspace with Ctrl+K by typing part of its name; header and window title change.
e2e!(palette_switches_workspace_and_title, |app, server, dir| {
    sign_in(&app, &server.url, DEMO_EMAIL).await?;
    go_to(&app, "sentin", "Sentinel Shield MSSP").await?;
    app.wait_for("the window title", || async { Ok(app.title().await?.starts_with("Sentinel Shield MSSP").then_some(())) }).await?;
    go_to(&app, "northw", "Northwind Security").await?;
    let title = app.title().await?;
    ensure!(title == "Northwind Security — Tenantry", "title {title:?}");
    app.shot("switched").await;
    let _ = dir;
    Ok(())
});

// 10. Sign out: the keyring entry is gone, and the cache and store files hold no token bytes.
e2e!(sign_out_removes_the_keyring_entry_and_leaves_no_token, |app, server, dir| {
    sign_in(&app, &server.url, DEMO_EMAIL).await?;
    let account = format!("{DEMO_EMAIL} @ {}", server.url);
    let stored = secret_tool_lookup(&account)?;
    ensure!(stored.as_deref().is_some_and(|t| t.len() > 20), "the refresh token is in the keyring while signed in");
    let token = stored.unwrap();
    app.click("Accounts (1)").await?;
    app.click(&format!("Sign out {DEMO_EMAIL}")).await?;
    app.sees("Sign in to a tenancy server").await?;
    ensure!(secret_tool_lookup(&account)?.is_none(), "the keyring entry is gone after sign-out");
    let files = files_under(&app.data);
    ensure!(files.iter().any(|f| f.extension().is_some_and(|e| e == "json")), "the store file exists: {files:?}");
    for f in &files {
        let bytes = std::fs::read(f)?;
        let has = |n: &[u8]| bytes.windows(n.len()).any(|x| x == n);
        ensure!(!has(token.as_bytes()) && !has(b"tnt_rt_") && !has(b"tnt_at_"), "token bytes in {}", f.display());
    }
    let log = std::fs::read(&app.app_log)?;
    ensure!(!log.windows(token.len()).any(|x| x == token.as_bytes()), "token bytes in the app log");
    let _ = dir;
    Ok(())
});

/// The secret stored for an account in the Secret Service, via `secret-tool` (libsecret-tools).
fn secret_tool_lookup(account: &str) -> Result<Option<String>> {
    let out = std::process::Command::new("secret-tool").args(["search", "--all", "--unlock", "service", "tenantry"]).output().context("secret-tool")?;
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    // Entries print as blocks of "attribute.<name> = <value>" lines with "secret = <value>".
    for block in text.split("\n[").map(str::to_owned) {
        if block.lines().any(|l| l.trim().starts_with("attribute.") && l.contains(account)) {
            if let Some(s) = block.lines().find_map(|l| l.trim().strip_prefix("secret = ")) {
                return Ok(Some(s.to_owned()));
            }
        }
    }
    Ok(None)
}
