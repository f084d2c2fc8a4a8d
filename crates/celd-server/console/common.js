// Shared by the console and the playground: building DOM nodes from data (never from HTML
// strings: templates and expressions are user text), number formats, the admin token.

/** The first element matching `selector`. */
export const $ = (selector, root = document) => root.querySelector(selector);

/**
 * A new element: `el("td", {class: "num"}, "12")`. Attributes starting with "on" are
 * listeners; children are nodes or text.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** Replaces the children of `node`. */
export function fill(node, ...children) {
  node.replaceChildren();
  for (const child of children.flat()) {
    if (child !== undefined && child !== null) node.append(child);
  }
}

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

/** 1,234,567 */
export const formatInt = (n) => (n === null || n === undefined ? "–" : integer.format(n));

/** A rate per second: 0.3, 12.5, 1,234. */
export function formatRate(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  return x >= 100 ? integer.format(x) : decimal.format(x);
}

/** 512 B, 3.2 KiB, 48.0 MiB, 1.50 GiB */
export function formatBytes(n) {
  if (n === null || n === undefined) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${integer.format(value)} B`;
  const digits = value >= 100 || Number.isInteger(value) ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** A short duration: 850 µs, 12.3 ms, 4.0 s, 3 min 20 s, 2 h 5 min. */
export function formatSeconds(s) {
  if (s === null || s === undefined || !Number.isFinite(s)) return "–";
  if (s < 0.001) return `${Math.round(s * 1e6)} µs`;
  if (s < 1) return `${(s * 1000).toFixed(1)} ms`;
  if (s < 60) return `${s.toFixed(1)} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min ${Math.floor(s % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Local wall-clock time of a Unix millisecond: 14:03:27. */
export function formatClock(unixMs) {
  const d = new Date(unixMs);
  const two = (n) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

const TOKEN_KEY = "celd-admin-token";

/** The admin token, kept for this browser tab only. */
export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** GET `path` with the admin token: `{status, body}` (body parsed as JSON when it is). */
export async function adminGet(path) {
  const response = await fetch(path, {
    headers: { Authorization: `Bearer ${token.get() ?? ""}` },
    cache: "no-store",
  });
  return { status: response.status, response, body: await jsonOf(response) };
}

/** The response body as JSON, or null. */
export async function jsonOf(response) {
  const type = response.headers.get("content-type") ?? "";
  if (!type.includes("json")) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** The message of an error body, or a description of the status. */
export function errorText(status, body) {
  return body?.error?.message ?? `HTTP ${status}`;
}
