// A workspace's colour: the one the user picked (kept in preferences), or a stable one made
// from its slug until they pick one.

/** A stable colour per workspace until the user picks one. */
export function colourOf(slug: string): string {
  let h = 0;
  for (const c of slug) h = (h * 31 + c.charCodeAt(0)) % 360;
  return `hsl(${h} 60% 45%)`;
}

/** The colour a workspace shows in: the user's own, or its default. */
export function workspaceColour(colours: Partial<Record<string, string>>, ws: { id: string; slug: string }): string {
  return colours[ws.id] ?? colourOf(ws.slug);
}

/** `<input type="color">` takes only #rrggbb: a colour of ours written that way. */
export function toHex(css: string): string {
  if (/^#[0-9a-f]{6}$/i.test(css)) return css;
  const m = /^hsl\((\d+) (\d+)% (\d+)%\)$/.exec(css);
  if (!m) return "#1f6feb";
  const [h, s, l] = [Number(m[1]), Number(m[2]) / 100, Number(m[3]) / 100];
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    const c = l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(255 * c).toString(16).padStart(2, "0");
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}
