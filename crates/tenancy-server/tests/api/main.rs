//! Black-box tests: the real server on port 0 with a fresh SQLite database per test, spoken
//! to over HTTP only.

mod helpers;

mod audit;
mod feed;
mod openapi;
mod problems;
mod seeding;
mod sessions;
mod gating;
mod isolation;
mod lifecycle;
mod owners;
