//! Signing in and out, syncing, and the user's preferences.

use super::*;
use crate::state;
use tauri::Emitter;

pub async fn demo_hint<RT: Runtime>(_: &Cx<'_, RT>, _: args::demo_hint) -> R<Option<DemoHint>> {
    Ok(Console::demo_hint())
}

pub async fn ui_prefs<RT: Runtime>(cx: &Cx<'_, RT>, _: args::ui_prefs) -> R<UiPrefs> {
    Ok(state::ui_prefs(cx.app))
}

pub async fn save_ui_prefs<RT: Runtime>(cx: &Cx<'_, RT>, a: args::save_ui_prefs) -> R<UiPrefs> {
    let prefs = a.prefs.checked()?;
    state::save_ui_prefs(cx.app, &prefs)?;
    Ok(prefs)
}

pub async fn list_accounts<RT: Runtime>(cx: &Cx<'_, RT>, _: args::list_accounts) -> R<Vec<AccountView>> {
    let mut out = Vec::new();
    for a in cx.accounts().await.list().await {
        out.push(a.view().await?);
    }
    Ok(out)
}

pub async fn add_account<RT: Runtime>(cx: &Cx<'_, RT>, a: args::add_account) -> R<AccountView> {
    let account = cx.accounts().await.add(&a.server, &a.email, &a.password, a.totp.as_deref()).await?;
    remembered(cx, &account).await
}

/// A new account on the server, signed in at once (remembered like an added one).
pub async fn create_account<RT: Runtime>(cx: &Cx<'_, RT>, a: args::create_account) -> R<AccountView> {
    let account = cx.accounts().await.create(&a.server, &a.display_name, &a.email, &a.password).await?;
    remembered(cx, &account).await
}

/// A signed-in account is reopened at the next start: it joins the remembered list (once).
async fn remembered<RT: Runtime>(cx: &Cx<'_, RT>, account: &Account) -> R<AccountView> {
    let mut refs = state::remembered(cx.app);
    if !refs.contains(&account.r#ref) {
        refs.push(account.r#ref.clone());
        state::remember(cx.app, &refs)?;
    }
    account.view().await
}

pub async fn sign_out<RT: Runtime>(cx: &Cx<'_, RT>, a: args::sign_out) -> R<()> {
    cx.accounts().await.sign_out(&a.account).await?;
    let refs: Vec<_> = state::remembered(cx.app).into_iter().filter(|r| r.key() != a.account).collect();
    state::remember(cx.app, &refs)
}

pub async fn sync_now<RT: Runtime>(cx: &Cx<'_, RT>, a: args::sync_now) -> R<SyncOutcome> {
    let account = cx.account(&a.account).await?;
    // A first sync fills an empty cache: SQLite may use all the memory it wants meanwhile.
    let _full = (account.cache.state().await?.cursor == 0).then(crate::memory::FullSync::start);
    account
        .sync(|progress| {
            let _ = cx.app.emit(SYNC_PROGRESS, SyncProgressEvent { account: a.account.clone(), progress });
        })
        .await
}

pub async fn sync_status<RT: Runtime>(cx: &Cx<'_, RT>, a: args::sync_status) -> R<SyncState> {
    cx.account(&a.account).await?.cache.state().await
}
