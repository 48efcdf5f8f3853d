// Aggregated views over the selected communities (all of the workspace when none is
// selected): totals, plan usage against limits, role distribution, alert volume over time
// and the role × community matrix. Everything reads from the local cache, so it works offline.
import { lazy, Suspense, useMemo } from "react";
import type { WorkspaceUsage } from "../bindings/WorkspaceUsage";
import { usePane } from "../context";
import { Empty, ErrorNote, Loading } from "../kit/kit";
import { counted, formatNumber } from "../format";
import { useCmd } from "../query";
import { MatrixTable } from "./Matrix";
import { coverage, coveredLabel, distribution, shapeMatrix, usage } from "./shape";
import "./overview.css";

// Chart.js is loaded with the charts, after the first screen's script.
const RoleDistributionChart = lazy(() => import("./Charts").then((m) => ({ default: m.RoleDistributionChart })));
const AlertVolumeChart = lazy(() => import("./Charts").then((m) => ({ default: m.AlertVolumeChart })));

export function Overview() {
  const { account, ws, communities: selected } = usePane();
  const base = { account: account.key, workspaceId: ws.id };
  const communities = useCmd("communities", { ...base, search: null });
  const roles = useCmd("roles", base);
  const use = useCmd("usage", base);
  const all = communities.data ?? [];
  const ids = useMemo(() => (selected.length ? selected : all.map((c) => c.id)), [selected, all]);
  const agg = useCmd("aggregate", communities.data && ids.length ? { ...base, communities: ids } : null);

  const matrix = useMemo(() => (agg.data ? shapeMatrix(agg.data, ids, all, roles.data ?? []) : null), [agg.data, ids, all, roles.data]);
  const dist = useMemo(() => (agg.data ? distribution(agg.data, roles.data ?? []) : []), [agg.data, roles.data]);

  if (communities.isLoading) return <Loading what="communities" />;
  if (communities.error) return <ErrorNote error={communities.error} onRetry={() => communities.refetch()} />;
  if (all.length === 0) return <Empty>No communities in this workspace.</Empty>;

  const first = selected.length === 1 ? all.find((c) => c.id === selected[0])?.name : undefined;
  const heading = coveredLabel(selected.length, all.length, first);

  return (
    <div className="overview">
      <h2 className="ov-heading">
        Overview <span className="ov-covered">· {heading}</span>
      </h2>
      {agg.isLoading ? (
        <Loading what="aggregates" />
      ) : agg.error ? (
        <ErrorNote error={agg.error} onRetry={() => agg.refetch()} />
      ) : agg.data ? (
        <>
          <Totals
            members={Number(agg.data.members)}
            assignments={matrix ? matrix.rows.reduce((a, r) => a + r.total, 0) : null}
            with2fa={Number(agg.data.members_with_2fa)}
            pending={Number(agg.data.pending_invitations)}
            keys={Number(agg.data.api_keys)}
          />
          <div className="ov-grid">
            <section className="ov-card" aria-labelledby="ov-usage">
              <h3 id="ov-usage">Plan usage <span className="muted small">(whole workspace{use.data ? ` · ${use.data.plan}` : ""})</span></h3>
              {use.isLoading ? (
                <Loading what="usage" />
              ) : use.error?.code === "forbidden" ? (
                <p className="muted small">{use.error.message}</p>
              ) : use.error ? (
                <ErrorNote error={use.error} onRetry={() => use.refetch()} />
              ) : (
                use.data && <Usage u={use.data} />
              )}
            </section>
            <section className="ov-card" aria-labelledby="ov-dist">
              <h3 id="ov-dist">Role distribution <span className="muted small">(people holding each role)</span></h3>
              {roles.error && <ErrorNote error={roles.error} onRetry={() => roles.refetch()} />}
              {dist.length ? (
                <Suspense fallback={<Loading what="the chart" />}>
                  <RoleDistributionChart data={dist} />
                </Suspense>
              ) : (
                <p className="muted small">Nobody holds a role in these communities.</p>
              )}
            </section>
            <section className="ov-card ov-wide" aria-labelledby="ov-alerts">
              <h3 id="ov-alerts">Alert volume <span className="muted small">(alerts per day, summed over the communities)</span></h3>
              {agg.data.alert_volume.length ? (
                <Suspense fallback={<Loading what="the chart" />}>
                  <AlertVolumeChart data={agg.data.alert_volume} />
                </Suspense>
              ) : (
                <p className="muted small">No alert volumes recorded for these communities.</p>
              )}
            </section>
          </div>
          <section aria-labelledby="ov-matrix">
            <h3 id="ov-matrix">Roles by community</h3>
            {matrix && <MatrixTable matrix={matrix} people={Number(agg.data.members)} />}
          </section>
        </>
      ) : null}
    </div>
  );
}

/**
 * The headline numbers, each with what it counts right under it: people and role assignments
 * differ (a person with two roles is one member and two assignments), and side by side without
 * a word they read as a mistake.
 */
function Totals(p: { members: number; assignments: number | null; with2fa: number; pending: number; keys: number }) {
  const cov = coverage(p.members, p.with2fa);
  return (
    <dl className="ov-totals" aria-label="Totals">
      <div>
        <dt>Members</dt>
        <dd data-testid="total-members">{formatNumber(p.members)}</dd>
        <dd className="ov-explain">People with a role in these communities, each counted once</dd>
      </div>
      {p.assignments !== null && (
        <div>
          <dt>Role assignments</dt>
          <dd data-testid="total-assignments">{formatNumber(p.assignments)}</dd>
          <dd className="ov-explain">One per role per community: a person with two roles counts twice</dd>
        </div>
      )}
      <div>
        <dt>Pending invitations</dt>
        <dd data-testid="total-pending">{formatNumber(p.pending)}</dd>
        <dd className="ov-explain">Invited to these communities, waiting for an answer</dd>
      </div>
      <div>
        <dt>API keys</dt>
        <dd data-testid="total-keys">{formatNumber(p.keys)}</dd>
        <dd className="ov-explain">Keys of these communities not revoked (expired ones included)</dd>
      </div>
      <div>
        <dt>2FA coverage</dt>
        <dd data-testid="total-2fa" className={cov && cov.percent < 100 ? "ov-warn" : undefined}>
          {cov ? cov.label : "—"}
          <span className="muted small"> {cov ? `${formatNumber(p.with2fa)} of ${counted(p.members, "member", "members")}` : "no members"}</span>
        </dd>
        <dd className="ov-explain">Members above who sign in with a second factor</dd>
      </div>
    </dl>
  );
}

function Usage({ u }: { u: WorkspaceUsage }) {
  const seats = usage(Number(u.members) + Number(u.pending_invitations), u.limits.max_members, "member seats");
  const comms = usage(Number(u.communities), u.limits.max_communities, "communities");
  return (
    <div className="ov-usage">
      <UsageBar title="Members and pending invitations" u={seats} />
      <UsageBar title="Communities" u={comms} />
      <p className="muted small">
        {counted(Number(u.api_keys), "active API key", "active API keys")} in the workspace. Pending invitations take a seat until they expire.{" "}
        {Number(u.client_contacts) > 0
          ? `${counted(Number(u.client_contacts), "client contact", "client contacts")} (with their invitations) take no seat.`
          : "Client contacts take no seat."}
      </p>
    </div>
  );
}

function UsageBar({ title, u }: { title: string; u: ReturnType<typeof usage> }) {
  return (
    <div className="ov-usage-row">
      <div className="ov-usage-label">
        <span>{title}</span>
        <span className={u.over ? "ov-warn" : "muted"}>{u.label}{u.over ? " — over the plan's limit" : ""}</span>
      </div>
      {u.ratio !== null && (
        <div
          className={u.over ? "ov-bar over" : u.ratio >= 0.9 ? "ov-bar near" : "ov-bar"}
          role="meter"
          aria-label={title}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(u.ratio * 100)}
          aria-valuetext={u.label}
        >
          <span style={{ width: `${u.ratio * 100}%` }} />
        </div>
      )}
    </div>
  );
}
