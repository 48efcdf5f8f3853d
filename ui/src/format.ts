// How the console writes dates, times and numbers: in the user's locale, the same way in every
// view. (The data's own values stay as they are; only their display is formatted here.)

/** "3 minutes ago", for the age of cached data. */
export function age(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return "never synced";
  const s = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000));
  if (s < 45) return "just now";
  const m = Math.round(s / 60);
  if (m < 60) return `${m} minute${m === 1 ? "" : "s"} ago`;
  const h = Math.round(m / 60);
  if (h < 36) return `${h} hour${h === 1 ? "" : "s"} ago`;
  const d = Math.round(h / 24);
  return `${d} day${d === 1 ? "" : "s"} ago`;
}

function valid(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A day, e.g. "Mar 4, 2026" (en-US) or "4 mars 2026" (fr-FR); "—" for none. */
export function formatDate(iso: string | null | undefined, locale?: string): string {
  const d = valid(iso);
  return d ? d.toLocaleDateString(locale, { year: "numeric", month: "short", day: "numeric" }) : "—";
}

/** A moment in local time, e.g. "Mar 4, 2026, 2:05 PM"; "—" for none. */
export function formatDateTime(iso: string | null | undefined, locale?: string): string {
  const d = valid(iso);
  return d ? d.toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" }) : "—";
}

/** "Mar 4" for the calendar day "2026-03-04" (no time-zone shift). */
export function dayLabel(day: string, locale?: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return day;
  return d.toLocaleDateString(locale, { month: "short", day: "numeric", timeZone: "UTC" });
}

/** A count with the locale's separators: "19,999" (en-US), "19 999" (fr-FR). */
export function formatNumber(n: number | bigint, locale?: string): string {
  return new Intl.NumberFormat(locale).format(n);
}

/** "1 person", "2,048 people": a count and the noun that fits it. */
export function counted(n: number, one: string, many: string, locale?: string): string {
  return `${formatNumber(n, locale)} ${n === 1 ? one : many}`;
}
