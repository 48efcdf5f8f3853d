// Command palette search: fuzzy matching with favourites and recents, over every signed-in
// account at once. Pure functions, so the ranking is tested without a window; fast enough for
// 1,000 workspaces and 10,000 communities on every keystroke (one linear pass, no allocation
// per non-matching item).

export type PaletteItem = {
  /** `workspace:<id>`, `community:<id>:<workspace>`, `person:<user>:<workspace>` or
   *  `view:<tab>`; with `account`, what favourites and recents store (see `itemId`). */
  key: string;
  label: string;
  /** Searched as the label is, and shown beside it: a person's email. */
  alt?: string;
  /** Shown after the label and searched too, e.g. the workspace of a community or a slug. */
  detail: string;
  kind: "workspace" | "community" | "person" | "action";
  /** The signed-in account the item is of; unset for views (they act on the focused pane). */
  account?: string;
  /** How the item's account is named to the user: their label for it, or email · server. */
  where?: string;
};

/** An item's identity across accounts: the same workspace seen by two accounts is two items. */
export const itemId = (i: Pick<PaletteItem, "key" | "account">) => (i.account ? `${i.account}|${i.key}` : i.key);

/** How much a match of the focused pane's account is lifted over an equal one elsewhere. */
const HERE_BOOST = 3;

/**
 * Scores `text` against `query` (both compared case-insensitively): null when the query's
 * characters do not all appear in order. Higher is better: a prefix beats a word start, which
 * beats letters scattered through the text; consecutive letters add up.
 */
export function fuzzyScore(query: string, text: string): number | null {
  const q = query.trim().toLowerCase();
  if (!q) return 0;
  const t = text.toLowerCase();
  let score = 0;
  let ti = 0;
  let run = 0;
  for (let qi = 0; qi < q.length; qi++) {
    const ch = q[qi];
    if (ch === " ") continue;
    const found = t.indexOf(ch, ti);
    if (found < 0) return null;
    const wordStart = found === 0 || /[\s\-_/.]/.test(t[found - 1]);
    run = found === ti && qi > 0 ? run + 1 : 0;
    score += 1 + (wordStart ? 8 : 0) + run * 4 - Math.min(found - ti, 10) * 0.1;
    ti = found + 1;
  }
  if (t.startsWith(q)) score += 20;
  return score - t.length * 0.01;
}

export type Ranked = PaletteItem & { score: number; favourite: boolean; recent: boolean };

const best = (...scores: (number | null)[]) => scores.reduce<number | null>((m, s) => (s === null ? m : m === null ? s : Math.max(m, s)), null);

/**
 * The palette's list for `query`: with an empty query, recents (most recent first) then
 * favourites; otherwise matches ranked by score, favourites and recents lifted, and the
 * focused pane's account (`here`) a little over the others. Favourites and recents are item
 * ids (`itemId`); a bare key (saved before accounts were told apart) still counts.
 */
export function searchPalette(items: PaletteItem[], query: string, favourites: string[], recents: string[], limit = 50, here?: string): Ranked[] {
  const fav = new Set(favourites);
  const recentRank = new Map(recents.map((k, i) => [k, i]));
  const isFav = (it: PaletteItem) => fav.has(itemId(it)) || fav.has(it.key);
  const recency = (it: PaletteItem) => recentRank.get(itemId(it)) ?? recentRank.get(it.key);
  if (!query.trim()) {
    const byId = new Map<string, PaletteItem>();
    // A bare key finds its item in the focused account first.
    for (const i of items) {
      byId.set(itemId(i), i);
      if (!byId.has(i.key) || i.account === here) byId.set(i.key, i);
    }
    const out: Ranked[] = [];
    const seen = new Set<string>();
    for (const k of [...recents, ...favourites.filter((f) => !recentRank.has(f))]) {
      const it = byId.get(k);
      if (it && !seen.has(itemId(it))) {
        seen.add(itemId(it));
        out.push({ ...it, score: 0, favourite: isFav(it), recent: recency(it) !== undefined });
      }
      if (out.length >= limit) break;
    }
    return out;
  }
  const out: Ranked[] = [];
  for (const it of items) {
    const d = fuzzyScore(query, it.detail);
    const score = best(fuzzyScore(query, it.label), it.alt ? fuzzyScore(query, it.alt) : null, d === null ? null : d - 5);
    if (score === null) continue;
    const r = recency(it);
    const f = isFav(it);
    const boost = (f ? 6 : 0) + (r === undefined ? 0 : 4 - r * 0.1) + (here && it.account === here ? HERE_BOOST : 0);
    out.push({ ...it, score: score + boost, favourite: f, recent: r !== undefined });
  }
  out.sort((x, y) => y.score - x.score || x.label.localeCompare(y.label));
  return out.slice(0, limit);
}

/** Recents after visiting `key`: it moves to the front; at most `max`. */
export function visit(recents: string[], key: string, max = 20): string[] {
  return [key, ...recents.filter((k) => k !== key)].slice(0, max);
}
