// The console's commands, each declared here once: its name, the arguments the UI sends (their
// keys are camelCase on the wire) and what it answers. From this one list come the handler
// registration and the typed `CommandArgs`/`CommandResults` for TypeScript (`mod.rs`), and the
// IPC permission that lets the webview call exactly these (`build.rs`, which includes this
// file). A handler of the same name, taking these arguments and answering this type, must exist
// in one of the handler modules, or the crate does not build.
macro_rules! console_commands {
    ($then:ident) => {
        $then! {
            // session and preferences
            demo_hint {} -> Option<DemoHint>;
            ui_prefs {} -> UiPrefs;
            save_ui_prefs { prefs: UiPrefs } -> UiPrefs;
            list_accounts {} -> Vec<AccountView>;
            add_account { server: String, email: String, password: String, totp: Option<String> } -> AccountView;
            create_account { server: String, display_name: String, email: String, password: String } -> AccountView;
            sign_out { account: AccountKey } -> ();
            sync_now { account: AccountKey } -> SyncOutcome;
            sync_status { account: AccountKey } -> SyncState;

            // reads, from the account's cache (they work offline)
            workspaces { account: AccountKey, search: Option<String> } -> Vec<Workspace>;
            workspace_modes { account: AccountKey } -> Vec<WorkspaceMode>;
            communities { account: AccountKey, workspace_id: WorkspaceId, search: Option<String> } -> Vec<Community>;
            community_rows { account: AccountKey, workspace_id: WorkspaceId, search: Option<String> } -> Vec<CommunityRow>;
            all_communities { account: AccountKey } -> Vec<Community>;
            find_people { account: AccountKey, query: String, limit: u32 } -> Vec<PersonHit>;
            roles { account: AccountKey, workspace_id: WorkspaceId } -> Vec<Role>;
            members { account: AccountKey, query: MemberQuery } -> MemberPage;
            member { account: AccountKey, workspace_id: WorkspaceId, user_id: UserId } -> Option<MemberDetail>;
            aggregate { account: AccountKey, workspace_id: WorkspaceId, communities: Vec<CommunityId> } -> Aggregate;
            invitations { account: AccountKey, workspace_id: WorkspaceId } -> Vec<Invitation>;
            invitations_offered { account: AccountKey } -> Vec<InvitationOffer>;
            api_keys { account: AccountKey, community_id: CommunityId } -> Vec<ApiKey>;
            api_keys_of { account: AccountKey, workspace_id: WorkspaceId, communities: Vec<CommunityId> } -> Vec<ApiKey>;
            intakes { account: AccountKey, community_id: CommunityId } -> Vec<Intake>;
            usage { account: AccountKey, workspace_id: WorkspaceId } -> WorkspaceUsage;
            plan_options { account: AccountKey, workspace_id: WorkspaceId } -> Vec<PlanOption>;
            invite_preview { account: AccountKey, workspace_id: WorkspaceId, text: String, assignment_type: AssignmentType } -> InvitePreview;
            export { account: AccountKey, workspace_id: WorkspaceId, what: ExportWhat, format: ExportFormat, communities: Vec<CommunityId> } -> ExportResult;
            compare { left: CompareSide, right: CompareSide } -> Comparison;
            compare_export { left: CompareSide, right: CompareSide, format: ExportFormat } -> ExportResult;
            community_slug_hint { account: AccountKey, workspace_id: WorkspaceId, name: String, slug: String } -> SlugHint;

            // rules of the domain, asked as the user types
            permission_catalogue {} -> Vec<CatalogueEntry>;
            glossary {} -> Vec<GlossaryEntry>;
            slug_hint { name: String, slug: String } -> SlugHint;
            email_problem { email: String } -> Option<String>;
            password_problem { password: String } -> Option<String>;
            region_choice { plan: Plan } -> RegionChoice;
            timezones {} -> Vec<String>;
            intake_kinds {} -> Vec<IntakeKindChoice>;
            role_draft_problems { name: String, kind: RoleKind, permissions: Vec<Permission>, intake_scope: Vec<IntakeId> } -> Vec<String>;

            // reads that need the server
            audit { account: AccountKey, workspace_id: WorkspaceId, search: AuditSearch, cursor: Option<String> } -> Page<AuditEntry>;
            audit_export { account: AccountKey, workspace_id: WorkspaceId, search: AuditSearch, format: ExportFormat } -> ExportResult;
            deleted_workspaces { account: AccountKey } -> Vec<Workspace>;

            // changes, sent to the server; the cache catches up before the command answers
            create_workspace { account: AccountKey, req: CreateWorkspace } -> Workspace;
            update_workspace { account: AccountKey, workspace_id: WorkspaceId, req: UpdateWorkspace, version: Option<Version> } -> Workspace;
            change_plan { account: AccountKey, workspace_id: WorkspaceId, plan: Plan, version: Option<Version> } -> Workspace;
            delete_workspace { account: AccountKey, workspace_id: WorkspaceId, confirm_slug: String, version: Option<Version> } -> Workspace;
            restore_workspace { account: AccountKey, workspace_id: WorkspaceId } -> Workspace;
            create_community { account: AccountKey, workspace_id: WorkspaceId, req: CreateCommunity } -> Community;
            update_community { account: AccountKey, workspace_id: WorkspaceId, community_id: CommunityId, req: UpdateCommunity, version: Option<Version> } -> Community;
            invite { account: AccountKey, workspace_id: WorkspaceId, req: CreateInvitation } -> Invitation;
            invite_contact { account: AccountKey, workspace_id: WorkspaceId, community_id: CommunityId, req: InviteContact } -> Invitation;
            invite_many { account: AccountKey, workspace_id: WorkspaceId, invitations: Vec<CreateInvitation> } -> Vec<InviteOutcome>;
            revoke_invitation { account: AccountKey, workspace_id: WorkspaceId, invitation_id: InvitationId } -> Invitation;
            accept_invitation { account: AccountKey, invitation_id: InvitationId } -> Membership;
            decline_invitation { account: AccountKey, invitation_id: InvitationId } -> Invitation;
            change_member_role { account: AccountKey, workspace_id: WorkspaceId, user_id: UserId, role: WorkspaceRole, version: Option<Version> } -> Member;
            remove_member { account: AccountKey, workspace_id: WorkspaceId, user_id: UserId } -> ();
            reset_2fa { account: AccountKey, workspace_id: WorkspaceId, user_id: UserId } -> Member;
            assign_roles { account: AccountKey, workspace_id: WorkspaceId, user_id: UserId, req: AssignRoles } -> Vec<RoleAssignment>;
            unassign_role { account: AccountKey, workspace_id: WorkspaceId, assignment_id: AssignmentId } -> ();
            create_role { account: AccountKey, workspace_id: WorkspaceId, req: CreateRole } -> Role;
            update_role { account: AccountKey, workspace_id: WorkspaceId, role_id: RoleId, req: UpdateRole, version: Option<Version> } -> Role;
            delete_role { account: AccountKey, workspace_id: WorkspaceId, role_id: RoleId } -> ();
            create_api_key { account: AccountKey, workspace_id: WorkspaceId, community_id: CommunityId, req: CreateApiKey } -> CreatedApiKey;
            revoke_api_key { account: AccountKey, workspace_id: WorkspaceId, community_id: CommunityId, api_key_id: ApiKeyId } -> ApiKey;
            create_intake { account: AccountKey, workspace_id: WorkspaceId, community_id: CommunityId, req: CreateIntake } -> Intake;
            update_intake { account: AccountKey, workspace_id: WorkspaceId, community_id: CommunityId, intake_id: IntakeId, req: UpdateIntake } -> Intake;
            delete_intake { account: AccountKey, workspace_id: WorkspaceId, community_id: CommunityId, intake_id: IntakeId } -> ();
        }
    };
}
