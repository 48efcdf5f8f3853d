// Command palette search: fuzzy matching with favourites and recents. Pure functions, so the
// ranking is tested without a window; fast enough for 1,000 workspaces and 10,000 communities
// on every keystroke (one linear pass, no allocation per non-matching item).

export type PaletteItem = {
  /** Stable key, e.g. `workspace:<id>` or `community:<id>`; what favourites and recents store. */
  key: string;
  label: string;
  /** Shown after the label and searched too, e.g. the workspace of a community or a slug. */
  detail: string;
  kind: "workspace" | "community" | "action";
};

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

/**
 * The palette's list for `query`: with an empty query, recents (most recent first) then
 * favourites; otherwise matches ranked by score, favourites and recents lifted.
 */
export function searchPalette(items: PaletteItem[], query: string, favourites: string[], recents: string[], limit = 50): Ranked[] {
  const fav = new Set(favourites);
  const recentRank = new Map(recents.map((k, i) => [k, i]));
  if (!query.trim()) {
    const byKey = new Map(items.map((i) => [i.key, i]));
    const out: Ranked[] = [];
    for (const k of [...recents, ...favourites.filter((f) => !recentRank.has(f))]) {
      const it = byKey.get(k);
      if (it) out.push({ ...it, score: 0, favourite: fav.has(k), recent: recentRank.has(k) });
      if (out.length >= limit) break;
    }
    return out;
  }
  const out: Ranked[] = [];
  for (const it of items) {
    const a = fuzzyScore(query, it.label);
    const b = fuzzyScore(query, it.detail);
    const best = a === null ? (b === null ? null : b - 5) : b === null ? a : Math.max(a, b - 5);
    if (best === null) continue;
    const r = recentRank.get(it.key);
    const boost = (fav.has(it.key) ? 6 : 0) + (r === undefined ? 0 : 4 - r * 0.1);
    out.push({ ...it, score: best + boost, favourite: fav.has(it.key), recent: r !== undefined });
  }
  out.sort((x, y) => y.score - x.score || x.label.localeCompare(y.label));
  return out.slice(0, limit);
}

/** Recents after visiting `key`: it moves to the front; at most `max`. */
export function visit(recents: string[], key: string, max = 20): string[] {
  return [key, ...recents.filter((k) => k !== key)].slice(0, max);
}
