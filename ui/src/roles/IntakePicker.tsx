// The intake scope of a restricted role: intakes chosen from any community of the workspace.
// Intakes are asked for one community at a time, only once the user opens that community.
import { useQueries } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import type { Community } from "../bindings/Community";
import { usePane } from "../context";
import { useIntakeKinds } from "../directory";
import { ErrorNote, Loading } from "../kit/kit";
import { call } from "../ipc";
import { useCmd } from "../query";

/** Chosen intakes of an existing role are named by looking through at most this many communities. */
const NAME_LOOKUP_LIMIT = 25;

type Known = Record<string, { name: string; kind: string; community: string }>;

export function IntakePicker(props: { selected: string[]; onChange: (ids: string[]) => void; disabled?: boolean }) {
  const { account, ws, communities: paneSelection } = usePane();
  const communities = useCmd("communities", { account: account.key, workspaceId: ws.id, search: null });
  const kinds = useIntakeKinds();
  const list: Community[] = communities.data ?? [];
  const [community, setCommunity] = useState<string>("");
  const current = community || paneSelection[0] || list[0]?.id || "";
  const intakes = useCmd("intakes", current ? { account: account.key, communityId: current } : null);
  // Names of every intake seen so far, so chosen ones from other communities keep their names.
  const [known, setKnown] = useState<Known>({});
  useEffect(() => {
    if (!intakes.data) return;
    const cname = list.find((c) => c.id === current)?.name ?? "";
    setKnown((k) => {
      const next = { ...k };
      for (const i of intakes.data) next[i.id] = { name: i.name, kind: i.kind, community: cname };
      return next;
    });
  }, [intakes.data]); // eslint-disable-line react-hooks/exhaustive-deps
  // A role opened for editing names intakes of communities not opened here yet: look them up
  // (in a small workspace) so the chips show names rather than ids.
  const needNames = props.selected.some((id) => !known[id]);
  const lookups = useQueries({
    queries: (needNames && list.length <= NAME_LOOKUP_LIMIT ? list : []).map((c) => ({
      queryKey: ["intakes", { account: account.key, communityId: c.id }],
      queryFn: () => call("intakes", { account: account.key, communityId: c.id }),
    })),
  });
  const looked = lookups.filter((q) => q.data).length;
  useEffect(() => {
    if (!looked) return;
    setKnown((k) => {
      const next = { ...k };
      for (const q of lookups) {
        for (const i of q.data ?? []) if (!next[i.id]) next[i.id] = { name: i.name, kind: i.kind, community: list.find((c) => c.id === i.community_id)?.name ?? "" };
      }
      return next;
    });
  }, [looked]); // eslint-disable-line react-hooks/exhaustive-deps
  const chosen = useMemo(() => new Set(props.selected), [props.selected]);
  const toggle = (id: string) => props.onChange(chosen.has(id) ? props.selected.filter((s) => s !== id) : [...props.selected, id]);

  return (
    <fieldset className="rl-intakes" disabled={props.disabled}>
      <legend>Intake scope</legend>
      <p className="muted small">Holders see events and alerts only from these intakes.</p>
      {props.selected.length === 0 ? (
        <p className="small rl-problem">No intake chosen yet.</p>
      ) : (
        <ul className="rl-chips" aria-label="Chosen intakes">
          {props.selected.map((id) => {
            const k = known[id];
            const label = k ? `${k.name}${k.community ? ` (${k.community})` : ""}` : `Intake ${id.slice(0, 8)}`;
            return (
              <li key={id}>
                <span title={id}>{label}</span>
                <button type="button" className="rl-chip-remove" aria-label={`Remove intake ${label}`} onClick={() => toggle(id)}>×</button>
              </li>
            );
          })}
        </ul>
      )}
      <label className="small">
        Intakes of{" "}
        <select value={current} onChange={(e) => setCommunity(e.target.value)} aria-label="Community to choose intakes from">
          {list.map((c) => (
            <option key={c.id} value={c.id}>{c.name}</option>
          ))}
        </select>
      </label>
      {communities.error && <ErrorNote error={communities.error} />}
      {intakes.isLoading ? (
        <Loading what="intakes" />
      ) : intakes.error ? (
        <ErrorNote error={intakes.error} onRetry={() => intakes.refetch()} />
      ) : intakes.data && intakes.data.length === 0 ? (
        <p className="muted small">This community has no intakes.</p>
      ) : (
        <ul className="rl-intake-list">
          {intakes.data?.map((i) => (
            <li key={i.id}>
              <label>
                <input type="checkbox" checked={chosen.has(i.id)} onChange={() => toggle(i.id)} /> {i.name} <span className="muted small">{kinds.label(i.kind)}</span>
              </label>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
