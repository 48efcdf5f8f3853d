//! The HTTP layer: routes, extractors, and the OpenAPI document built from the same route
//! list, so the document cannot miss a route the router serves.

mod admin;
mod directory;
mod feed;
mod keys;
mod sign_in;
mod workspaces;

use crate::error::{ApiError, ProblemKind};
use crate::service::{Ctx, Service, WorkspaceRef};
use axum::extract::{FromRef, FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

#[derive(Clone)]
pub struct AppState {
    pub service: Service,
}

impl FromRef<AppState> for Service {
    fn from_ref(s: &AppState) -> Service {
        s.service.clone()
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(OpenApi)]
#[openapi(
    info(title = "Tenantry tenancy API", version = "1", description = "Workspaces, communities, members, roles and the change feed. Errors are RFC 9457 problem documents."),
    modifiers(&BearerAuth),
    tags(
        (name = "auth"), (name = "me"), (name = "workspaces"), (name = "communities"), (name = "members"),
        (name = "roles"), (name = "invitations"), (name = "api-keys"), (name = "intakes"), (name = "feed"), (name = "admin")
    )
)]
struct ApiDoc;

struct BearerAuth;
impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

/// The whole API and its OpenAPI document.
pub fn router(service: Service) -> (Router, utoipa::openapi::OpenApi) {
    let api = OpenApiRouter::with_openapi(ApiDoc::openapi());
    let api = sign_in::routes(api);
    let api = workspaces::routes(api);
    let api = directory::routes(api);
    let api = keys::routes(api);
    let api = feed::routes(api);
    let api = admin::routes(api);
    let (router, mut doc) = api.split_for_parts();
    document_unavailable(&mut doc);
    let served = doc.clone();
    let router = router
        .route("/openapi.json", axum::routing::get(move || async move { axum::Json(served) }))
        // For load balancers: 200 while this process reaches its database, 503 otherwise.
        .route(
            "/v1/health",
            axum::routing::get(|axum::extract::State(s): axum::extract::State<AppState>| async move {
                s.service.health().await.map(|()| axum::Json(serde_json::json!({"status": "ok"})))
            }),
        )
        .fallback(|| async { ApiError::new(ProblemKind::NotFound, "There is no such endpoint. GET /openapi.json lists every route.") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(ProblemKind::MethodNotAllowed, "This endpoint does not accept that method. GET /openapi.json lists the methods of every route.")
        })
        .with_state(AppState { service })
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid));
    (router, doc)
}

/// Any operation may answer 503 while the database is not answering: documented once for all
/// of them here, with its `Retry-After`, rather than on every route.
fn document_unavailable(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{header::HeaderBuilder, ContentBuilder, Ref, ResponseBuilder, schema::{ObjectBuilder, Type}};
    let kind = ProblemKind::Unavailable;
    let response = ResponseBuilder::new()
        .description(format!(
            "{}: the database is not answering. Try again after Retry-After seconds; the detail says whether a change may have been applied. Problem type {}.",
            kind.title(),
            kind.type_url()
        ))
        .content("application/problem+json", ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build())
        .header(
            "Retry-After",
            HeaderBuilder::new().schema(ObjectBuilder::new().schema_type(Type::Integer)).description(Some("Seconds to wait before trying again.")).build(),
        )
        .build();
    for item in doc.paths.paths.values_mut() {
        let ops = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.options, &mut item.head, &mut item.patch, &mut item.trace];
        for op in ops.into_iter().flatten() {
            op.responses.responses.entry(kind.status().to_string()).or_insert_with(|| response.clone().into());
        }
    }
}

// ---------- extractors ----------

/// The signed-in caller, from `Authorization: Bearer <access token>`.
pub struct Caller(pub Ctx);

/// A JSON body the service (or the database) wrote as text already.
fn json_text(body: String) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], body)
}

fn request_id(parts: &Parts) -> String {
    parts.headers.get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned()
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

impl<S> FromRequestParts<S> for Caller
where
    Service: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> std::result::Result<Self, ApiError> {
        let token = bearer(parts).ok_or_else(|| {
            ApiError::new(ProblemKind::Unauthenticated, "Sign in first: send the access token as `Authorization: Bearer <token>` (POST /v1/auth/login gives one).")
        })?;
        let service = Service::from_ref(state);
        // A read (GET, HEAD) keeps the transaction its token was checked in for its data; a
        // write opens its own write transaction and checks the token in a short read first.
        let read = parts.method == axum::http::Method::GET || parts.method == axum::http::Method::HEAD;
        Ok(Caller(service.authenticate(token, &request_id(parts), read).await?))
    }
}

/// The request id, for endpoints without a signed-in caller.
pub struct RequestId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> std::result::Result<Self, ApiError> {
        Ok(RequestId(request_id(parts)))
    }
}

/// A raw bearer credential (API-key introspection).
pub struct BearerToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for BearerToken {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> std::result::Result<Self, ApiError> {
        bearer(parts)
            .map(|t| BearerToken(t.to_owned()))
            .ok_or_else(|| ApiError::new(ProblemKind::Unauthenticated, "Send the API key as `Authorization: Bearer <key>`."))
    }
}

/// `If-Match: "<version>"`; absent or `*` means "whatever the current version is".
pub struct IfMatch(pub Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> std::result::Result<Self, ApiError> {
        let Some(v) = parts.headers.get(header::IF_MATCH) else { return Ok(IfMatch(None)) };
        let s = v.to_str().unwrap_or_default().trim();
        if s == "*" {
            return Ok(IfMatch(None));
        }
        s.trim_start_matches("W/")
            .trim_matches('"')
            .parse()
            .map(|n| IfMatch(Some(n)))
            .map_err(|_| ApiError::new(ProblemKind::MalformedRequest, "If-Match must be an ETag this API returned, such as \"3\"."))
    }
}

#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// A resource with its version as a strong ETag.
pub struct Tagged<T>(pub i64, pub T);

impl<T: serde::Serialize> IntoResponse for Tagged<T> {
    fn into_response(self) -> Response {
        let mut res = axum::Json(self.1).into_response();
        if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", self.0)) {
            res.headers_mut().insert(header::ETAG, v);
        }
        res
    }
}

pub struct Created<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        (StatusCode::CREATED, axum::Json(self.0)).into_response()
    }
}

pub fn ws(s: String) -> WorkspaceRef {
    WorkspaceRef(s)
}

pub type Result<T> = std::result::Result<T, ApiError>;
