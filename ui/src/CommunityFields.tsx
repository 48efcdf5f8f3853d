// A community's identity, as a form's fields: name, slug (fixed once the community exists; its
// rules explained as you type), IANA time zone (picked from the list), primary contact email,
// and the data-residency region the workspace's plan allows. Every rule is asked of Rust.
import { keepPreviousData } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import type { CreateCommunity } from "./bindings/CreateCommunity";
import type { Plan } from "./bindings/Plan";
import type { Region } from "./bindings/Region";
import type { RegionChoice } from "./bindings/RegionChoice";
import type { SlugHint } from "./bindings/SlugHint";
import { call } from "./ipc";
import { useCmd } from "./query";

export type Identity = { name: string; slug: string; slugTouched: boolean; timezone: string; contactEmail: string; region: Region };

export function newIdentity(name = "", contactEmail = ""): Identity {
  return { name, slug: "", slugTouched: false, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC", contactEmail, region: "eu-west" };
}

/** The domain crate's slug rules for what is typed (or suggested from the name). */
/** The slug rules for what is typed; for a community of an existing workspace (`within`),
 *  also the slugs that workspace has, so a taken one is named before sending. */
export function useSlugHint(name: string, slug: string, within?: { account: string; workspaceId: string }): SlugHint | null {
  const [hint, setHint] = useState<SlugHint | null>(null);
  const account = within?.account;
  const workspace = within?.workspaceId;
  useEffect(() => {
    let live = true;
    const asked = account && workspace ? call("community_slug_hint", { account, workspaceId: workspace, name, slug }) : call("slug_hint", { name, slug });
    asked.then((h) => live && setHint(h)).catch(() => {});
    return () => {
      live = false;
    };
  }, [name, slug, account, workspace]);
  return hint;
}

export type IdentityCheck = {
  /** The slug that will be sent: the one typed, or the one suggested from the name. */
  slug: string;
  slugProblem: string | null;
  zoneProblem: string | null;
  emailProblem: string | null;
  regionProblem: string | null;
  problems: string[];
  /** An answer is still on its way: nothing may be sent yet. */
  checking: boolean;
  zones: string[];
  regions: RegionChoice | null;
};

/** Every problem the fields have, in Rust's words; none when they may be sent. */
export function useIdentityCheck(v: Identity, plan: Plan, fixedSlug: boolean, within?: { account: string; workspaceId: string }): IdentityCheck {
  const hint = useSlugHint(v.name, v.slugTouched ? v.slug : "", within);
  const slug = fixedSlug || v.slugTouched ? v.slug : (hint?.suggestion ?? "");
  const slugProblem = fixedSlug ? null : v.slugTouched ? (hint?.problem ?? null) : slug.length < 3 && v.name.trim() ? "The slug needs at least 3 characters; type one." : null;
  const email = useCmd("email_problem", v.contactEmail.trim() ? { email: v.contactEmail } : null, { placeholderData: keepPreviousData });
  const emailProblem = v.contactEmail.trim() && !email.isPlaceholderData ? (email.data ?? null) : null;
  const zones = useCmd("timezones", {}, { staleTime: Infinity });
  const zoneProblem = zones.data && !zones.data.includes(v.timezone.trim()) ? `“${v.timezone}” is not an IANA time zone of the list; pick one, such as Europe/Paris.` : null;
  const regions = useCmd("region_choice", { plan }, { staleTime: Infinity });
  const allowed = regions.data?.options.filter((o) => o.allowed).map((o) => o.region) ?? [];
  const regionProblem = regions.data && !allowed.includes(v.region) ? `The ${plan} plan keeps data in ${allowed.join(", ")} only; pick one of those.` : null;
  const nameProblem = v.name.trim() ? null : "Give the community a name.";
  const problems = [nameProblem, slugProblem, zoneProblem, emailProblem, regionProblem].filter((p): p is string => !!p);
  const checking = !hint || !zones.data || !regions.data || (v.contactEmail.trim() !== "" && email.isPlaceholderData);
  return { slug, slugProblem, zoneProblem, emailProblem, regionProblem, problems, checking, zones: zones.data ?? [], regions: regions.data ?? null };
}

/** What the create command sends for these fields. */
export function createRequest(v: Identity, check: IdentityCheck, copyRolesFrom: string | null = null): CreateCommunity {
  return { name: v.name.trim(), slug: check.slug, timezone: v.timezone.trim(), contact_email: v.contactEmail.trim() ? v.contactEmail.trim() : null, region: v.region, copy_roles_from: copyRolesFrom };
}

export function CommunityFields(props: { value: Identity; onChange: (v: Identity) => void; check: IdentityCheck; plan: Plan; fixedSlug: boolean; autoFocus?: boolean }) {
  const { value: v, onChange, check } = props;
  const set = (p: Partial<Identity>) => onChange({ ...v, ...p });
  const uid = useId();
  return (
    <>
      <label>
        Name
        <input autoFocus={props.autoFocus} value={v.name} onChange={(e) => set({ name: e.target.value })} placeholder="Acme Corp" aria-label="Community name" />
      </label>
      <label>
        Slug{" "}
        <span className="muted small">
          {props.fixedSlug ? "(fixed once made: links carry it)" : "(lower-case letters, digits and single hyphens, 3–30 characters, unique in the workspace; fixed once made)"}
        </span>
        <input
          value={check.slug}
          readOnly={props.fixedSlug}
          aria-label="Community slug"
          aria-invalid={!!check.slugProblem}
          aria-describedby={`${uid}-slug`}
          onChange={(e) => set({ slug: e.target.value, slugTouched: true })}
        />
      </label>
      {!props.fixedSlug && (
        <p id={`${uid}-slug`} className={check.slugProblem ? "error small" : "muted small"} role={check.slugProblem ? "alert" : undefined}>
          {check.slugProblem ?? (check.slug ? `Will be reachable as “${check.slug}”.` : "Type a name; a slug is suggested from it.")}
        </p>
      )}
      <label>
        Time zone <span className="muted small">(SLA windows and report times; type to search the list)</span>
        <input list={`${uid}-zones`} value={v.timezone} onChange={(e) => set({ timezone: e.target.value })} aria-label="Time zone" aria-invalid={!!check.zoneProblem} />
        <datalist id={`${uid}-zones`}>
          {check.zones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
      </label>
      {check.zoneProblem && <p className="error small" role="alert">{check.zoneProblem}</p>}
      <label>
        Primary contact email <span className="muted small">(optional: the client contact reports go to)</span>
        <input type="email" value={v.contactEmail} onChange={(e) => set({ contactEmail: e.target.value })} placeholder="soc@client.example" aria-label="Primary contact email" aria-invalid={!!check.emailProblem} />
      </label>
      {check.emailProblem && <p className="error small" role="alert">{check.emailProblem}</p>}
      <label>
        Data residency
        <select value={v.region} onChange={(e) => set({ region: e.target.value as Region })} aria-label="Data residency region">
          {(check.regions?.options ?? []).map((o) => (
            <option key={o.region} value={o.region} disabled={!o.allowed}>
              {o.label}
              {o.allowed ? "" : ` — needs the ${check.regions?.others_need ?? "enterprise"} plan`}
            </option>
          ))}
        </select>
      </label>
      {check.regions?.others_need && (
        <p className="muted small">
          The {props.plan} plan keeps data in {check.regions.options.filter((o) => o.allowed).map((o) => o.label).join(", ")}; the {check.regions.others_need} plan and higher offer every region.
        </p>
      )}
      {check.regionProblem && <p className="error small" role="alert">{check.regionProblem}</p>}
    </>
  );
}
