// The client portal: what a client contact of one community sees of their MSSP's workspace —
// that community's overview (alert volume, intakes, and its team when the MSSP shows it), read
// only. The server decides what reaches the cache; this view shows what is there, nothing more.
import type { MemberQuery } from "../bindings/MemberQuery";
import { usePane } from "../context";
import { counted, formatDate } from "../format";
import { Empty, ErrorNote, Loading } from "../kit/kit";
import { useCmd } from "../query";
import { AlertVolumeChart } from "../overview/Charts";
import "../overview/overview.css";
import "./portal.css";

const TEAM_LIMIT = 500;

export function PortalView({ communityId }: { communityId: string }) {
  const { account, ws } = usePane();
  const base = { account: account.key, workspaceId: ws.id };
  const communities = useCmd("communities", { ...base, search: null });
  const community = communities.data?.find((c) => c.id === communityId) ?? null;
  const agg = useCmd("aggregate", community ? { ...base, communities: [community.id] } : null);
  const intakes = useCmd("intakes", community ? { account: account.key, communityId: community.id } : null);
  const showTeam = community?.settings?.portal.show_team ?? false;
  const teamQuery: MemberQuery = {
    workspace_id: ws.id,
    search: null,
    workspace_role: null,
    communities: [communityId],
    role_id: null,
    assignment_type: null,
    two_factor: null,
    status: "active",
    sort: "name",
    descending: false,
    offset: 0,
    limit: TEAM_LIMIT,
  };
  const team = useCmd("members", community && showTeam ? { account: account.key, query: teamQuery } : null);

  if (communities.isLoading) return <Loading what="your community" />;
  if (communities.error) return <ErrorNote error={communities.error} onRetry={() => communities.refetch()} />;
  if (!community) {
    return (
      <Empty>
        The client portal of your community at {ws.name} is switched off, so there is nothing to show. Ask your contact at {ws.name} to enable it; it appears
        here at the next sync.
      </Empty>
    );
  }
  const s = community.settings;
  return (
    <div className="overview portal" data-testid="client-portal">
      <h2 className="ov-heading">
        {community.name} <span className="ov-covered">· client portal of {ws.name}</span>
      </h2>
      {s && (
        <p className="muted small">
          Time zone {s.timezone} · region {s.region}
          {s.contact_email ? ` · contact ${s.contact_email}` : ""}
        </p>
      )}
      <div className="ov-grid">
        <section className="ov-card ov-wide" aria-labelledby="portal-alerts">
          <h3 id="portal-alerts">Alert volume <span className="muted small">(alerts per day)</span></h3>
          {agg.isLoading ? (
            <Loading what="alert volumes" />
          ) : agg.error ? (
            <ErrorNote error={agg.error} onRetry={() => agg.refetch()} />
          ) : agg.data && agg.data.alert_volume.length ? (
            <AlertVolumeChart data={agg.data.alert_volume} />
          ) : (
            <p className="muted small">No alert volumes recorded yet.</p>
          )}
        </section>
        <section className="ov-card" aria-labelledby="portal-intakes">
          <h3 id="portal-intakes">Intakes</h3>
          {intakes.isLoading ? (
            <Loading what="intakes" />
          ) : intakes.error ? (
            <ErrorNote error={intakes.error} onRetry={() => intakes.refetch()} />
          ) : intakes.data?.length ? (
            <ul className="portal-list" aria-label="Intakes">
              {intakes.data.map((i) => (
                <li key={i.id}>
                  <span>{i.name}</span> <span className="muted small">{i.kind} · since {formatDate(i.created_at)}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted small">No intakes yet.</p>
          )}
        </section>
        <section className="ov-card" aria-labelledby="portal-team">
          <h3 id="portal-team">Your team at {ws.name}</h3>
          {!showTeam ? (
            <p className="muted small">{ws.name} does not show its team in this portal.</p>
          ) : team.isLoading ? (
            <Loading what="the team" />
          ) : team.error ? (
            <ErrorNote error={team.error} onRetry={() => team.refetch()} />
          ) : team.data?.rows.length ? (
            <>
              <ul className="portal-list" aria-label="Team">
                {team.data.rows.map((m) => (
                  <li key={m.user_id ?? m.email}>
                    <span>{m.display_name || m.email}</span> <span className="muted small">{m.email}</span>
                  </li>
                ))}
              </ul>
              {Number(team.data.total) > team.data.rows.length && (
                <p className="muted small">The first {team.data.rows.length} of {counted(Number(team.data.total), "person", "people")}.</p>
              )}
            </>
          ) : (
            <p className="muted small">Nobody is assigned to your community yet.</p>
          )}
        </section>
      </div>
    </div>
  );
}
