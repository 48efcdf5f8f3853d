//! The real OS keyring (Secret Service through zbus). Needs a D-Bus session with an unlocked
//! gnome-keyring; `make test` runs these inside `dbus-run-session` (scripts/with-keyring.sh).
//! Ignored by default so that a plain `cargo test` without a Secret Service does not fail.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use tenancy_client::account_ref::AccountRef;
use tenancy_client::accounts::Accounts;
use tenancy_client::secret::{KeyringSecrets, Sensitive, KEYRING_SERVICE};
use tenancy_server::seed::{self, DEMO_EMAIL, DEMO_PASSWORD};

fn secret_tool_lists(account: &str) -> bool {
    let out = Command::new("secret-tool").args(["search", "--all", "service", KEYRING_SERVICE, "username", account]).output().expect("secret-tool (libsecret-tools) is installed");
    String::from_utf8_lossy(&out.stdout).contains(account) || String::from_utf8_lossy(&out.stderr).contains(account)
}

fn contains(path: &Path, needle: &[u8]) -> bool {
    std::fs::read(path).map(|b| b.windows(needle.len()).any(|w| w == needle)).unwrap_or(false)
}

#[tokio::test]
#[ignore = "needs a Secret Service: run through scripts/with-keyring.sh"]
async fn tokens_live_in_the_os_keyring_and_nowhere_else() {
    let secrets = KeyringSecrets::install().expect("a Secret Service on the session bus");

    // Store, read back, delete.
    let probe = "probe@tenantry.example @ http://keyring.test";
    secrets.set(probe, &Sensitive::new("tnt_rt_probe-value".into())).unwrap();
    assert_eq!(secrets.get(probe).unwrap().unwrap().expose(), "tnt_rt_probe-value");
    assert!(secret_tool_lists(probe), "secret-tool sees the entry");
    secrets.delete(probe).unwrap();
    assert!(secrets.get(probe).unwrap().is_none());
    assert!(!secret_tool_lists(probe));

    // A whole session: sign in, sync, sign out.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("server.db").display());
    let store = tenancy_server::SqliteStore::open(&url).await.unwrap();
    seed::run(&store, seed::Profile::Demo, 3).await.unwrap();
    let server = tenancy_server::start(Arc::new(store), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let data = dir.path().join("console");
    let accounts = Accounts::new(data.clone(), secrets.clone());
    let r = AccountRef { server: server.url(), email: DEMO_EMAIL.into() };
    let a = accounts.sign_in(&r, DEMO_PASSWORD, None).await.unwrap();
    a.sync(|_| {}).await.unwrap();
    let refresh = secrets.get(r.key().as_str()).unwrap().expect("refresh token in the keyring");
    assert!(secret_tool_lists(r.key().as_str()));
    let cache = accounts.cache_path(&r);
    for file in [cache.clone(), cache.with_extension("db-wal")] {
        assert!(!contains(&file, refresh.expose().as_bytes()), "refresh token bytes in {}", file.display());
        assert!(!contains(&file, b"tnt_rt_") && !contains(&file, b"tnt_at_"), "token bytes in {}", file.display());
    }
    accounts.sign_out(&r.key()).await.unwrap();
    assert!(secrets.get(r.key().as_str()).unwrap().is_none(), "sign-out deletes the keyring entry");
    assert!(!secret_tool_lists(r.key().as_str()));
    assert!(!cache.exists(), "sign-out removes the cache");
}
