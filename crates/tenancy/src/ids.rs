//! Typed identifiers. A `CommunityId` can never be passed where a `WorkspaceId` is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, type = "string"))]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            pub fn from_u128(v: u128) -> Self {
                Self(Uuid::from_u128(v))
            }
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }
    };
}

id_type!(/// A global user account.
    UserId);
id_type!(/// A workspace: the tenancy boundary and billing unit.
    WorkspaceId);
id_type!(/// A community inside a workspace.
    CommunityId);
id_type!(/// A role (built-in, custom or restricted) defined in a workspace.
    RoleId);
id_type!(/// One role held by one user in one community.
    AssignmentId);
id_type!(/// A pending, accepted, revoked or expired invitation.
    InvitationId);
id_type!(/// A community API key.
    ApiKeyId);
id_type!(/// A data source of a community (an EDR, a firewall feed…).
    IntakeId);
