//! Plans and their hard limits.

use crate::values::Region;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Plan {
    Free,
    Starter,
    Pro,
    Enterprise,
}

/// Hard limits of a plan. `None` means unlimited.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanLimits {
    /// Workspace members plus pending invitations.
    pub max_members: Option<u32>,
    pub max_communities: Option<u32>,
}

/// How many free workspaces one user may own, unless a platform admin lifts it.
pub const FREE_WORKSPACES_PER_OWNER: u32 = 2;

impl Plan {
    pub const ALL: [Plan; 4] = [Plan::Free, Plan::Starter, Plan::Pro, Plan::Enterprise];

    pub fn limits(self) -> PlanLimits {
        let (m, c) = match self {
            Plan::Free => (Some(5), Some(1)),
            Plan::Starter => (Some(25), Some(5)),
            Plan::Pro => (Some(500), Some(100)),
            Plan::Enterprise => (None, None),
        };
        PlanLimits { max_members: m, max_communities: c }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Starter => "starter",
            Plan::Pro => "pro",
            Plan::Enterprise => "enterprise",
        }
    }

    /// Enterprise plans are provisioned by a platform admin, not self-served by owners.
    pub fn self_serve(self) -> bool {
        self != Plan::Enterprise
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Plan {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Plan::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| format!("Unknown plan \"{s}\"; choose free, starter, pro or enterprise."))
    }
}

/// Which limit a change would exceed, with a sentence that says what to do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LimitExceeded {
    #[error("The {plan} plan allows {limit} members (including pending invitations) and this workspace would have {would_have}. Upgrade the plan or remove members first.")]
    Members { plan: Plan, limit: u32, would_have: u32 },
    #[error("The {plan} plan allows {limit} communities and this workspace would have {would_have}. Upgrade the plan or delete a community first.")]
    Communities { plan: Plan, limit: u32, would_have: u32 },
    #[error("You already own {owned} free workspaces, the most a user may own. Upgrade one of them, or ask a platform admin to lift the limit.")]
    FreeWorkspaces { owned: u32 },
    #[error("The {plan} plan keeps data in {allowed} only, not {region}. Choose {allowed}, or upgrade to {need} or higher for every region.")]
    Region { plan: Plan, region: Region, allowed: String, need: Plan },
}

/// A workspace with one community works for one organisation (single-tenant); with several,
/// each community is a client of an MSSP (multi-tenant), and each is a wall of its own.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TenancyMode {
    SingleTenant,
    MultiTenant,
}

impl TenancyMode {
    pub fn of(communities: u32) -> TenancyMode {
        if communities > 1 {
            TenancyMode::MultiTenant
        } else {
            TenancyMode::SingleTenant
        }
    }
}

/// Where a plan may keep a community's data, and which plan would allow the rest.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RegionChoice {
    /// Every region, in the order a picker offers them, and whether this plan allows it.
    pub options: Vec<RegionOption>,
    /// The smallest plan that allows every region, when this one does not.
    pub others_need: Option<Plan>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RegionOption {
    pub region: Region,
    pub label: String,
    pub allowed: bool,
}

impl RegionChoice {
    pub fn allowed(&self) -> Vec<Region> {
        self.options.iter().filter(|o| o.allowed).map(|o| o.region).collect()
    }
}

impl Plan {
    /// The data-residency regions this plan offers: the free plan keeps data in eu-west only;
    /// every paid plan offers all of them.
    pub fn regions(self) -> RegionChoice {
        let (allowed, others_need): (&[Region], _) = match self {
            Plan::Free => (&[Region::EuWest], Some(Plan::Starter)),
            _ => (&Region::ALL, None),
        };
        let options = Region::ALL.into_iter().map(|region| RegionOption { region, label: region.label().to_owned(), allowed: allowed.contains(&region) }).collect();
        RegionChoice { options, others_need }
    }

    /// May a community of a workspace on this plan keep its data in `region`?
    pub fn check_region(self, region: Region) -> Result<(), LimitExceeded> {
        let choice = self.regions();
        let allowed = choice.allowed();
        match (allowed.contains(&region), choice.others_need) {
            (true, _) => Ok(()),
            (false, need) => Err(LimitExceeded::Region {
                plan: self,
                region,
                allowed: allowed.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "),
                need: need.unwrap_or(Plan::Enterprise),
            }),
        }
    }
}

/// Checks a workspace's usage against a plan's limits.
pub fn check_usage(plan: Plan, members: u32, communities: u32) -> Result<(), LimitExceeded> {
    let l = plan.limits();
    if let Some(limit) = l.max_members.filter(|&limit| members > limit) {
        return Err(LimitExceeded::Members { plan, limit, would_have: members });
    }
    if let Some(limit) = l.max_communities.filter(|&limit| communities > limit) {
        return Err(LimitExceeded::Communities { plan, limit, would_have: communities });
    }
    Ok(())
}

/// One plan as a workspace could move to it: its limits, and why it cannot when it cannot.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanOption {
    pub plan: Plan,
    pub limits: PlanLimits,
    /// Why the workspace cannot move to it (`None`: it can, or it is the plan already).
    pub refusal: Option<String>,
}

/// Every plan for a workspace on `current` with `seats` taken (members and pending invitations)
/// and `communities`: those its usage would not fit say so, as does enterprise (provisioned by
/// a platform admin) for anyone else. The current plan is always offered.
pub fn plan_options(current: Plan, seats: u32, communities: u32, platform_admin: bool) -> Vec<PlanOption> {
    Plan::ALL
        .into_iter()
        .map(|plan| {
            let refusal = if plan == current {
                None
            } else if !plan.self_serve() && !platform_admin {
                Some("Enterprise plans are provisioned by a platform admin. Contact your platform admin or sales.".to_owned())
            } else {
                check_usage(plan, seats, communities).err().map(|e| e.to_string())
            };
            PlanOption { plan, limits: plan.limits(), refusal }
        })
        .collect()
}

/// May a user who already owns `owned_free` free workspaces take on one more?
pub fn check_free_workspace_allowance(owned_free: u32, limit_lifted: bool) -> Result<(), LimitExceeded> {
    if !limit_lifted && owned_free >= FREE_WORKSPACES_PER_OWNER {
        return Err(LimitExceeded::FreeWorkspaces { owned: owned_free });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_grow_with_plans() {
        assert_eq!(Plan::Free.limits().max_communities, Some(1));
        assert!(Plan::Starter.limits().max_members > Plan::Free.limits().max_members);
        assert_eq!(Plan::Enterprise.limits().max_members, None);
    }

    #[test]
    fn usage_over_a_limit_is_refused_with_the_numbers() {
        assert!(check_usage(Plan::Free, 5, 1).is_ok());
        let e = check_usage(Plan::Free, 6, 1).unwrap_err();
        assert_eq!(e, LimitExceeded::Members { plan: Plan::Free, limit: 5, would_have: 6 });
        assert!(e.to_string().contains("Upgrade the plan"));
        assert!(matches!(check_usage(Plan::Starter, 1, 6), Err(LimitExceeded::Communities { limit: 5, .. })));
        assert!(check_usage(Plan::Enterprise, 1_000_000, 100_000).is_ok());
    }

    #[test]
    fn several_communities_make_a_workspace_multi_tenant() {
        assert_eq!(TenancyMode::of(0), TenancyMode::SingleTenant);
        assert_eq!(TenancyMode::of(1), TenancyMode::SingleTenant);
        assert_eq!(TenancyMode::of(2), TenancyMode::MultiTenant);
    }

    #[test]
    fn the_free_plan_keeps_data_in_one_region_and_paid_plans_in_all() {
        let free = Plan::Free.regions();
        assert_eq!((free.allowed(), free.others_need), (vec![Region::EuWest], Some(Plan::Starter)));
        assert_eq!(free.options.len(), Region::ALL.len(), "every region is offered, the others marked");
        assert!(Plan::Free.check_region(Region::EuWest).is_ok());
        let e = Plan::Free.check_region(Region::UsEast).unwrap_err();
        assert!(e.to_string().contains("eu-west only, not us-east") && e.to_string().contains("upgrade to starter"), "{e}");
        for p in [Plan::Starter, Plan::Pro, Plan::Enterprise] {
            assert_eq!(p.regions().allowed(), Region::ALL.to_vec());
            assert!(Region::ALL.into_iter().all(|r| p.check_region(r).is_ok()));
        }
    }

    #[test]
    fn a_user_owns_at_most_two_free_workspaces() {
        assert!(check_free_workspace_allowance(1, false).is_ok());
        assert!(check_free_workspace_allowance(2, false).is_err());
        assert!(check_free_workspace_allowance(2, true).is_ok());
    }

    #[test]
    fn plans_round_trip_through_text() {
        for p in Plan::ALL {
            assert_eq!(p.as_str().parse::<Plan>().unwrap(), p);
        }
        assert!("gold".parse::<Plan>().unwrap_err().contains("choose free"));
    }

    #[test]
    fn plans_that_the_usage_does_not_fit_say_why() {
        let opts = plan_options(Plan::Pro, 162, 25, false);
        let refusal = |p: Plan| opts.iter().find(|o| o.plan == p).unwrap().refusal.clone();
        assert!(refusal(Plan::Free).unwrap().contains("allows 5 members"), "{:?}", refusal(Plan::Free));
        assert!(refusal(Plan::Starter).unwrap().contains("allows 25 members"));
        assert_eq!(refusal(Plan::Pro), None, "the current plan");
        assert!(refusal(Plan::Enterprise).unwrap().contains("platform admin"));
        // A platform admin may provision enterprise; communities count too.
        assert_eq!(plan_options(Plan::Pro, 3, 1, true).iter().filter(|o| o.refusal.is_none()).count(), 4);
        assert!(plan_options(Plan::Pro, 3, 2, false)[0].refusal.as_deref().unwrap().contains("allows 1 communities"));
    }
}
