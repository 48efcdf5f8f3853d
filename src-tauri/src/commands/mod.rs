//! The commands the UI calls, made from the one list in `list.rs`: for each, its arguments as
//! one struct (read from the whole IPC payload; a missing, misspelt or extra argument is a
//! `validation` error), a Tauri command that hands them to the handler of the same name, the
//! handler registration, and the TypeScript types of every command's arguments and answer.
//! Handlers only wire: each calls `tenancy-client` and answers data or a `{code, message}`.

#[macro_use]
mod list;
mod changes;
mod reads;
mod rules;
mod session;

use crate::state::{Console, DemoHint};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tauri::ipc::{CommandArg, CommandItem, InvokeBody, InvokeError};
use tauri::{AppHandle, Runtime, State};
use tenancy::catalogue::{CatalogueEntry, GlossaryEntry};
use tenancy::slug::SlugHint;
use tenancy::wire::*;
use tenancy::*;
use tenancy_client::account_ref::AccountKey;
use tenancy_client::accounts::{Account, AccountView};
use tenancy::values::IntakeKindChoice;
use tenancy_client::cache::views::{Aggregate, CommunityRow, MemberDetail, MemberPage, MemberQuery, PersonHit, WorkspaceMode};
use tenancy_client::cache::SyncState;
use tenancy_client::invites::{InviteOutcome, InvitePreview};
use tenancy_client::prefs::UiPrefs;
use tenancy_client::report::{CompareSide, Comparison, ExportFormat, ExportResult, ExportWhat};
use tenancy_client::sync::SyncOutcome;
use tenancy_client::{ClientError, ErrorCode};

type R<T> = Result<T, ClientError>;

/// A resource's version as the user saw it (the server answers `precondition_failed` when it
/// moved since).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(transparent)]
#[ts(export, type = "number")]
pub struct Version(pub i64);

/// What a handler works with: the app (its paths, events, preferences) and the open accounts.
pub struct Cx<'a, RT: Runtime> {
    pub app: &'a AppHandle<RT>,
    pub console: &'a Console,
}

impl<RT: Runtime> Cx<'_, RT> {
    async fn account(&self, key: &AccountKey) -> R<Arc<Account>> {
        self.accounts().await.get(key).await
    }

    /// The console's accounts, once those remembered are open again (at start).
    async fn accounts(&self) -> &tenancy_client::accounts::Accounts {
        self.console.reopened().await;
        &self.console.accounts
    }
}

/// A command's arguments, read from the whole payload the webview sent (rather than one key of
/// it, as Tauri reads a plain argument).
pub struct Args<T>(pub T);

impl<'de, RT: Runtime, T: DeserializeOwned> CommandArg<'de, RT> for Args<T> {
    fn from_command(command: CommandItem<'de, RT>) -> Result<Self, InvokeError> {
        let refused = |why: String| InvokeError::from(ClientError::new(ErrorCode::Validation, format!("The console sent {} arguments it does not take ({why}).", command.name)));
        match command.message.payload() {
            InvokeBody::Json(v) => serde_json::from_value(v.clone()).map(Args).map_err(|e| refused(e.to_string())),
            InvokeBody::Raw(_) => Err(refused("a raw body".into())),
        }
    }
}

macro_rules! derive_commands {
    ($( $name:ident { $($arg:ident : $ty:ty),* $(,)? } -> $out:ty; )*) => {
        /// One struct per command: the arguments it takes.
        pub mod args {
            use super::*;
            $(
                #[allow(non_camel_case_types)]
                #[derive(Debug, Deserialize, ts_rs::TS)]
                #[serde(rename_all = "camelCase", deny_unknown_fields)]
                pub struct $name { $(pub $arg: $ty,)* }
            )*
        }

        /// The Tauri commands, each handing its arguments to its handler.
        pub mod ipc {
            use super::*;
            $(
                #[tauri::command]
                pub async fn $name<RT: Runtime>(app: AppHandle<RT>, console: State<'_, Console>, args: Args<args::$name>) -> R<$out> {
                    handlers::$name(&Cx { app: &app, console: &console }, args.0).await
                }
            )*
        }

        pub fn handler<RT: Runtime>() -> impl Fn(tauri::ipc::Invoke<RT>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$(ipc::$name),*]
        }

        /// Every command's arguments, by command (TypeScript: `CommandArgs`).
        #[allow(dead_code)]
        #[derive(ts_rs::TS)]
        #[ts(export)]
        pub struct CommandArgs { $( #[ts(inline)] pub $name: args::$name, )* }

        /// Every command's answer, by command (TypeScript: `CommandResults`).
        #[allow(dead_code)]
        #[derive(ts_rs::TS)]
        #[ts(export)]
        pub struct CommandResults { $( pub $name: $out, )* }

        /// The commands' names, in the list's order.
        pub const NAMES: &[&str] = &[$(stringify!($name)),*];
    };
}

/// The handlers, whichever module holds them.
mod handlers {
    pub use super::changes::*;
    pub use super::reads::*;
    pub use super::rules::*;
    pub use super::session::*;
}

console_commands!(derive_commands);

/// Events the console sends the UI, each a name and what it carries (TypeScript: `Events`).
macro_rules! events {
    ($( $(#[$doc:meta])* $const:ident = $name:literal => $field:ident: $payload:ty; )*) => {
        $( $(#[$doc])* pub const $const: &str = $name; )*

        #[allow(dead_code)]
        #[derive(Serialize, ts_rs::TS)]
        #[ts(export)]
        pub struct Events { $( #[serde(rename = $name)] pub $field: $payload, )* }
    };
}

events! {
    /// How far an account's sync has come.
    SYNC_PROGRESS = "sync-progress" => sync_progress: SyncProgressEvent;
    /// How many invitations of an `invite_many` have been sent.
    INVITE_PROGRESS = "invite-progress" => invite_progress: InviteProgressEvent;
}

#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct SyncProgressEvent {
    pub account: AccountKey,
    pub progress: tenancy_client::sync::Progress,
}

#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct InviteProgressEvent {
    pub account: AccountKey,
    pub workspace_id: WorkspaceId,
    pub done: u32,
    pub of: u32,
}
