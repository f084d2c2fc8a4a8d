// Line charts drawn as SVG by hand: a few series over the last minutes, a dashed limit line
// (the cache's budget, --max-rss), the scale's top value and the time axis. Styles come from
// console.css through class names, so the charts follow the page's colours.

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 600;
const HEIGHT = 160;
const PAD = { left: 66, right: 8, top: 10, bottom: 20 };

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * A scale top at or above `max` that reads well: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a
 * power of ten — of `base`^k units first when `base` is given (1024 for bytes: 600 MiB).
 */
export function niceTop(max, base = null) {
  if (!(max > 0)) return 1;
  const unit = base ? base ** Math.max(0, Math.floor(Math.log(max) / Math.log(base))) : 1;
  const scaled = max / unit;
  const power = 10 ** Math.floor(Math.log10(scaled));
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    if (step * power >= scaled) return step * power * unit;
  }
  return 10 * power * unit;
}

/**
 * Draws into `<svg>` node `target`:
 * - `series`: `[{name, className, points: [[unixMs, value], ...]}]`
 * - `options.limit`: a value drawn as a dashed line (and kept inside the scale)
 * - `options.format`: how values are written on the axis; `options.base`: 1024 for bytes
 * - `options.spanMs`: the most time shown (ending at the newest point); less while the
 *   points cover less, but at least a minute
 */
export function lineChart(target, series, options = {}) {
  const format = options.format ?? String;
  const all = series.flatMap((s) => s.points);
  const times = all.map((p) => p[0]);
  const end = all.length ? Math.max(...times) : Date.now();
  const covered = all.length ? end - Math.min(...times) : 0;
  const spanMs = Math.min(options.spanMs ?? 300_000, Math.max(60_000, covered));
  const start = end - spanMs;
  const highest = Math.max(0, ...all.map((p) => p[1]), options.limit ?? 0);
  const top = niceTop(highest, options.base);
  const x = (t) => PAD.left + ((t - start) / spanMs) * (WIDTH - PAD.left - PAD.right);
  const y = (v) => HEIGHT - PAD.bottom - (v / top) * (HEIGHT - PAD.top - PAD.bottom);

  target.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
  target.replaceChildren();
  for (const v of [0, top / 2, top]) {
    target.append(svg("line", { class: "grid", x1: PAD.left, x2: WIDTH - PAD.right, y1: y(v), y2: y(v) }));
    target.append(svg("text", { class: "axis", x: PAD.left - 6, y: y(v) + 4, "text-anchor": "end" }, format(v)));
  }
  const seconds = Math.round(spanMs / 1000);
  const ago = seconds % 60 === 0 ? `−${seconds / 60} min` : `−${seconds} s`;
  target.append(svg("text", { class: "axis", x: PAD.left, y: HEIGHT - 4 }, ago));
  target.append(svg("text", { class: "axis", x: WIDTH - PAD.right, y: HEIGHT - 4, "text-anchor": "end" }, "now"));
  if (options.limit) {
    target.append(svg("line", {
      class: "limit", x1: PAD.left, x2: WIDTH - PAD.right, y1: y(options.limit), y2: y(options.limit),
    }));
  }
  for (const s of series) {
    const visible = s.points.filter((p) => p[0] >= start);
    if (visible.length === 0) continue;
    const path = visible.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    target.append(svg("polyline", { class: `series ${s.className}`, points: path }));
  }
}
