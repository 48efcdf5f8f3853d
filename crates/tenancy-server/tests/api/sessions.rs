//! Sign-up, sign-in, refresh rotation with reuse detection, sign-out, and TOTP.

use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

async fn register(app: &TestApp, email: &str, password: &str) -> Answer {
    app.call(Method::POST, "/v1/auth/register", None, Some(json!({"email": email, "display_name": "Someone", "password": password})), &[]).await
}

async fn login(app: &TestApp, email: &str, password: &str, totp: Option<&str>) -> Answer {
    let mut body = json!({"email": email, "password": password});
    if let Some(code) = totp {
        body["totp"] = json!(code);
    }
    app.call(Method::POST, "/v1/auth/login", None, Some(body), &[]).await
}

async fn refresh(app: &TestApp, refresh_token: &str) -> Answer {
    app.call(Method::POST, "/v1/auth/refresh", None, Some(json!({"refresh_token": refresh_token})), &[]).await
}

async fn me(app: &TestApp, token: &str) -> Answer {
    app.call(Method::GET, "/v1/me", Some(token), None, &[]).await
}

/// Enrols and verifies TOTP for `u`; returns the secret.
async fn enrol_totp(app: &TestApp, u: &User) -> String {
    let e = app.post("/v1/me/2fa/enrol", u, json!({})).await.expect(200);
    let secret = e["secret"].as_str().expect("a secret").to_owned();
    assert!(e["otpauth_url"].as_str().unwrap().starts_with("otpauth://totp/"), "{e}");
    let user = app.post("/v1/me/2fa/verify", u, json!({"code": totp_code(&secret)})).await.expect(200);
    assert_eq!(user["two_factor_enabled"], true);
    secret
}

/// A six-digit code that is valid in no window the server accepts (previous, current, next step).
fn wrong_code(secret: &str) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let valid: Vec<String> = [now.saturating_sub(60), now.saturating_sub(30), now, now + 30, now + 60].iter().map(|t| totp_code_at(secret, *t)).collect();
    (0..1_000_000u32).map(|n| format!("{n:06}")).find(|c| !valid.contains(c)).unwrap()
}

#[tokio::test]
async fn register_refuses_a_short_password_and_a_taken_email() {
    let app = TestApp::spawn().await;
    let detail = register(&app, "shorty@test.example", "too-short").await.problem(422, "validation");
    assert!(detail.contains("12"), "the sentence names the minimum length: {detail}");
    // Nothing was created: the same email can still register with a good password.
    let s = register(&app, "shorty@test.example", PASSWORD).await.expect(201);
    assert_eq!(s["user"]["email"], "shorty@test.example");
    assert!(s["access_token"].as_str().unwrap().len() > 20);
    assert!(s["refresh_token"].as_str().unwrap().len() > 20);
    assert_eq!(s["expires_in"].as_u64(), Some(900));

    register(&app, "shorty@test.example", PASSWORD).await.problem(409, "conflict");
    // Emails are case-insensitive: the same address in capitals is the same account.
    register(&app, "SHORTY@test.example", PASSWORD).await.problem(409, "conflict");
}

#[tokio::test]
async fn login_answers_wrong_password_and_unknown_email_alike() {
    let app = TestApp::spawn().await;
    let u = app.user("lena").await;
    let wrong = login(&app, &u.email, "not the right password", None).await;
    let d1 = wrong.problem(401, "invalid-credentials");
    let unknown = login(&app, "nobody@test.example", PASSWORD, None).await;
    let d2 = unknown.problem(401, "invalid-credentials");
    assert_eq!(d1, d2, "an unknown email must not be told apart from a wrong password");
    assert_eq!(wrong.body["title"], unknown.body["title"]);

    let s = login(&app, &u.email, PASSWORD, None).await.expect(200);
    assert_eq!(s["user"]["id"], u.id.as_str());
    assert_ne!(s["access_token"], u.token.as_str(), "each sign-in is a new session");
}

#[tokio::test]
async fn me_describes_the_caller_their_workspaces_and_invitations() {
    let app = TestApp::spawn().await;
    let u = app.user("mira").await;
    let m = me(&app, &u.token).await.expect(200);
    assert_eq!(m["user"]["id"], u.id.as_str());
    assert_eq!(m["user"]["email"], u.email.as_str());
    assert_eq!(m["user"]["two_factor_enabled"], false);
    assert_eq!(m["memberships"].as_array().unwrap().len(), 0);
    assert!(m["user"].get("password_hash").is_none(), "no secret material in /v1/me: {m}");

    app.workspace(&u, "mira-ws", "starter").await;
    let other = app.user("oscar").await;
    app.workspace(&other, "oscar-ws", "starter").await;
    app.post("/v1/workspaces/oscar-ws/invitations", &other, json!({"email": u.email})).await.expect(201);
    let m = me(&app, &u.token).await.expect(200);
    let slugs: Vec<&str> = m["memberships"].as_array().unwrap().iter().map(|x| x["workspace"]["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["mira-ws"]);
    assert_eq!(m["memberships"][0]["role"], "owner");
    assert_eq!(m["invitations"].as_array().unwrap().len(), 1);
    assert_eq!(m["invitations"][0]["invitation"]["status"], "pending");
    assert_eq!(m["invitations"][0]["workspace_slug"], "oscar-ws");
    assert_eq!(m["invitations"][0]["invited_by_email"], other.email.as_str());

    me(&app, "tnt_at_not-a-token").await.problem(401, "unauthenticated");
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_refresh_token_ends_the_whole_session() {
    let app = TestApp::spawn().await;
    let u = app.user("rui").await;
    // A second, independent session of the same user (another device).
    let other_device = login(&app, &u.email, PASSWORD, None).await.expect(200);

    let s1 = refresh(&app, &u.refresh).await.expect(200);
    let (at1, rt1) = (s1["access_token"].as_str().unwrap().to_owned(), s1["refresh_token"].as_str().unwrap().to_owned());
    assert_ne!(at1, u.token);
    assert_ne!(rt1, u.refresh);
    assert_eq!(s1["user"]["id"], u.id.as_str());
    me(&app, &at1).await.expect(200);

    // Rotation continues with the newest refresh token.
    let s2 = refresh(&app, &rt1).await.expect(200);
    let (at2, rt2) = (s2["access_token"].as_str().unwrap().to_owned(), s2["refresh_token"].as_str().unwrap().to_owned());
    me(&app, &at2).await.expect(200);

    // The first refresh token comes back: someone holds a copy.
    refresh(&app, &u.refresh).await.problem(401, "refresh-token-reused");
    // The whole family is gone: the newest access and refresh tokens, and the older ones.
    me(&app, &at2).await.problem(401, "unauthenticated");
    me(&app, &at1).await.problem(401, "unauthenticated");
    me(&app, &u.token).await.problem(401, "unauthenticated");
    refresh(&app, &rt2).await.problem(401, "unauthenticated");
    // Only that session: the other device stays signed in.
    me(&app, other_device["access_token"].as_str().unwrap()).await.expect(200);
    refresh(&app, other_device["refresh_token"].as_str().unwrap()).await.expect(200);
}

#[tokio::test]
async fn a_refresh_token_is_single_use_even_when_reused_immediately() {
    let app = TestApp::spawn().await;
    let u = app.user("ines").await;
    let s1 = refresh(&app, &u.refresh).await.expect(200);
    refresh(&app, &u.refresh).await.problem(401, "refresh-token-reused");
    refresh(&app, s1["refresh_token"].as_str().unwrap()).await.problem(401, "unauthenticated");
    refresh(&app, "tnt_rt_never-issued").await.problem(401, "unauthenticated");
}

#[tokio::test]
async fn logout_ends_the_access_and_refresh_tokens_of_that_session() {
    let app = TestApp::spawn().await;
    let u = app.user("lou").await;
    let other_device = login(&app, &u.email, PASSWORD, None).await.expect(200);
    me(&app, &u.token).await.expect(200);
    let out = app.call(Method::POST, "/v1/auth/logout", Some(&u.token), None, &[]).await;
    assert_eq!(out.status.as_u16(), 204, "{:?}", out.body);
    me(&app, &u.token).await.problem(401, "unauthenticated");
    refresh(&app, &u.refresh).await.problem(401, "unauthenticated");
    app.call(Method::POST, "/v1/auth/logout", Some(&u.token), None, &[]).await.problem(401, "unauthenticated");
    me(&app, other_device["access_token"].as_str().unwrap()).await.expect(200);
}

#[tokio::test]
async fn an_enrolled_account_needs_the_right_totp_code_to_sign_in() {
    let app = TestApp::spawn().await;
    let u = app.user("tove").await;

    // Verifying before enrolling, or with a wrong code, does not turn 2FA on.
    app.post("/v1/me/2fa/verify", &u, json!({"code": "123456"})).await.problem(409, "conflict");
    let e = app.post("/v1/me/2fa/enrol", &u, json!({})).await.expect(200);
    let secret = e["secret"].as_str().unwrap().to_owned();
    app.post("/v1/me/2fa/verify", &u, json!({"code": wrong_code(&secret)})).await.problem(401, "totp-invalid");
    login(&app, &u.email, PASSWORD, None).await.expect(200);

    let user = app.post("/v1/me/2fa/verify", &u, json!({"code": totp_code(&secret)})).await.expect(200);
    assert_eq!(user["two_factor_enabled"], true);
    assert_eq!(me(&app, &u.token).await.expect(200)["user"]["two_factor_enabled"], true);
    // A second enrolment is refused while 2FA is on.
    app.post("/v1/me/2fa/enrol", &u, json!({})).await.problem(409, "conflict");

    login(&app, &u.email, PASSWORD, None).await.problem(401, "totp-required");
    login(&app, &u.email, PASSWORD, Some("")).await.problem(401, "totp-required");
    login(&app, &u.email, PASSWORD, Some(&wrong_code(&secret))).await.problem(401, "totp-invalid");
    // The password is still checked first: a right code with a wrong password is refused.
    login(&app, &u.email, "wrong password here", Some(&totp_code(&secret))).await.problem(401, "invalid-credentials");
    let s = login(&app, &u.email, PASSWORD, Some(&totp_code(&secret))).await.expect(200);
    assert_eq!(s["user"]["two_factor_enabled"], true);
}

#[tokio::test]
async fn a_workspace_admin_resetting_2fa_lets_the_member_sign_in_without_a_code() {
    let app = TestApp::spawn().await;
    let owner = app.user("owen").await;
    let admin = app.user("ada").await;
    let member = app.user("max").await;
    app.workspace(&owner, "reset-ws", "starter").await;
    app.add_member("reset-ws", &owner, &admin, "admin", json!([])).await;
    app.add_member("reset-ws", &owner, &member, "member", json!([])).await;

    let secret = enrol_totp(&app, &member).await;
    login(&app, &member.email, PASSWORD, None).await.problem(401, "totp-required");

    // A plain member may not reset someone's 2FA (nor even see them without a shared community).
    let bystander = app.user("bea").await;
    app.add_member("reset-ws", &owner, &bystander, "member", json!([])).await;
    app.post(&format!("/v1/workspaces/reset-ws/members/{}/2fa/reset", member.id), &bystander, json!({})).await.problem(404, "not-found");
    login(&app, &member.email, PASSWORD, None).await.problem(401, "totp-required");

    let m = app.post(&format!("/v1/workspaces/reset-ws/members/{}/2fa/reset", member.id), &admin, json!({})).await.expect(200);
    assert_eq!(m["user_id"], member.id.as_str());
    assert_eq!(m["two_factor_enabled"], false);
    let s = login(&app, &member.email, PASSWORD, None).await.expect(200);
    assert_eq!(s["user"]["two_factor_enabled"], false);
    // The old secret is gone: codes from it no longer matter, and enrolling again gives a new one.
    let again = app.post("/v1/me/2fa/enrol", &member, json!({})).await.expect(200);
    assert_ne!(again["secret"].as_str().unwrap(), secret);
    // Nothing left to reset.
    let nothing = app.post(&format!("/v1/workspaces/reset-ws/members/{}/2fa/reset", bystander.id), &admin, json!({})).await;
    nothing.problem(409, "conflict");
}

/// A read keeps the transaction its access token was checked in for its data (one
/// transaction per signed-in GET): a signed-out or expired token is refused on that path as on
/// a write's, and a live one reads what its user may, on both stores.
#[tokio::test]
async fn a_signed_out_or_expired_access_token_is_refused_on_reads_and_writes() {
    let app = TestApp::spawn().await;
    let u = app.user("rhea").await;
    app.workspace(&u, "rhea-co", "pro").await;
    let members = "/v1/workspaces/rhea-co/members?limit=10";
    let second = login(&app, &u.email, PASSWORD, None).await.expect(200);
    let second = second["access_token"].as_str().unwrap().to_owned();
    let page = app.call(Method::GET, members, Some(&second), None, &[]).await.expect(200);
    assert_eq!(page["items"].as_array().map(|i| i.len()), Some(1), "{page}");
    app.call(Method::GET, "/v1/workspaces/rhea-co", Some(&second), None, &[]).await.expect(200);

    // Signed out: refused on reads (the transaction kept for the data) and on writes.
    let out = app.call(Method::POST, "/v1/auth/logout", Some(&second), None, &[]).await;
    assert_eq!(out.status.as_u16(), 204, "{:?}", out.body);
    app.call(Method::GET, members, Some(&second), None, &[]).await.problem(401, "unauthenticated");
    app.call(Method::GET, "/v1/workspaces/rhea-co", Some(&second), None, &[]).await.problem(401, "unauthenticated");
    app.call(Method::GET, "/v1/me", Some(&second), None, &[]).await.problem(401, "unauthenticated");
    app.call(Method::PATCH, "/v1/workspaces/rhea-co", Some(&second), Some(json!({"name": "Rhea Two"})), &[]).await.problem(401, "unauthenticated");
    // The other session is untouched.
    app.get(members, &u).await.expect(200);

    // Expired (its expiry moved into the past): refused the same way.
    sqlx::query("UPDATE access_tokens SET expires_at = 1000 WHERE user_id = $1").bind(u.id.as_str()).execute(&app.db().await).await.unwrap();
    app.get(members, &u).await.problem(401, "unauthenticated");
    app.get("/v1/workspaces/rhea-co", &u).await.problem(401, "unauthenticated");
    app.call(Method::PATCH, "/v1/workspaces/rhea-co", Some(&u.token), Some(json!({"name": "Rhea Two"})), &[]).await.problem(401, "unauthenticated");
    // A new sign-in reads again.
    let again = login(&app, &u.email, PASSWORD, None).await.expect(200);
    let page = app.call(Method::GET, members, again["access_token"].as_str(), None, &[]).await.expect(200);
    assert_eq!(page["items"][0]["user_id"].as_str(), Some(u.id.as_str()), "{page}");
}
