//! Comparing two workspaces' people from the cache, narrowed to selected communities, and the
//! comparison's export — against a real tenancy server on port 0 (seeded with the demo data).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use tenancy::wire::*;
use tenancy::*;
use tenancy_client::report::{self, CompareSide, CompareStatus, Comparison, ExportFormat, Person};
use tenancy_client::secret::MemorySecrets;
use tenancy_client::{sync::sync, ApiClient, Cache};
use tenancy_server::seed::{DEMO_EMAIL, DEMO_PASSWORD};

struct World {
    _server: tenancy_server::Running,
    dir: tempfile::TempDir,
    cache: Cache,
    api: ApiClient,
}

mod support;

async fn world() -> World {
    let support::DemoServer { server, dir } = support::demo_server().await;
    let api = ApiClient::new(&tenancy_client::account_ref::AccountRef::new(&server.url(), DEMO_EMAIL).unwrap(), Arc::new(MemorySecrets::default())).unwrap();
    api.sign_in(DEMO_PASSWORD, None).await.unwrap();
    let cache = Cache::open(&dir.path().join("cache.db")).await.unwrap();
    sync(&api, &cache, None, |_| {}).await.unwrap();
    World { _server: server, dir, cache, api }
}

async fn workspace(w: &World, slug: &str) -> Workspace {
    w.cache.workspaces(None).await.unwrap().into_iter().find(|x| x.slug.as_str() == slug).unwrap_or_else(|| panic!("no {slug} in the cache"))
}

fn side(w: &World, ws: &Workspace, communities: &[&Community]) -> CompareSide {
    CompareSide { account: w.api.account().clone(), workspace_id: ws.id, communities: communities.iter().map(|c| c.id).collect() }
}

fn labels_in(p: &Person, community: &str, inside: bool) -> Vec<String> {
    let mut out: Vec<String> = p.roles.iter().filter(|r| (r.community == community) == inside).map(|r| format!("{} in {}", r.role, r.community)).collect();
    out.dedup();
    out
}

/// The communities of `ws` with the most people holding a role there, most first.
fn busiest<'a>(people: &[Person], communities: &'a [Community]) -> Vec<&'a Community> {
    let mut holders: BTreeMap<String, usize> = BTreeMap::new();
    for p in people {
        for c in p.roles.iter().map(|r| r.community.clone()).collect::<BTreeSet<_>>() {
            *holders.entry(c).or_default() += 1;
        }
    }
    let mut cs: Vec<&Community> = communities.iter().collect();
    cs.sort_by_key(|c| std::cmp::Reverse(holders.get(c.name.as_str()).copied().unwrap_or(0)));
    cs
}

/// A workspace narrowed to one community against itself whole: the narrowed side holds exactly
/// the people with a role there, only their roles there; everyone else is on the right only,
/// and a holder differs exactly by their roles elsewhere.
#[tokio::test]
async fn a_side_narrowed_to_communities_counts_only_their_holders_and_their_roles_there() {
    let w = world().await;
    let now = chrono::Utc::now();
    let nw = workspace(&w, "northwind-mssp").await;
    let whole = report::people(&w.cache, nw.id, &[], now).await.unwrap();
    let communities = w.cache.communities(nw.id, None).await.unwrap();
    let a = busiest(&whole, &communities)[0];
    let name = a.name.as_str();

    let c = report::compare_sides(&w.cache, &side(&w, &nw, &[a]), &w.cache, &side(&w, &nw, &[]), now).await.unwrap();
    assert_eq!(c.left_communities, [name]);
    assert!(c.right_communities.is_empty(), "the whole workspace names no community");

    let holders: BTreeMap<&str, &Person> = whole.iter().filter(|p| p.roles.iter().any(|r| r.community == name)).map(|p| (p.email.as_str(), p)).collect();
    assert!(holders.len() > 2 && holders.len() < whole.len(), "{} of {} people hold a role in {name}", holders.len(), whole.len());
    assert_eq!(c.rows.len(), whole.len(), "everyone appears once");
    assert_eq!(c.only_left, 0);
    assert_eq!(c.only_right as usize, whole.len() - holders.len());
    assert_eq!((c.differing + c.same) as usize, holders.len());
    let left: BTreeSet<&str> = c.rows.iter().filter(|r| r.left.is_some()).map(|r| r.email.as_str()).collect();
    assert_eq!(left, holders.keys().copied().collect::<BTreeSet<_>>(), "the narrowed side holds exactly the community's people");
    for r in &c.rows {
        match holders.get(r.email.as_str()) {
            None => assert_eq!(r.status, CompareStatus::OnlyRight, "{} holds no role in {name}", r.email),
            Some(p) => {
                let l = r.left.as_ref().unwrap();
                assert_eq!(l.roles, labels_in(p, name, true), "{}: only the roles in {name} on the narrowed side", r.email);
                assert_eq!(r.only_left, Vec::<String>::new());
                assert_eq!(r.only_right, labels_in(p, name, false), "{}: the difference is the roles elsewhere", r.email);
                let want = if r.only_right.is_empty() { CompareStatus::Same } else { CompareStatus::Differ };
                assert_eq!(r.status, want, "{}", r.email);
            }
        }
    }
    assert!(c.differing > 0, "some holder of {name} has roles elsewhere too");

    // Narrowed alike on both sides, a workspace is the same as itself.
    let b = busiest(&whole, &communities)[1];
    let twice = side(&w, &nw, &[b, a]);
    let c = report::compare_sides(&w.cache, &twice, &w.cache, &twice, now).await.unwrap();
    assert_eq!((c.only_left, c.only_right, c.differing), (0, 0, 0));
    assert!(c.same as usize > holders.len(), "holders of either community: {}", c.same);
    let mut names = vec![a.name.to_string(), b.name.to_string()];
    names.sort_by(|x, y| tenancy::order::natural_cmp(x, y));
    assert_eq!(c.left_communities, names, "the selection is named, in natural order");
}

/// Two workspaces whose communities have different names: people in both, narrowed on each
/// side, never compare the same, and the roles on each side are only in its own selection.
#[tokio::test]
async fn two_workspaces_narrowed_compare_by_community_name() {
    let w = world().await;
    let now = chrono::Utc::now();
    let (nw, ss) = (workspace(&w, "northwind-mssp").await, workspace(&w, "sentinel-shield").await);
    let (nc, sc) = (w.cache.communities(nw.id, None).await.unwrap(), w.cache.communities(ss.id, None).await.unwrap());
    let (np, sp) = (report::people(&w.cache, nw.id, &[], now).await.unwrap(), report::people(&w.cache, ss.id, &[], now).await.unwrap());
    let (a, b) = (busiest(&np, &nc)[0], busiest(&sp, &sc)[0]);
    assert_ne!(a.name, b.name);
    let c = report::compare_sides(&w.cache, &side(&w, &nw, &[a]), &w.cache, &side(&w, &ss, &[b]), now).await.unwrap();
    let both: Vec<_> = c.rows.iter().filter(|r| r.left.is_some() && r.right.is_some()).collect();
    assert!(!both.is_empty(), "some analysts hold roles in both selections");
    for r in &c.rows {
        if let Some(l) = &r.left {
            assert!(l.roles.iter().all(|x| x.ends_with(&format!(" in {}", a.name))), "{}: {:?}", r.email, l.roles);
        }
        if let Some(x) = &r.right {
            assert!(x.roles.iter().all(|x| x.ends_with(&format!(" in {}", b.name))), "{}: {:?}", r.email, x.roles);
        }
    }
    assert!(both.iter().all(|r| r.status == CompareStatus::Differ && !r.only_left.is_empty() && !r.only_right.is_empty()));
    assert_eq!(c.same, 0);
    assert_eq!((c.only_left + c.only_right + c.differing) as usize, c.rows.len());
}

/// The export holds every person compared (the same ones too), in CSV and in JSON, whole.
#[tokio::test]
async fn the_comparison_export_holds_every_row_in_csv_and_json() {
    let w = world().await;
    let now = chrono::Utc::now();
    let nw = workspace(&w, "northwind-mssp").await;
    let nc = w.cache.communities(nw.id, None).await.unwrap();
    let np = report::people(&w.cache, nw.id, &[], now).await.unwrap();
    let a = busiest(&np, &nc)[0];
    let (left, right) = (side(&w, &nw, &[a]), side(&w, &nw, &[]));
    let want = report::compare_sides(&w.cache, &left, &w.cache, &right, now).await.unwrap();
    assert!(want.same > 0 && want.only_right > 0, "the export has rows the dialog hides by default");

    let dir = w.dir.path().join("exports");
    let csv = report::export_comparison(&w.cache, &left, &w.cache, &right, ExportFormat::Csv, &dir, now).await.unwrap();
    assert_eq!(csv.count as usize, want.rows.len());
    assert!(csv.path.ends_with(".csv") && csv.path.contains("tenantry-compare-northwind-mssp-vs-northwind-mssp-"), "{}", csv.path);
    let mut rd = csv::Reader::from_path(&csv.path).unwrap();
    let header: Vec<String> = rd.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header[..3], ["email", "display_name", "status"]);
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.iter().map(|r| r[0].to_owned()).collect::<Vec<_>>(), want.rows.iter().map(|r| r.email.clone()).collect::<Vec<_>>());
    let status = |s: CompareStatus| serde_json::to_value(s).unwrap().as_str().unwrap().to_owned();
    for (line, r) in rows.iter().zip(&want.rows) {
        assert_eq!(line[2], status(r.status), "{}", r.email);
        assert_eq!(line[5], r.left.as_ref().map(|l| l.roles.join("; ")).unwrap_or_default(), "{}", r.email);
        assert_eq!(line[10], r.only_right.join("; "), "{}", r.email);
    }

    let json = report::export_comparison(&w.cache, &left, &w.cache, &right, ExportFormat::Json, &dir, now + chrono::Duration::seconds(1)).await.unwrap();
    let back: Comparison = serde_json::from_str(&std::fs::read_to_string(&json.path).unwrap()).unwrap();
    assert_eq!(back, want, "the JSON is the comparison the dialog shows, whole");
    assert!(std::fs::read_dir(&dir).unwrap().all(|f| !f.unwrap().path().to_string_lossy().ends_with(".part")), "no partial file left");

    // A workspace the cache does not know is refused, and nothing is written.
    let gone = CompareSide { workspace_id: WorkspaceId::new(), ..left.clone() };
    let e = report::export_comparison(&w.cache, &gone, &w.cache, &right, ExportFormat::Csv, &dir, now + chrono::Duration::seconds(2)).await.unwrap_err();
    assert_eq!(e.code, tenancy_client::ErrorCode::NotFound);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
}
