//! Rules of the domain the UI asks about as the user types, so it explains them instead of
//! copying them.

use super::*;

pub async fn permission_catalogue<RT: Runtime>(_: &Cx<'_, RT>, _: args::permission_catalogue) -> R<Vec<CatalogueEntry>> {
    Ok(tenancy::catalogue::catalogue())
}

/// What the words for assignment types and role kinds mean, one sentence each.
pub async fn glossary<RT: Runtime>(_: &Cx<'_, RT>, _: args::glossary) -> R<Vec<GlossaryEntry>> {
    Ok(tenancy::catalogue::glossary())
}

pub async fn slug_hint<RT: Runtime>(_: &Cx<'_, RT>, a: args::slug_hint) -> R<SlugHint> {
    Ok(SlugHint::of(&a.name, &a.slug))
}

pub async fn email_problem<RT: Runtime>(_: &Cx<'_, RT>, a: args::email_problem) -> R<Option<String>> {
    Ok(Email::parse(&a.email).err().map(|e| e.to_string()))
}

pub async fn password_problem<RT: Runtime>(_: &Cx<'_, RT>, a: args::password_problem) -> R<Option<String>> {
    Ok(tenancy::values::password_problem(&a.password))
}

/// Where a community of a workspace on `plan` may keep its data, and which plan unlocks the rest.
pub async fn region_choice<RT: Runtime>(_: &Cx<'_, RT>, a: args::region_choice) -> R<RegionChoice> {
    Ok(a.plan.regions())
}

pub async fn timezones<RT: Runtime>(_: &Cx<'_, RT>, _: args::timezones) -> R<Vec<String>> {
    Ok(Timezone::names().into_iter().map(str::to_owned).collect())
}

pub async fn intake_kinds<RT: Runtime>(_: &Cx<'_, RT>, _: args::intake_kinds) -> R<Vec<IntakeKindChoice>> {
    Ok(IntakeKind::choices())
}

pub async fn role_draft_problems<RT: Runtime>(_: &Cx<'_, RT>, a: args::role_draft_problems) -> R<Vec<String>> {
    Ok(tenancy::role::role_draft_problems(&a.name, a.kind, &a.permissions, &a.intake_scope))
}

#[cfg(test)]
mod tests {
    /// The UI's tests read the real catalogue, refusals included, from `catalogue.json` beside
    /// the TypeScript bindings (written here and committed with them, so `make test` sees a
    /// stale copy), instead of restating its rules.
    #[test]
    fn export_the_catalogue_for_the_ui_tests() {
        let dir = std::env::var("TS_RS_EXPORT_DIR").expect("TS_RS_EXPORT_DIR (set in .cargo/config.toml)");
        let path = std::path::Path::new(&dir).join("catalogue.json");
        let json = serde_json::to_string_pretty(&tenancy::catalogue::catalogue()).unwrap() + "\n";
        if std::fs::read_to_string(&path).ok().as_deref() != Some(json.as_str()) {
            std::fs::write(&path, json).unwrap();
        }
    }

    /// The glossary likewise, as `glossary.json`, for the UI's tests of its hints.
    #[test]
    fn export_the_glossary_for_the_ui_tests() {
        let dir = std::env::var("TS_RS_EXPORT_DIR").expect("TS_RS_EXPORT_DIR (set in .cargo/config.toml)");
        let path = std::path::Path::new(&dir).join("glossary.json");
        let json = serde_json::to_string_pretty(&tenancy::catalogue::glossary()).unwrap() + "\n";
        if std::fs::read_to_string(&path).ok().as_deref() != Some(json.as_str()) {
            std::fs::write(&path, json).unwrap();
        }
    }
}
