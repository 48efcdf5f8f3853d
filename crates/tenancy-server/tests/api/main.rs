//! Black-box tests: the real server on port 0 with a fresh database per test, spoken to over
//! HTTP only. SQLite by default; PostgreSQL under scripts/with-postgres.sh (see helpers.rs).

mod helpers;

mod audit;
mod audit_names;
mod audit_search;
mod confinement;
mod feed;
mod openapi;
mod problems;
mod replace;
mod rls;
mod seeding;
mod sessions;
mod gating;
mod isolation;
mod lifecycle;
mod model;
mod onboarding;
mod owners;
mod portal;
