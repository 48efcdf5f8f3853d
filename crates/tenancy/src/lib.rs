//! Tenantry's tenancy domain. Values that can only hold what is valid, the permission
//! catalogue, the role union, and the gating rules as pure functions. No I/O here: the server
//! and the console both build on it.

pub mod audit;
pub mod audit_words;
pub mod catalogue;
pub mod email;
pub mod ids;
pub mod order;
pub mod permission;
pub mod plan;
pub mod problem;
pub mod role;
pub mod rules;
pub mod sight;
pub mod slug;
pub mod values;
pub mod wire;

pub use email::Email;
pub use ids::*;
pub use permission::{Area, Permission};
pub use plan::{Plan, PlanOption, RegionChoice, RegionOption, TenancyMode};
pub use role::{AssignmentType, BuiltinRole, EffectivePermissions, IntakeScope, RoleGrant, RoleKind, WorkspaceRole};
pub use rules::{may, Action, Actor, Denied, DeniedReason};
pub use sight::{Data, Sight};
pub use slug::Slug;
pub use values::{IntakeKind, Name, OneTimeCode, Region, Timezone};
