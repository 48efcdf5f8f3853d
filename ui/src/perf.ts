// User Timing marks and measures for `make bench` (scripts/footprint.sh reads them over
// WebDriver with `performance.getEntriesByType`). They cost a few microseconds each, so they
// stay in the release build that is measured; nothing in the console reads them.

/** Names of the marks and measures, as the bench looks them up. */
export const PERF = {
  /** Once per window: the page's script started (its modules fetched and evaluated). */
  scriptRun: "console: script run",
  /** Once per window: the sign-in screen was first painted (the floor of a cold start). */
  signInShown: "console: sign-in shown",
  /** Once per window: the pane's view tabs were first painted (the console is usable). */
  viewsShown: "console: views shown",
  /** Once per window: the first rows of the members table were painted. */
  firstRows: "members: first rows painted",
  /** Each keystroke in the members search box, to the box showing it. */
  keyToInput: "members filter: keystroke to input painted",
  /** Each keystroke, to the rows for it painted. */
  keyToRows: "members filter: keystroke to rows painted",
  /** The query asked for, to its rows painted (the same as from the keystroke, now that each
   *  keystroke asks its query at once). */
  queryToRows: "members filter: query to rows painted",
} as const;

/** Measures kept at most; older ones are dropped so a long session does not pile them up. */
const KEPT = 500;

const once = new Set<string>();
/** When the last keystroke happened (event time), until its rows are painted. */
let keyAt: number | null = null;
let keyEchoAt: number | null = null;
let queryAt: number | null = null;

/** Runs `f` once the current frame has been painted (the next task after the next rendering
 *  update). */
export function afterPaint(f: () => void): void {
  if (typeof requestAnimationFrame === "function") requestAnimationFrame(() => setTimeout(f, 0));
  else setTimeout(f, 0);
}

function measure(name: string, start: number): void {
  if (typeof performance === "undefined" || !performance.measure) return;
  if (performance.getEntriesByType("measure").length >= KEPT) performance.clearMeasures();
  performance.measure(name, { start, end: performance.now() });
}

/** Marks `name` the first time only (per window). */
export function markOnce(name: string): void {
  if (once.has(name) || typeof performance === "undefined") return;
  once.add(name);
  performance.mark(name);
}

/** A keystroke in the members search box; `at` is the input event's `timeStamp`. */
export function filterKeystroke(at: number): void {
  keyAt = at;
  keyEchoAt = at;
}

/** The search box has rendered the keystroke's text: measured once painted. */
export function filterEchoed(): void {
  const at = keyEchoAt;
  keyEchoAt = null;
  if (at !== null) afterPaint(() => measure(PERF.keyToInput, at));
}

/** The members query for the typed text was asked for. */
export function filterQueried(): void {
  if (keyAt !== null) queryAt = performance.now();
}

/** The table has rendered the rows of the current question (not the previous one's, kept on
 *  screen while it loads): measured once painted. */
export function rowsRendered(): void {
  const key = keyAt;
  const query = queryAt;
  keyAt = null;
  queryAt = null;
  afterPaint(() => {
    markOnce(PERF.firstRows);
    if (key !== null) measure(PERF.keyToRows, key);
    if (query !== null) measure(PERF.queryToRows, query);
  });
}
