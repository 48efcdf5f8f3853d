// The two Overview charts, on Chart.js with only the pieces they use registered. Colours come
// from the page's own CSS (text colour, --line, --accent), so light and dark mode both read well.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  Filler,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartOptions,
} from "chart.js";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { Bar, Line } from "react-chartjs-2";
import { dayLabel, formatNumber } from "../format";

ChartJS.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Filler);

type Theme = { text: string; muted: string; grid: string; accent: string };
const FALLBACK: Theme = { text: "#6b7280", muted: "#6b7280", grid: "rgba(128,128,128,0.25)", accent: "#1f6feb" };

/** The colours of the element's surroundings, re-read when the colour scheme flips. */
function useTheme(): [React.RefObject<HTMLDivElement | null>, Theme] {
  const ref = useRef<HTMLDivElement>(null);
  const [theme, setTheme] = useState<Theme>(FALLBACK);
  useEffect(() => {
    const read = () => {
      const el = ref.current;
      if (!el || typeof getComputedStyle !== "function") return;
      const s = getComputedStyle(el);
      const v = (name: string, fb: string) => s.getPropertyValue(name).trim() || fb;
      setTheme({ text: s.color || FALLBACK.text, muted: v("--muted", FALLBACK.muted), grid: v("--line", FALLBACK.grid), accent: v("--accent", FALLBACK.accent) });
    };
    read();
    const mq = typeof matchMedia === "function" ? matchMedia("(prefers-color-scheme: dark)") : null;
    mq?.addEventListener?.("change", read);
    return () => mq?.removeEventListener?.("change", read);
  }, []);
  return [ref, theme];
}

/** A canvas-safe translucent version of a #rgb/#rrggbb colour (canvases may not know color-mix). */
export function withAlpha(colour: string, alpha: number): string {
  let hex = colour.trim().replace(/^#/, "");
  if (/^[0-9a-f]{3}$/i.test(hex)) hex = hex.split("").map((c) => c + c).join("");
  if (!/^[0-9a-f]{6}$/i.test(hex)) return `rgba(31, 111, 235, ${alpha})`;
  const n = parseInt(hex, 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

let canvasOk: boolean | null = null;
/** Whether this page can draw on a canvas at all (a test DOM cannot); without it the charts show their numbers as a table. */
export function canvasSupported(): boolean {
  if (canvasOk === null) {
    try {
      canvasOk = typeof document !== "undefined" && !!document.createElement("canvas").getContext("2d");
    } catch {
      canvasOk = false;
    }
  }
  return canvasOk;
}

/** The chart's numbers as a small table: the fallback, and available to everyone under "Show numbers". */
function Numbers({ caption, head, rows }: { caption: string; head: [string, string]; rows: [string, number][] }) {
  return (
    <table className="ov-numbers">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr><th scope="col">{head[0]}</th><th scope="col" className="num">{head[1]}</th></tr>
      </thead>
      <tbody>
        {rows.map(([k, n], i) => (
          <tr key={`${k}-${i}`}><th scope="row">{k}</th><td className="num">{formatNumber(n)}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

function ChartOrNumbers(props: { chart: ReactNode; caption: string; head: [string, string]; rows: [string, number][] }) {
  if (!canvasSupported()) return <Numbers caption={props.caption} head={props.head} rows={props.rows} />;
  return (
    <>
      {props.chart}
      <details className="ov-show-numbers small">
        <summary>Show numbers</summary>
        <Numbers caption={props.caption} head={props.head} rows={props.rows} />
      </details>
    </>
  );
}

function axes(t: Theme) {
  return {
    x: { ticks: { color: t.muted, autoSkip: true, maxRotation: 0 }, grid: { color: t.grid, display: false }, border: { color: t.grid } },
    y: { beginAtZero: true, ticks: { color: t.muted, precision: 0 }, grid: { color: t.grid }, border: { color: t.grid } },
  };
}

export function RoleDistributionChart({ data }: { data: { name: string; count: number }[] }) {
  const [ref, t] = useTheme();
  // Role names are long: past three roles, bars run sideways so every name has its own line.
  const horizontal = data.length > 3;
  const chart = useMemo(
    () => ({ labels: data.map((d) => d.name), datasets: [{ label: "People", data: data.map((d) => d.count), backgroundColor: t.accent, borderRadius: 3, maxBarThickness: 28 }] }),
    [data, t],
  );
  const options = useMemo<ChartOptions<"bar">>(() => {
    const a = axes(t);
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      indexAxis: horizontal ? "y" : "x",
      plugins: { legend: { display: false }, tooltip: { enabled: true } },
      scales: horizontal
        ? { x: a.y, y: { ...a.x, ticks: { ...a.x.ticks, autoSkip: false }, grid: { display: false } } }
        : { ...a, x: { ...a.x, ticks: { ...a.x.ticks, autoSkip: false } } },
    };
  }, [t, horizontal]);
  const summary = data.map((d) => `${d.name} ${formatNumber(d.count)}`).join(", ");
  return (
    <ChartOrNumbers
      caption="Role distribution"
      head={["Role", "People"]}
      rows={data.map((d) => [d.name, d.count])}
      chart={
        <div ref={ref} className="ov-chart" style={horizontal ? { height: Math.min(600, 40 + data.length * 22) } : undefined}>
          <Bar data={chart} options={options} role="img" aria-label={`Role distribution: ${summary}`} />
        </div>
      }
    />
  );
}

export function AlertVolumeChart({ data }: { data: [string, number][] }) {
  const [ref, t] = useTheme();
  const chart = useMemo(
    () => ({
      labels: data.map(([day]) => dayLabel(day)),
      datasets: [
        {
          label: "Alerts",
          data: data.map(([, n]) => Number(n)),
          borderColor: t.accent,
          backgroundColor: withAlpha(t.accent, 0.18),
          fill: true,
          tension: 0.2,
          pointRadius: data.length > 60 ? 0 : 2,
          borderWidth: 2,
        },
      ],
    }),
    [data, t],
  );
  const options = useMemo<ChartOptions<"line">>(
    () => ({
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { display: false }, tooltip: { enabled: true } },
      scales: axes(t),
    }),
    [t],
  );
  const total = data.reduce((a, [, n]) => a + Number(n), 0);
  const range = data.length ? `${dayLabel(data[0][0])} to ${dayLabel(data[data.length - 1][0])}` : "";
  return (
    <ChartOrNumbers
      caption="Alert volume per day"
      head={["Day", "Alerts"]}
      rows={data.map(([day, n]) => [dayLabel(day), Number(n)])}
      chart={
        <div ref={ref} className="ov-chart">
          <Line data={chart} options={options} role="img" aria-label={`Alert volume ${range}: ${formatNumber(total)} alerts over ${formatNumber(data.length)} days`} />
        </div>
      }
    />
  );
}
