//! The scenarios of issue 5, each the way a user meets the product: the built app in a real
//! window, a real server process, the real keyring. Run by `scripts/e2e.sh` (from `make test`),
//! which provides Xvfb, the D-Bus session with gnome-keyring, and tauri-driver.

use anyhow::{ensure, Context, Result};
use std::sync::Arc;
use tenantry_e2e::*;


/// Signs in through the sign-in screen and waits for the first workspace to show.
async fn sign_in(app: &App, server: &str, email: &str) -> Result<()> {
    app.fill("Server", server).await?;
    app.fill("Email", email).await?;
    app.fill("Password", PASSWORD).await?;
    app.click("Sign in").await?;
    app.el("[data-testid=workspace-name]").await?;
    app.sees_in("[data-testid=data-age]", "Data from").await?;
    Ok(())
}

/// Switches the focused pane with the palette, typing `part` of the name.
async fn go_to(app: &App, part: &str, expect: &str) -> Result<()> {
    app.focus_page().await?;
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

/// Opens the view `name` of the pane `pane` (CSS): by its tab, or at half width by the view menu.
async fn tab_in(app: &App, pane: &str, name: &str) -> Result<()> {
    let p = app.el(pane).await?;
    match p.find(fantoccini::Locator::Css("[data-testid=view-menu]")).await {
        Ok(menu) => {
            app.click_element(&menu, "the view menu").await?;
            app.sees_in(&format!("{pane} [role=menu]"), name).await?;
            app.click_in(&p, name).await?;
        }
        Err(_) => app.click_in(&p, name).await?,
    }
    app.sees_in(&format!("{pane} [role=tab][aria-selected=true], {pane} [data-testid=view-menu]"), name).await?;
    Ok(())
}

/// A second account, created from the sign-in screen of the Accounts dialog (the password rule
/// shown first), opened in a new pane; `shot` names a screenshot of the filled form.
async fn create_account_in_a_new_pane(app: &App, server: &str, name: &str, email: &str, password: &str, shot: Option<&str>) -> Result<()> {
    app.click("Accounts (1)").await?;
    app.click("Add an account…").await?;
    app.click("Create an account").await?;
    app.fill("Server", server).await?;
    app.fill("Your name", name).await?;
    app.fill("Email", email).await?;
    app.fill("Password", "short").await?;
    app.sees("use at least 12 characters").await?;
    app.fill("Password", password).await?;
    if let Some(label) = shot {
        app.shot(label).await;
    }
    app.click("Create account and sign in").await?;
    app.click("Accounts (2)").await?;
    let row = app.xpath(&format!("//tr[contains(., {})]", xpath_literal(email))).await?;
    app.click_in(&row, "Open in a new pane").await
}

/// Signs the demo owner in on `server` as a second account, from the Accounts dialog.
async fn add_demo_account(app: &App, server: &str) -> Result<()> {
    app.click("Accounts (1)").await?;
    app.click("Add an account…").await?;
    app.fill("Server", server).await?;
    app.fill("Email", DEMO_EMAIL).await?;
    app.fill("Password", PASSWORD).await?;
    app.click("Sign in").await
}

/// One scenario as a test: a fresh server and app, one attempt. A failure (the window dying
/// included) fails the test with its screenshot, page and logs; nothing is run twice.
macro_rules! e2e {
    ($name:ident, |$app:ident, $server:ident, $dir:ident| $body:block) => {
        e2e!($name, env = &[], |$app, $server, $dir| $body);
    };
    ($name:ident, env = $env:expr, |$app:ident, $server:ident, $dir:ident| $body:block) => {
        #[tokio::test(flavor = "multi_thread")]
        #[ignore = "end-to-end: needs Xvfb, a keyring and tauri-driver; run by scripts/e2e.sh"]
        async fn $name() {
            let label = stringify!($name);
            let $dir = artifacts(label);
            #[allow(unused_mut)]
            let mut $server = Server::start(&$dir, "server").expect("server");
            let app = App::open(label, &$dir, $env).await.expect("app");
            let outcome = attempt(app, |$app: Arc<App>| async move {
                let $server = &mut $server;
                $body
            })
            .await;
            if let Err(report) = outcome {
                panic!("{report}");
            }
        }
    };
}

/// One scenario, `$scenario(&app, server, theme)`, as two tests: in the light theme and in the
/// dark one (GTK's Adwaita:dark makes WebKit prefer a dark colour scheme).
macro_rules! e2e_in_both_themes {
    ($light:ident, $dark:ident, $scenario:ident) => {
        e2e!($light, |app, server, dir| {
            $scenario(&app, server, "light").await?;
            let _ = dir;
            Ok(())
        });
        e2e!($dark, env = &[("GTK_THEME", "Adwaita:dark")], |app, server, dir| {
            $scenario(&app, server, "dark").await?;
            let _ = dir;
            Ok(())
        });
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

/// An email from the members table (its first row), read while the server is down.
async fn server_api_offline_probe(app: &App) -> Result<String> {
    let row = app.xpath("//tbody//tr[@data-index='3']").await?;
    let text = app.inner_text(&row).await?;
    text.split_whitespace().find(|w| w.contains('@')).map(str::to_owned).context("an email in the fourth row")
}

/// A workspace's id by slug, from the server.
async fn ws_id(api: &tenancy_client::ApiClient, slug: &str) -> Result<String> {
    let v: serde_json::Value = api.get("/v1/workspaces").await?;
    let list = v.get("items").unwrap_or(&v).as_array().cloned().unwrap_or_default();
    // Memberships: {workspace, role}.
    list.iter().map(|m| m.get("workspace").unwrap_or(m)).find(|w| w["slug"] == slug).and_then(|w| w["id"].as_str().map(str::to_owned)).with_context(|| format!("workspace {slug} on the server"))
}

/// Every item of a paged list endpoint.
async fn all_items(api: &tenancy_client::ApiClient, path: &str) -> Result<Vec<serde_json::Value>> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &cursor { Some(c) => format!("{path}{sep}cursor={c}&limit=500"), None => format!("{path}{sep}limit=500") };
        let v: serde_json::Value = api.get(&url).await?;
        match v.get("items") {
            Some(items) => {
                out.extend(items.as_array().cloned().unwrap_or_default());
                cursor = v["next_cursor"].as_str().map(str::to_owned);
                if cursor.is_none() {
                    return Ok(out);
                }
            }
            None => return Ok(v.as_array().cloned().unwrap_or_default()),
        }
    }
}

// 3. Select three communities; the aggregated view's matrix and totals match the server's data.
e2e!(three_communities_aggregate_matches_the_server, |app, server, dir| {
    sign_in(&app, &server.url, DEMO_EMAIL).await?;
    go_to(&app, "northw", "Northwind Security").await?;
    let api = server.api(DEMO_EMAIL).await?;
    let ws = ws_id(&api, "northwind-mssp").await?;
    let communities = all_items(&api, &format!("/v1/workspaces/{ws}/communities")).await?;
    let picked: Vec<&serde_json::Value> = communities.iter().take(3).collect();
    app.click("Communities: All communities (25)").await?;
    for c in &picked {
        app.check(".community-switcher .popover", c["name"].as_str().unwrap()).await?;
    }
    app.click("Done").await?;
    app.sees("3 communities selected").await?;
    // What the server says: people holding a role in one of the three, and per cell.
    let ids: Vec<&str> = picked.iter().map(|c| c["id"].as_str().unwrap()).collect();
    let assignments = all_items(&api, &format!("/v1/workspaces/{ws}/assignments")).await?;
    let mine: Vec<&serde_json::Value> = assignments.iter().filter(|a| ids.contains(&a["community_id"].as_str().unwrap_or_default())).collect();
    let people: std::collections::BTreeSet<&str> = mine.iter().map(|a| a["user_id"].as_str().unwrap()).collect();
    ensure!(!people.is_empty(), "the demo communities have people");
    let totals = app.sees_in("[aria-label=Totals]", "Members").await?;
    ensure!(totals.contains(&format!("Members\n{}", people.len())), "members total {} in {totals:?}", people.len());
    // The matrix has exactly the three communities as rows, with the server's count for a cell.
    let matrix = app.sees_in("table[aria-label='People per role and community']", picked[0]["name"].as_str().unwrap()).await?;
    for c in &communities {
        let name = c["name"].as_str().unwrap();
        ensure!(matrix.contains(name) == ids.contains(&c["id"].as_str().unwrap()), "{name} in the matrix only if selected");
    }
    let first = ids[0];
    let in_first = mine.iter().filter(|a| a["community_id"] == first).count();
    // The row's cells (each count a button opening Members), read from the table itself.
    let row: Vec<String> = serde_json::from_value(
        app.c
            .execute(
                "const tr = [...document.querySelectorAll(\"table[aria-label='People per role and community'] tbody tr\")].find(tr => tr.querySelector('th')?.textContent.trim() === arguments[0]);
                 return tr ? [...tr.children].map(c => c.textContent.trim()) : [];",
                vec![picked[0]["name"].clone()],
            )
            .await?,
    )?;
    let row_total: usize = row.last().and_then(|n| n.replace(',', "").parse().ok()).unwrap_or(usize::MAX);
    ensure!(row_total == in_first, "the first community's row total {row_total} equals its {in_first} assignments ({row:?})");
    app.shot("aggregate").await;
    // A cell opens Members filtered to that community and role: as many people as it counts.
    let (cell_label, count) = row.iter().skip(1).enumerate().find_map(|(j, n)| n.parse::<usize>().ok().filter(|&n| n > 0).map(|n| (j, n))).context("a non-empty cell")?;
    let cell = app
        .xpath(&format!("//table[@aria-label='People per role and community']//tbody/tr[th[normalize-space(.)={}]]/td[{}]//button", xpath_literal(picked[0]["name"].as_str().unwrap()), cell_label + 1))
        .await?;
    app.click_element(&cell, "a matrix cell").await?;
    app.sees_in("[role=tab][aria-selected=true]", "Members").await?;
    app.sees_in("[data-testid=members-total]", &format!("{count} {}", if count == 1 { "person" } else { "people" })).await?;
    app.sees_in(".members-summary", &format!("with a role in {}", picked[0]["name"].as_str().unwrap())).await?;
    let _ = dir;
    Ok(())
});

// A Guest of one client community: the switcher, the members table and the overview hold that
// community only (confinement inside a workspace; the console's mirror holds what the server shows).
e2e!(a_guest_of_one_community_sees_only_that_community, |app, server, dir| {
    let api = server.api(DEMO_EMAIL).await?;
    let ws = ws_id(&api, "northwind-mssp").await?;
    let communities = all_items(&api, &format!("/v1/workspaces/{ws}/communities")).await?;
    let members = all_items(&api, &format!("/v1/workspaces/{ws}/members")).await?;
    let assignments = all_items(&api, &format!("/v1/workspaces/{ws}/assignments")).await?;
    let held = |u: &str| assignments.iter().filter(|a| a["user_id"] == u).map(|a| a["community_id"].as_str().unwrap_or_default().to_owned()).collect::<std::collections::BTreeSet<_>>();
    // A plain member (signing in without 2FA) holding roles in one community only, which has
    // other people too.
    let guest = members
        .iter()
        .filter(|m| m["role"] == "member" && m["two_factor_enabled"] == false && held(m["user_id"].as_str().unwrap()).len() == 1)
        .find(|m| {
            let c = held(m["user_id"].as_str().unwrap()).into_iter().next().unwrap();
            assignments.iter().any(|a| a["community_id"] == c.as_str() && a["user_id"] != m["user_id"])
        })
        .context("a member of one community")?;
    let (email, me) = (guest["email"].as_str().unwrap(), guest["user_id"].as_str().unwrap());
    let mine = held(me).into_iter().next().unwrap();
    let name = |c: &str| communities.iter().find(|x| x["id"] == c).and_then(|x| x["name"].as_str()).unwrap_or_default().to_owned();
    let co = members.iter().find(|m| m["user_id"] != me && held(m["user_id"].as_str().unwrap()).contains(&mine)).context("someone sharing the community")?;
    let outsider = members.iter().find(|m| m["role"] == "member" && !held(m["user_id"].as_str().unwrap()).contains(&mine) && !held(m["user_id"].as_str().unwrap()).is_empty()).context("someone of other communities only")?;
    sign_in(&app, &server.url, email).await?;
    go_to(&app, "northw", "Northwind Security").await?;
    // The header says they see their communities, not that the workspace is single-tenant.
    app.sees_in("[data-testid=tenancy-mode]", "your 1 community").await?;
    // The switcher: one community.
    app.click("Communities: All communities (1)").await?;
    let listed = app.sees_in(".community-switcher .popover", &name(&mine)).await?;
    for c in &communities {
        let n = c["name"].as_str().unwrap();
        ensure!(c["id"] == mine.as_str() || !listed.contains(n), "the switcher lists {n}: {listed}");
    }
    app.shot("guest-switcher").await;
    app.click("Done").await?;
    // The overview's matrix: that community's row only.
    let matrix = app.sees_in("table[aria-label='People per role and community']", &name(&mine)).await?;
    for c in &communities {
        let n = c["name"].as_str().unwrap();
        ensure!(c["id"] == mine.as_str() || !matrix.contains(n), "the matrix shows {n}");
    }
    app.shot("guest-overview").await;
    // The members table: the co-member is there, the outsider is not.
    tab(&app, "Members").await?;
    app.fill("Search members", co["email"].as_str().unwrap()).await?;
    app.sees_in("tbody", co["email"].as_str().unwrap()).await?;
    app.fill("Search members", outsider["email"].as_str().unwrap()).await?;
    app.sees("Nobody matches these filters").await?;
    app.shot("guest-members").await;
    // And the mirror on disk holds none of the outsider.
    let files = files_under(&app.data);
    for f in files.iter().filter(|f| f.extension().is_some_and(|e| e == "db")) {
        let bytes = std::fs::read(f)?;
        let id = outsider["user_id"].as_str().unwrap().as_bytes();
        ensure!(!bytes.windows(id.len()).any(|x| x == id), "the outsider's id is in {}", f.display());
    }
    let _ = dir;
    Ok(())
});

// 4. Invite two members by CSV paste; they appear as pending; revoke one.
e2e!(invite_two_by_csv_then_revoke_one, |app, server, dir| {
    sign_in(&app, &server.url, DEMO_EMAIL).await?;
    go_to(&app, "northw", "Northwind Security").await?;
    tab(&app, "Members").await?;
    app.click("Invite…").await?;
    app.click("Paste CSV").await?;
    app.fill("Invitations as CSV", "ada.new@client.example,member\nbo.new@client.example,admin").await?;
    app.sees("Ready: 2 invitations").await?;
    app.shot("invite-preview").await;
    app.click("Send 2 invitations").await?;
    app.sees("Sent 2 of 2 invitations.").await?;
    app.keys(&Key::Escape.to_string()).await?;
    app.fill("Search members", "new@client.example").await?;
    // The search applies after a pause; the unfiltered list (sorted by email) shows both new
    // people too, so wait for the filtered count before acting on a row.
    app.sees("2 people").await?;
    app.sees_in("tbody", "bo.new@client.example").await?;
    let rows = app.sees_in("tbody", "ada.new@client.example").await?;
    ensure!(rows.matches("pending").count() >= 2, "both show as pending: {rows}");
    app.click_row("ada.new@client.example").await?;
    app.click("Revoke invitation").await?;
    app.sees_in("[role=dialog]", "Their invitation stops working").await?;
    app.click("Yes, revoke the invitation of ada.new@client.example").await?;
    app.wait_for("ada's row to go", || async { Ok((!app.text().await?.contains("ada.new@client.example")).then_some(())) }).await?;
    app.sees_in("tbody", "bo.new@client.example").await?;
    let api = server.api(DEMO_EMAIL).await?;
    let ws = ws_id(&api, "northwind-mssp").await?;
    let invitations = all_items(&api, &format!("/v1/workspaces/{ws}/invitations")).await?;
    let status = |email: &str| invitations.iter().find(|i| i["email"] == email).map(|i| i["status"].as_str().unwrap_or_default().to_owned());
    ensure!(status("bo.new@client.example").as_deref() == Some("pending"), "bo is pending on the server: {:?}", status("bo.new@client.example"));
    ensure!(status("ada.new@client.example").as_deref() != Some("pending"), "ada's invitation is revoked on the server");
    let _ = dir;
    Ok(())
});

// 6. Try to demote the last owner: the console explains the rule before sending; the server is unchanged.
e2e!(last_owner_is_explained_before_sending, |app, server, dir| {
    // A workspace of the demo user's with exactly one owner (Globex, in the demo seed).
    let api = server.api(DEMO_EMAIL).await?;
    let mut target = None;
    for slug in ["globex", "northwind-mssp", "sentinel-shield"] {
        let Ok(ws) = ws_id(&api, slug).await else { continue };
        let members = all_items(&api, &format!("/v1/workspaces/{ws}/members")).await?;
        let owners: Vec<serde_json::Value> = members.into_iter().filter(|m| m["role"] == "owner").collect();
        if owners.len() == 1 {
            let w: serde_json::Value = api.get(&format!("/v1/workspaces/{ws}")).await?;
            target = Some((ws, w["name"].as_str().unwrap().to_owned(), owners[0].clone()));
            break;
        }
    }
    let (ws, name, owner) = target.context("a demo workspace with a single owner")?;
    let email = owner["email"].as_str().unwrap().to_owned();
    sign_in(&app, &server.url, DEMO_EMAIL).await?;
    // This time through the header's workspace switcher.
    app.select("Workspace", &name).await?;
    app.sees_in("[data-testid=workspace-name]", &name).await?;
    tab(&app, "Members").await?;
    app.fill("Search members", &email).await?;
    // The search applies after a pause, reloading the rows: click once it has.
    app.sees_in("[data-testid=members-total]", "1 person").await?;
    app.click_row(&email).await?;
    app.sees("at least one owner").await?;
    let change = app.button("Change workspace role").await?;
    ensure!(!change.is_enabled().await?, "demoting the last owner is not offered");
    app.shot("last-owner").await;
    let now: serde_json::Value = api.get(&format!("/v1/workspaces/{ws}/members/{}", owner["user_id"].as_str().unwrap())).await?;
    ensure!(now["role"] == "owner", "still owner on the server: {now}");
    let _ = dir;
    Ok(())
});

// 7. Create an API key: the secret is shown once; after closing the dialog it is never shown again; revoke it.
e2e!(api_key_secret_is_shown_once_then_revoked, |app, server, dir| {
    sign_in(&app, &server.url, DEMO_EMAIL).await?;
    go_to(&app, "northw", "Northwind Security").await?;
    tab(&app, "API keys").await?;
    app.click("Create API key…").await?;
    app.fill("Name", "e2e forwarder").await?;
    app.check(".dialog", "Analyst").await?;
    app.click("Create key").await?;
    let secret_field = app.field("Secret").await?;
    let secret = secret_field.prop("value").await?.unwrap_or_default();
    ensure!(secret.len() > 20, "the secret is shown: {} chars", secret.len());
    app.sees("This is the only time the secret is shown").await?;
    app.shot("api-key-secret").await;
    app.click("Done").await?;
    app.sees_in("tbody", "e2e forwarder").await?;
    let page = app.c.source().await?;
    ensure!(!page.contains(&secret), "the secret is gone from the window after Done");
    let row = app.xpath("//tr[contains(normalize-space(.), 'e2e forwarder')]").await?;
    // Revoking asks first, naming the key; focus is on Cancel, so Enter cancels, as does Escape.
    for (key, name) in [(Key::Enter, "Enter"), (Key::Escape, "Escape")] {
        app.click_in(&row, "Revoke").await?;
        let dialog = app.sees_in("[role=dialog]", "Revoke the API key e2e forwarder").await?;
        ensure!(dialog.contains("Integrations using it stop working at once"), "the dialog says what follows: {dialog}");
        let focused = app.c.execute("return document.activeElement ? document.activeElement.textContent.trim() : ''", vec![]).await?;
        ensure!(focused == "Cancel", "focus starts on Cancel, not {focused}");
        if name == "Enter" {
            app.shot("revoke-asks").await;
        }
        app.keys(&key.to_string()).await?;
        app.wait_for("the dialog to close", || async { Ok(app.c.find_all(fantoccini::Locator::Css("[role=dialog]")).await?.is_empty().then_some(())) }).await?;
        // A confirmed revoke shows "Revoking…" at once, then "Revoked".
        let t = app.inner_text(&row).await?;
        ensure!(!t.contains("Revoked") && !t.contains("Revoking"), "{name} revoked the key: {t}");
    }
    app.click_in(&row, "Revoke").await?;
    let yes = app.xpath("//*[@role='dialog']//button[starts-with(normalize-space(.), 'Yes, revoke the API key e2e forwarder')]").await?;
    app.click_element(&yes, "the confirmation").await?;
    app.sees_in("tbody", "Revoked").await?;
    ensure!(!app.c.source().await?.contains(&secret), "never shown again");
    let _ = dir;
    Ok(())
});

// 9. Offline: banner with age, reads work, a change is refused with a reason and the input kept; back online.
e2e!(offline_keeps_reads_and_input_then_recovers, |app, server, dir| {
    sign_in(&app, &server.url, DEMO_EMAIL).await?;
    go_to(&app, "northw", "Northwind Security").await?;
    tab(&app, "Members").await?;
    app.sees("people").await?;
    server.stop();
    app.click("Sync").await?;
    app.sees("Offline.").await?;
    app.sees_in("[role=status].offline", "Showing data from").await?;
    // Reads still page and filter from the cache: one member by email, then everyone again.
    let api = server_api_offline_probe(&app).await?;
    app.fill("Search members", &api).await?;
    app.sees_in("tbody", &api).await?;
    let one = app.sees_in(".members-count, body", "1 person").await;
    ensure!(one.is_ok(), "the search narrows to one person offline");
    app.click("Clear filters").await?;
    app.no_longer_sees("1 person").await?;
    let first = app.xpath("//tbody//tr[@data-index='0']").await?;
    app.click_element(&first, "the first member row").await?;
    app.select("New workspace role", "admin").await?;
    app.sees("needs the server").await?;
    let change = app.button("Change workspace role").await?;
    ensure!(!change.is_enabled().await?, "a change is refused while offline");
    app.shot("offline").await;
    // Back online: the banner clears, and a change made elsewhere shows up after the sync.
    server.restart()?;
    let api = server.api(DEMO_EMAIL).await?;
    let ws = ws_id(&api, "northwind-mssp").await?;
    let _: serde_json::Value = api.call(tenancy_client::http::Method::PATCH, &format!("/v1/workspaces/{ws}"), Some(&serde_json::json!({"name": "Northwind Renamed"})), None).await?;
    app.click("Try again").await?;
    app.no_longer_sees("Offline.").await?;
    app.sees_in("[data-testid=workspace-name]", "Northwind Renamed").await?;
    let _ = dir;
    Ok(())
});

// 11. Delete a workspace by typing its slug; it disappears; a platform admin restores it.
e2e!(delete_by_slug_then_platform_admin_restores, |app, server, dir| {
    sign_in(&app, &server.url, DEMO_EMAIL).await?;
    go_to(&app, "sentin", "Sentinel Shield MSSP").await?;
    tab(&app, "Workspace").await?;
    app.click("Delete workspace…").await?;
    app.fill("Type the workspace slug to confirm", "sentinel-shiel").await?;
    ensure!(!app.button("Delete workspace").await?.is_enabled().await?, "not until the slug is typed exactly");
    app.fill("Type the workspace slug to confirm", "sentinel-shield").await?;
    app.click("Delete workspace").await?;
    app.wait_for("Sentinel to leave the switcher", || async {
        let options = app.inner_text(&app.field("Workspace").await?).await?;
        Ok((!options.contains("Sentinel Shield MSSP")).then_some(()))
    })
    .await?;
    // The platform admin, signed in as a second account, restores it.
    app.click("Accounts (1)").await?;
    app.click("Add an account…").await?;
    app.fill("Server", &server.url).await?;
    app.fill("Email", PLATFORM_EMAIL).await?;
    app.fill("Password", PASSWORD).await?;
    app.click("Sign in").await?;
    app.click("Accounts (2)").await?;
    app.click("Deleted workspaces…").await?;
    app.click("Restore Sentinel Shield MSSP").await?;
    app.sees("Restored Sentinel Shield MSSP").await?;
    app.shot("restored").await;
    let api = server.api(DEMO_EMAIL).await?;
    ws_id(&api, "sentinel-shield").await.context("restored on the server")?;
    let _ = dir;
    Ok(())
});

// 5. Change a member's roles in two communities at once; effective permissions update with provenance.
e2e!(roles_in_two_communities_update_effective_permissions, |app, server, dir| {
    let api = server.api(DEMO_EMAIL).await?;
    let ws = ws_id(&api, "northwind-mssp").await?;
    let roles = all_items(&api, &format!("/v1/workspaces/{ws}/roles")).await?;
    let admin = roles.iter().find(|r| r["name"] == "Admin").context("the Admin role")?["id"].as_str().unwrap().to_owned();
    let members = all_items(&api, &format!("/v1/workspaces/{ws}/members")).await?;
    let person = members.iter().find(|m| m["role"] == "member").context("a plain member")?.clone();
    let user = person["user_id"].as_str().unwrap().to_owned();
    let email = person["email"].as_str().unwrap().to_owned();
    let assignments = all_items(&api, &format!("/v1/workspaces/{ws}/assignments")).await?;
    let holds_admin = |c: &str| assignments.iter().any(|a| a["user_id"] == user.as_str() && a["community_id"] == c && a["role_id"] == admin.as_str());
    let communities = all_items(&api, &format!("/v1/workspaces/{ws}/communities")).await?;
    let two: Vec<serde_json::Value> = communities.into_iter().filter(|c| !holds_admin(c["id"].as_str().unwrap())).take(2).collect();
    ensure!(two.len() == 2, "two communities where {email} is not Admin");
    let names: Vec<String> = two.iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect();

    sign_in(&app, &server.url, DEMO_EMAIL).await?;
    go_to(&app, "northw", "Northwind Security").await?;
    tab(&app, "Members").await?;
    app.fill("Search members", &email).await?;
    // The search applies after a pause, reloading the rows: click once it has.
    app.sees_in("[data-testid=members-total]", "1 person").await?;
    app.click_row(&email).await?;
    app.click("Change roles").await?;
    app.select("Role to give", "Admin").await?;
    for n in &names {
        app.check("[aria-label='Change roles'] .community-checklist", n).await?;
    }
    app.sees("Gives Admin (dedicated) in 2 communities.").await?;
    app.click("Apply to 2 communities").await?;
    for n in &names {
        app.sees_in(".assignments", &format!("Admin in {n}")).await?;
    }
    // Effective permissions: Admin's permissions in those communities, granted by Admin.
    app.fill("Filter permissions", &names[0]).await?;
    let perms = app.sees_in("table", &names[0]).await?;
    ensure!(perms.lines().any(|l| l.contains(&names[0]) && l.contains("Admin")), "a permission in {} granted by Admin: {perms}", names[0]);
    app.shot("roles-changed").await;
    let after = all_items(&api, &format!("/v1/workspaces/{ws}/assignments")).await?;
    for c in &two {
        ensure!(
            after.iter().any(|a| a["user_id"] == user.as_str() && a["community_id"] == c["id"] && a["role_id"] == admin.as_str()),
            "the server holds Admin in {}",
            c["name"]
        );
    }
    let _ = dir;
    Ok(())
});

// 8. Two panes on two workspaces, one from a second account on a second server process; compare
// lists a member present in one only.
e2e!(two_panes_two_servers_compare, |app, server, dir| {
    let mut second = Server::start(&dir, "server2")?;
    // Make the second server's Northwind differ: one member leaves it.
    let api2 = second.api(DEMO_EMAIL).await?;
    let ws2 = ws_id(&api2, "northwind-mssp").await?;
    let members = all_items(&api2, &format!("/v1/workspaces/{ws2}/members")).await?;
    let gone = members.iter().find(|m| m["role"] == "member").context("a member")?.clone();
    let gone_email = gone["email"].as_str().unwrap().to_owned();
    let gone_name = gone["display_name"].as_str().unwrap().to_owned();
    api2.call::<(), ()>(tenancy_client::http::Method::DELETE, &format!("/v1/workspaces/{ws2}/members/{}", gone["user_id"].as_str().unwrap()), None, None).await?;

    sign_in(&app, &server.url, DEMO_EMAIL).await?;
    go_to(&app, "northw", "Northwind Security").await?;
    // A second account, on the second server, in a second pane.
    add_demo_account(&app, &second.url).await?;
    app.click("Accounts (2)").await?;
    let row = app.xpath(&format!("//tr[@data-account={}]", xpath_literal(&format!("{DEMO_EMAIL} @ {}", second.url)))).await?;
    app.click_in(&row, "Open in a new pane").await?;
    let panes = app.c.find_all(fantoccini::Locator::Css("section.pane")).await?;
    ensure!(panes.len() == 2, "two panes side by side");
    // Each pane says which server it is on; the second pane shows the second server's Northwind.
    let second_host = second.url.trim_start_matches("http://").to_owned();
    app.sees_in("section.pane:nth-of-type(2) .pane-header", &second_host).await?;
    // Its first sync fills the switcher; then pick Northwind there.
    // (Grouped once the pane knows each workspace's mode: the option is then in its final place.)
    app.present("(//section[contains(@class,'pane')])[2]//select[@aria-label='Workspace']//optgroup[starts-with(@label, 'Multi-tenant')]/option[normalize-space(.)='Northwind Security']").await?.click().await?;
    app.sees_in("section.pane:nth-of-type(2) [data-testid=workspace-name]", "Northwind Security").await?;
    app.shot("two-panes").await;
    app.click("Compare panes").await?;
    // Same workspace name on both sides: each side is named with its server.
    let first_host = server.url.trim_start_matches("http://").to_owned();
    let left = format!("Northwind Security ({first_host})");
    let right = format!("Northwind Security ({second_host})");
    // One table, a row per person: the one gone from the second server is only on the left.
    let only_left = app.sees_in("table[aria-label='People compared'] tbody tr", &gone_email).await?;
    ensure!(only_left.contains(&gone_name) && only_left.contains("Left only"), "{only_left}");
    app.sees(&format!("1 person only in {left} · 0 people only in {right}")).await?;
    app.shot("compare").await;
    second.stop();
    let _ = dir;
    Ok(())
});

// Every view of a pane opens with its content and no error, from the keyboard; the help lists
// the shortcuts. (Screenshots of each view are kept for review.)
e2e!(every_view_opens_from_the_keyboard, |app, server, dir| {
    sign_in(&app, &server.url, DEMO_EMAIL).await?;
    go_to(&app, "northw", "Northwind Security").await?;
    let views = [
        ("2", "Communities", "25 communities"),
        ("3", "Members", "people"),
        ("4", "Roles", "Analyst"),
        ("5", "API keys", "Prefix"),
        ("6", "Audit log", "Action"),
        ("7", "Workspace", "Delete workspace…"),
        ("1", "Overview", "Roles by community"),
    ];
    for (digit, name, shows) in views {
        app.focus_page().await?;
        app.keys(&format!("{}{digit}{}", Key::Alt, Key::Null)).await?;
        app.sees_in("[role=tab][aria-selected=true]", name).await?;
        app.sees_in(".pane-body", shows).await?;
        ensure!(app.c.find_all(fantoccini::Locator::Css(".pane-body [role=alert]")).await?.is_empty(), "no error in {name}");
        app.shot(&format!("view-{}", name.to_lowercase().replace(' ', "-"))).await;
    }
    app.keys("?").await?;
    app.sees_in("[role=dialog]", "Open the command palette").await?;
    app.shot("shortcuts").await;
    let _ = dir;
    Ok(())
});

// Onboarding a client (issue 13): an admin creates a community with every identity field and
// two intakes, and invites a new person; that person creates an account from the sign-in screen,
// sees the invitation, accepts it and sees the workspace; the admin sees them as a member.
e2e!(onboard_a_client_community_intakes_and_a_new_person, |app, server, dir| {
    sign_in(&app, &server.url, DEMO_EMAIL).await?;
    go_to(&app, "northw", "Northwind Security").await?;
    app.sees_in("[data-testid=tenancy-mode]", "multi-tenant").await?;
    tab(&app, "Communities").await?;
    app.sees_in("[data-testid=communities-count]", "25 communities").await?;
    app.click("New community…").await?;
    app.fill("Community name", "Vandelay Industries").await?;
    app.sees("Will be reachable as “vandelay-industries”.").await?;
    // A slug the workspace has already is named before anything is sent.
    app.fill("Community slug", "initech").await?;
    app.sees("This workspace already has a community with slug \"initech\"").await?;
    app.fill("Community slug", "vandelay").await?;
    app.sees("Will be reachable as “vandelay”.").await?;
    app.fill("Time zone", "Europe/Berlin").await?;
    app.fill("Primary contact email", "soc@vandelay.example").await?;
    app.select("Data residency region", "EU Central (Frankfurt)").await?;
    app.shot("community-new").await;
    app.click("Create community").await?;
    // The new community's panel: two intakes.
    app.sees_in("[aria-label='Community details']", "Vandelay Industries").await?;
    for (kind, name) in [("EDR", "CrowdStrike Vandelay"), ("Firewall", "Palo Alto Vandelay")] {
        app.select("Kind of the new intake", kind).await?;
        app.fill("Name of the new intake", name).await?;
        app.click("Add intake").await?;
        app.sees_in("[aria-label='Intakes of Vandelay Industries']", name).await?;
    }
    app.fill("Search communities", "Vandelay Industries").await?;
    app.sees_in("[data-testid=communities-count]", "1 of 26 communities").await?;
    // Its row, cell by cell: name, slug, people, intakes, keys, region, time zone.
    let row = app.xpath("//table[@aria-label='Communities']//tbody/tr[td[1][normalize-space(.)='Vandelay Industries']]").await?;
    let mut cells = Vec::new();
    for td in row.find_all(fantoccini::Locator::Css("td")).await? {
        cells.push(app.inner_text(&td).await?.trim().to_owned());
    }
    ensure!(cells == ["Vandelay Industries", "vandelay", "0", "2", "0", "eu-central", "Europe/Berlin"], "the Communities view's row as entered: {cells:?}");
    app.shot("community-intakes").await;

    // Invite a new person into Vandelay Industries as a Guest.
    tab(&app, "Members").await?;
    app.click("Invite…").await?;
    app.fill("Email", "fox@vandelay.example").await?;
    app.click("Add a community role").await?;
    app.select("Community 1", "Vandelay Industries").await?;
    app.select("Role 1", "Guest").await?;
    app.click("Send invitation").await?;
    app.sees("Invitation sent to fox@vandelay.example").await?;
    app.keys(&Key::Escape.to_string()).await?;

    // The invitee creates their account in this console and answers the invitation.
    create_account_in_a_new_pane(&app, &server.url, "Fox Mulder", "fox@vandelay.example", "the truth is out there", Some("create-account")).await?;
    app.sees_in("section.pane:nth-of-type(2)", "Invitations").await?;
    app.sees_in("section.pane:nth-of-type(2)", "Guest in Vandelay Industries").await?;
    app.shot("invitation-offered").await;
    app.click("Accept the invitation to Northwind Security").await?;
    app.sees_in("section.pane:nth-of-type(2) [data-testid=workspace-name]", "Northwind Security").await?;
    app.shot("invitation-accepted").await;

    // The admin sees them as a member, in the console and on the server.
    let api = server.api(DEMO_EMAIL).await?;
    let ws = ws_id(&api, "northwind-mssp").await?;
    let members = all_items(&api, &format!("/v1/workspaces/{ws}/members")).await?;
    ensure!(members.iter().any(|m| m["email"] == "fox@vandelay.example"), "fox is a member on the server");
    let first_pane = app.el("section.pane:nth-of-type(1)").await?;
    app.click_in(&first_pane, "Sync").await?;
    app.fill("Search members", "fox@vandelay.example").await?;
    app.sees_in("section.pane:nth-of-type(1) tbody", "Fox Mulder").await?;
    let _ = dir;
    Ok(())
});

// The client portal (issue 14): an MSSP admin switches a client community's portal on and invites
// a contact; the contact creates an account, accepts, and their pane shows that community's
// overview only: no tabs, no switchers, no other client; the admin lists them apart.
e2e!(a_client_contact_sees_only_their_communitys_portal, |app, server, dir| {
    let api = server.api(DEMO_EMAIL).await?;
    let ws = ws_id(&api, "northwind-mssp").await?;
    let communities = all_items(&api, &format!("/v1/workspaces/{ws}/communities")).await?;
    let mut client = None;
    for c in &communities {
        let id = c["id"].as_str().unwrap_or_default();
        let intakes = all_items(&api, &format!("/v1/workspaces/{ws}/communities/{id}/intakes")).await?;
        if !intakes.is_empty() {
            client = Some((c.clone(), intakes));
            break;
        }
    }
    let (client, intakes) = client.context("a northwind community with intakes")?;
    let name = client["name"].as_str().unwrap().to_owned();
    sign_in(&app, &server.url, DEMO_EMAIL).await?;
    go_to(&app, "northw", "Northwind Security").await?;
    tab(&app, "Communities").await?;
    app.fill("Search communities", &name).await?;
    app.sees_in("[data-testid=communities-count]", "1 of").await?;
    // (A table row of the Communities view is clicked on a cell: WebKitWebDriver does not click a row.)
    let cell = app.xpath(&format!("//table[@aria-label='Communities']//tbody//td[normalize-space(.)={}]", xpath_literal(&name))).await?;
    app.click_element(&cell, &format!("the community {name}")).await?;
    let details = "[aria-label='Community details']";
    app.sees_in(details, "Enable the client portal above").await?;
    app.check(details, "contacts sign in and see").await?;
    app.click("Save changes").await?;
    app.fill("Contact's email", "cio@client.example").await?;
    app.click("Invite contact").await?;
    app.sees("Invitation sent to cio@client.example").await?;
    app.sees_in(&format!("{details} .contact-list"), "cio@client.example").await?;
    app.shot("contact-invited").await;

    // The contact creates their account in this console and accepts.
    create_account_in_a_new_pane(&app, &server.url, "Casey Client", "cio@client.example", "a client of the mssp", None).await?;
    let second = "section.pane:nth-of-type(2)";
    app.sees_in(second, &format!("as a client contact of {name}")).await?;
    app.shot("contact-offered").await;
    app.click("Accept the invitation to Northwind Security").await?;
    let portal = app.sees_in(&format!("{second} [data-testid=client-portal]"), &format!("{name} · client portal of Northwind Security")).await?;
    app.sees_in(&format!("{second} [data-testid=tenancy-mode]"), "client portal").await?;
    for i in &intakes {
        app.sees_in(&format!("{second} [aria-label=Intakes]"), i["name"].as_str().unwrap()).await?;
    }
    app.sees_in(&format!("{second} [data-testid=client-portal]"), "does not show its team").await?;
    // Nothing of the console for the MSSP's people: no views, no switchers, no other client.
    let (tabs, switchers): (bool, bool) = serde_json::from_value(
        app.c
            .execute(
                "const p = document.querySelectorAll('section.pane')[1]; return [!!p.querySelector('[role=tablist]'), !!p.querySelector('select[aria-label=Workspace], .community-switcher')];",
                vec![],
            )
            .await?,
    )?;
    ensure!(!tabs && !switchers, "the portal pane has tabs {tabs}, switchers {switchers}");
    let pane_text = app.sees_in(second, &name).await?;
    for c in &communities {
        let other = c["name"].as_str().unwrap();
        ensure!(c["id"] == client["id"] || name.contains(other) || !pane_text.contains(other), "the portal shows another client, {other}: {portal}");
    }
    app.shot("contact-portal").await;

    // The admin lists the contact apart from the MSSP's people.
    let first = app.el("section.pane:nth-of-type(1)").await?;
    tab_in(&app, "section.pane:nth-of-type(1)", "Members").await?;
    app.click_in(&first, "Sync").await?;
    app.fill("Search members", "cio@client.example").await?;
    app.sees("Nobody matches these filters").await?;
    app.select("Workspace role", "client contacts").await?;
    app.sees_in("section.pane:nth-of-type(1) tbody", "client contact").await?;
    app.sees_in("section.pane:nth-of-type(1) tbody", &format!("portal of {name}")).await?;
    app.shot("contact-listed-apart").await;
    let _ = dir;
    Ok(())
});

// The audit log searches the whole history: an entry older than the unfiltered first page is
// found by its actor (typed as an email) and its community.
e2e!(the_audit_log_finds_an_old_change_by_actor_and_community, |app, server, dir| {
    let api = server.api(DEMO_EMAIL).await?;
    let ws = ws_id(&api, "northwind-mssp").await?;
    let all = all_items(&api, &format!("/v1/workspaces/{ws}/audit")).await?;
    let first_page: std::collections::BTreeSet<i64> = all.iter().take(100).filter_map(|e| e["id"].as_i64()).collect();
    ensure!(all.len() > 200, "the demo log is long enough to page: {}", all.len());
    let members = all_items(&api, &format!("/v1/workspaces/{ws}/members")).await?;
    let communities = all_items(&api, &format!("/v1/workspaces/{ws}/communities")).await?;
    let actors: std::collections::BTreeSet<&str> = all.iter().skip(100).filter_map(|e| e["actor_id"].as_str()).collect();
    let mut found = None;
    'search: for actor in actors {
        let Some(email) = members.iter().find(|m| m["user_id"] == actor).and_then(|m| m["email"].as_str()) else { continue };
        for c in &communities {
            let id = c["id"].as_str().unwrap_or_default();
            let page: serde_json::Value = api.get(&format!("/v1/workspaces/{ws}/audit?actor_id={actor}&community_id={id}&limit=100")).await?;
            if let Some(e) = page["items"].as_array().and_then(|items| items.iter().find(|e| !first_page.contains(&e["id"].as_i64().unwrap_or_default()))) {
                found = Some((email.to_owned(), c["name"].as_str().unwrap_or_default().to_owned(), e["id"].as_i64().unwrap_or_default()));
                break 'search;
            }
        }
    }
    let (email, community, entry) = found.context("an entry older than the first page, by a member, about a community")?;
    sign_in(&app, &server.url, DEMO_EMAIL).await?;
    go_to(&app, "northw", "Northwind Security").await?;
    tab(&app, "Audit log").await?;
    app.sees("Times and days in your time zone").await?;
    app.fill("Actor", &email).await?;
    app.select("Community", &community).await?;
    app.xpath(&format!("//tr[@data-entry='{entry}']")).await?;
    app.sees("matching entr").await?;
    app.shot("audit-old-entry").await;
    let _ = dir;
    Ok(())
});

/// The danger buttons of the member and invitation panels, each measured from its own
/// screenshot: text against background at least 4.5:1 (WCAG AA), in the theme the window has.
async fn danger_buttons_are_readable(app: &App, server: &Server, theme: &str) -> Result<()> {
    sign_in(app, &server.url, DEMO_EMAIL).await?;
    let dark: bool = serde_json::from_value(app.c.execute("return matchMedia('(prefers-color-scheme: dark)').matches", vec![]).await?)?;
    ensure!(dark == (theme == "dark"), "the window's theme is {theme}: prefers dark {dark}");
    go_to(app, "northw", "Northwind Security").await?;
    tab(app, "Members").await?;
    // The filtered counts, from the server: a row is opened only once the table shows them.
    let api = server.api(DEMO_EMAIL).await?;
    let ws = ws_id(&api, "northwind-mssp").await?;
    let members = all_items(&api, &format!("/v1/workspaces/{ws}/members")).await?.iter().filter(|m| m["role"] == "member").count();
    let invited = all_items(&api, &format!("/v1/workspaces/{ws}/invitations")).await?.iter().filter(|i| i["status"] == "pending").count();
    let people = |n: usize| if n == 1 { "1 person".to_owned() } else { format!("{n} people") };
    // A plain member: an owner's Remove may be disabled (the last owner), and dimmed on purpose.
    app.select("Workspace role", "member").await?;
    app.select("Status", "members only").await?;
    app.sees_in("[data-testid=members-total]", &people(members)).await?;
    let first = app.xpath("//tbody//tr[@data-index='0']").await?;
    app.click_element(&first, "a member's row").await?;
    let mut measured = Vec::new();
    let b = app.button("Remove member").await?;
    measured.push(("Remove member", app.box_of(&b, "Remove member").await?));
    app.select("Workspace role", "any").await?;
    app.select("Status", "pending invitations").await?;
    app.sees_in("[data-testid=members-total]", &people(invited)).await?;
    let first = app.xpath("//tbody//tr[@data-index='0']").await?;
    app.click_element(&first, "an invitation's row").await?;
    let b = app.button("Revoke invitation").await?;
    measured.push(("Revoke invitation", app.box_of(&b, "Revoke invitation").await?));
    for (label, (area, computed, png)) in measured {
        let shot = format!("{}-{theme}.png", label.to_lowercase().replace(' ', "-"));
        std::fs::write(app.dir.join(&shot), &png)?;
        let (ratio, bg) = measure(&png, Some(area))?;
        // The crop is the button: its commonest colour is the background the page computed.
        let near = bg.iter().zip(computed).all(|(a, b)| a.abs_diff(b) <= 8);
        ensure!(near, "the crop {area:?} of {shot} is not “{label}”: its background {bg:?}, the button's {computed:?}");
        eprintln!("{label} ({theme}): {ratio:.2}:1 at {area:?} of {shot}");
        ensure!(ratio >= 4.5, "“{label}” in the {theme} theme: its text stands {ratio:.2}:1 against its background, under 4.5:1 ({shot}, {area:?})");
    }
    Ok(())
}

e2e_in_both_themes!(danger_buttons_are_readable_in_the_light_theme, danger_buttons_are_readable_in_the_dark_theme, danger_buttons_are_readable);

// `make run`'s first run: the console is told about the local demo server and signs in to it at
// once, showing the server and credentials it used.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "end-to-end: needs Xvfb, a keyring and tauri-driver; run by scripts/e2e.sh"]
async fn make_run_first_run_signs_in_to_the_demo_server() {
    let dir = artifacts("make_run_first_run");
    let server = Server::start(&dir, "server").expect("server");
    let env = [
        ("TENANTRY_DEMO_SERVER", server.url.as_str()),
        ("TENANTRY_DEMO_EMAIL", DEMO_EMAIL),
        ("TENANTRY_DEMO_PASSWORD", PASSWORD),
        ("TENANTRY_DEMO_AUTO", "1"),
    ];
    let app = App::open("make_run_first_run", &dir, &env).await.expect("app");
    let outcome = attempt(app, |app: Arc<App>| async move {
        app.sees_in("[data-testid=workspace-name]", "Globex Corporation").await?;
        let host = server.url.trim_start_matches("http://").to_owned();
        app.sees_in(".pane-header", &format!("{DEMO_EMAIL} · {host}")).await?;
        app.shot("signed-in").await;
        Ok(())
    })
    .await;
    if let Err(report) = outcome {
        panic!("{report}");
    }
}

// The palette searches every signed-in account, people included: a person who exists only on a
// second server, whose account was added (and synced at once) without a pane of its own, is
// found by part of their email; the result names the account by its label, and Enter opens
// their member panel there.
e2e!(the_palette_finds_a_person_in_another_accounts_workspace, |app, server, dir| {
    let mut second = Server::start(&dir, "server2")?;
    let api2 = second.api(DEMO_EMAIL).await?;
    let ws2 = ws_id(&api2, "northwind-mssp").await?;
    let community = all_items(&api2, &format!("/v1/workspaces/{ws2}/communities")).await?.into_iter().next().context("a community")?;
    let analyst = all_items(&api2, &format!("/v1/workspaces/{ws2}/roles")).await?.into_iter().find(|r| r["name"] == "Analyst").context("Analyst")?;
    let zoe_email = "zoe.xu@second-server.example";
    let zoe = tenancy_client::ApiClient::new(&tenancy_client::account_ref::AccountRef::new(&second.url, zoe_email)?, Arc::new(tenancy_client::secret::MemorySecrets::default()))?;
    zoe.register(&tenancy::Name::parse("Zoe Xu")?, PASSWORD).await?;
    let body = serde_json::json!({"email": zoe_email, "assignments": [{"community_id": community["id"], "role_id": analyst["id"]}]});
    let inv: serde_json::Value = api2.call(tenancy_client::http::Method::POST, &format!("/v1/workspaces/{ws2}/invitations"), Some(&body), None).await?;
    let _: serde_json::Value = zoe.call(tenancy_client::http::Method::POST, &format!("/v1/invitations/{}/accept", inv["id"].as_str().unwrap()), Some(&serde_json::json!({})), None).await?;

    sign_in(&app, &server.url, DEMO_EMAIL).await?;
    go_to(&app, "northw", "Northwind Security").await?;
    add_demo_account(&app, &second.url).await?;
    // No pane opened for it: it syncs at once all the same, and says so in Accounts.
    app.click("Accounts (2)").await?;
    let second_host = second.url.trim_start_matches("http://").to_owned();
    let row = format!("//tr[@data-account={}]", xpath_literal(&format!("{DEMO_EMAIL} @ {}", second.url)));
    app.wait_for("the second account's first sync", || {
        let row = row.clone();
        let app = &app;
        async move {
            let r = app.xpath(&row).await?;
            Ok(app.inner_text(&r).await?.contains("From ").then_some(()))
        }
    })
    .await?;
    app.click(&format!("Label {DEMO_EMAIL} on {second_host}")).await?;
    app.fill(&format!("Label for {DEMO_EMAIL} on {second_host}"), "Second lab").await?;
    app.click("Save").await?;
    app.sees_in(&format!("[data-account='{DEMO_EMAIL} @ {}']", second.url), "Second lab").await?;
    app.shot("accounts-labelled").await;
    app.keys(&Key::Escape.to_string()).await?;
    app.no_longer_sees("Add an account…").await?;

    // One pane, on the first server; the palette still finds Zoe, on the second.
    ensure!(app.c.find_all(fantoccini::Locator::Css("section.pane")).await?.len() == 1, "one pane");
    app.focus_page().await?;
    app.keys(&format!("{}k{}", Key::Control, Key::Null)).await?;
    let input = app.el(".palette input").await?;
    input.send_keys("zoe.xu").await?;
    let hit = app.sees_in(".palette li.active", "Zoe Xu").await?;
    ensure!(hit.contains(zoe_email) && hit.contains("Second lab") && hit.contains("Northwind Security"), "the result names the person, workspace and account: {hit}");
    app.shot("palette-person").await;
    input.send_keys(&Key::Enter.to_string()).await?;
    // The pane moved to that account, workspace and person.
    app.sees_in("[data-testid=pane-account]", "Second lab").await?;
    app.sees_in("[data-testid=workspace-name]", "Northwind Security").await?;
    let panel = app.sees_in("aside[aria-label='Member details']", zoe_email).await?;
    ensure!(panel.contains("Analyst"), "her member panel with her role: {panel}");
    app.sees_in("[role=tab][aria-selected=true]", "Members").await?;
    app.shot("palette-opened-person").await;
    second.stop();
    Ok(())
});

/// Checks that in the pane `pane` (CSS), every button of `scope` (CSS, inside it) can be
/// reached: once scrolled into view it lies inside the pane and nothing covers its centre.
async fn all_buttons_reachable(app: &App, pane: &str, scope: &str) -> Result<usize> {
    let v = app
        .c
        .execute(
            "const [pane, scope] = arguments; const p = document.querySelector(pane); const s = p && p.querySelector(scope);
             if (!s) return {error: 'no ' + scope};
             const pr = p.getBoundingClientRect(); const bad = []; let n = 0;
             for (const b of s.querySelectorAll('button')) {
               if (b.offsetParent === null) continue; n++;
               b.scrollIntoView({block: 'nearest', inline: 'nearest'});
               const r = b.getBoundingClientRect();
               const x = r.left + r.width / 2, y = r.top + r.height / 2;
               const top = document.elementFromPoint(x, y);
               const inside = r.left >= pr.left - 1 && r.right <= pr.right + 1 && r.width > 0;
               if (!inside || !(top === b || b.contains(top))) bad.push((b.getAttribute('aria-label') || b.textContent.trim()) + (inside ? ' (covered by ' + (top ? top.tagName + '.' + top.className : 'nothing') + ')' : ' (outside the pane)'));
             }
             return {n, bad};",
            vec![pane.into(), scope.into()],
        )
        .await?;
    ensure!(v.get("error").is_none(), "{v}");
    let bad: Vec<String> = serde_json::from_value(v["bad"].clone())?;
    ensure!(bad.is_empty(), "unreachable in {scope}: {bad:?}");
    Ok(v["n"].as_u64().unwrap_or(0) as usize)
}

async fn half_width(app: &App, server: &Server, theme: &str) -> Result<()> {
    sign_in(app, &server.url, DEMO_EMAIL).await?;
    go_to(app, "northw", "Northwind Security").await?;
    app.shot(&format!("full-width-{theme}")).await;
    app.click("Split pane").await?;
    let first = "section.pane:nth-of-type(1)";
    app.wait_for("both panes at half width", || async move {
        let n: Vec<String> = serde_json::from_value(app.c.execute("return [...document.querySelectorAll('section.pane')].map(p => p.dataset.size)", vec![]).await?)?;
        Ok((n == ["narrow", "narrow"]).then_some(()))
    })
    .await?;
    ensure!(app.c.find_all(fantoccini::Locator::Css("section.pane [role=tablist]")).await?.is_empty(), "the tabs folded into a menu");
    let pane = app.el(first).await?;
    // Every view from the menu, each showing its content.
    let views = [("Communities", "25 communities"), ("Roles", "Analyst"), ("API keys", "Prefix"), ("Audit log", "Action"), ("Workspace", "Delete workspace…"), ("Overview", "Roles by community"), ("Members", "people")];
    let mut current = "Overview".to_owned();
    for (name, shows) in views {
        app.click_in(&pane, &format!("View: {current}")).await?;
        app.sees_in(&format!("{first} [role=menu]"), name).await?;
        app.click_in(&pane, name).await?;
        app.sees_in(&format!("{first} [data-testid=view-menu]"), name).await?;
        app.sees_in(&format!("{first} .pane-body"), shows).await?;
        if name == "API keys" {
            all_buttons_reachable(app, first, ".pane-body").await?;
        }
        current = name.to_owned();
    }
    // The member panel lays over the list, and each of its actions can be reached.
    app.sees_in(&format!("{first} [data-testid=members-total]"), "people").await?;
    let cell = app.el(&format!("{first} tbody tr[data-index='0'] td")).await?;
    app.click_element(&cell, "the first member").await?;
    // (Once the person has loaded: the panel opens with only its × while they do.)
    app.sees_in(&format!("{first} aside[aria-label='Member details']"), "Effective permissions").await?;
    let n = all_buttons_reachable(app, first, "aside[aria-label='Member details']").await?;
    ensure!(n >= 3, "the panel's actions: {n} buttons");
    app.shot(&format!("half-width-{theme}")).await;
    Ok(())
}

// At half width (two panes side by side in the default window) every view is reachable from
// the view menu, and the member panel's actions and the API keys' buttons stay within reach.
e2e_in_both_themes!(half_width_panes_keep_every_view_and_action_reachable, half_width_panes_in_the_dark_theme, half_width);
