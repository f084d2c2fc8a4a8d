// The live console: figures and charts from /debug/stats every second while the tab is
// visible, the inventory, one program's dump, recent compile storms and the export. Views are
// chosen by the URL fragment: #live, #programs, #program/<id>, #storms.

import {
  $, el, fill, formatInt, formatRate, formatBytes, formatSeconds, formatClock,
  token, adminGet, errorText,
} from "./common.js";
import { lineChart } from "./charts.js";

const POLL_MS = 1000;
const INVENTORY_POLL_MS = 5000;
/** Rows drawn at most; the filter narrows the rest. */
const MAX_ROWS = 500;

const state = {
  /** Samples of the worker being watched, oldest first, as many as it keeps. */
  history: [],
  historyLen: 300,
  pid: null,
  stats: null,
  inventory: null,
  sort: { key: "hits", descending: true },
  pollTimer: null,
  inventoryTimer: null,
};

// ---- token --------------------------------------------------------------------------------

function showLogin(message) {
  $("#login").hidden = false;
  for (const view of document.querySelectorAll("main > section[id^=view-]")) view.hidden = true;
  $("#sign-out").hidden = true;
  $("#login-error").textContent = message ?? "";
  $("#token-input").focus();
  stopPolling();
}

async function tryToken(event) {
  event.preventDefault();
  token.set($("#token-input").value.trim());
  const { status, body } = await adminGet("/debug/stats");
  if (status === 200) {
    $("#token-input").value = "";
    $("#login").hidden = true;
    accept(body);
    route();
  } else {
    token.clear();
    showLogin(status === 401 ? "That is not the admin token." : errorText(status, body));
  }
}

/** Handles an answer that says the token is no good; true if it did. */
function tokenRefused(status, body) {
  if (status !== 401 && status !== 403) return false;
  token.clear();
  showLogin(status === 401 ? "The admin token was refused; enter it again." : errorText(status, body));
  return true;
}

// ---- polling ------------------------------------------------------------------------------

function startPolling() {
  if (state.pollTimer === null && document.visibilityState === "visible") poll();
}

function stopPolling() {
  clearTimeout(state.pollTimer);
  state.pollTimer = null;
  clearTimeout(state.inventoryTimer);
  state.inventoryTimer = null;
}

async function poll() {
  state.pollTimer = -1;
  try {
    const since = state.history.length ? state.history.at(-1).unix_ms : 0;
    let { status, body } = await adminGet(`/debug/stats?since=${since}`);
    if (tokenRefused(status, body)) return;
    if (status === 200 && body.worker.pid !== state.pid && since > 0) {
      // Another worker answers (a recycle): its counters start again, so does the history.
      ({ status, body } = await adminGet("/debug/stats?since=0"));
      state.history = [];
    }
    if (status === 200) accept(body);
    else showStatus(`stats: ${errorText(status, body)}`, true);
  } catch (e) {
    showStatus(`stats: ${e.message} (retrying)`, true);
  }
  if (token.get() !== null && document.visibilityState === "visible") {
    state.pollTimer = setTimeout(poll, POLL_MS);
  } else {
    state.pollTimer = null;
  }
}

/** Takes a /debug/stats answer in and redraws what shows it. */
function accept(body) {
  state.stats = body;
  state.pid = body.worker.pid;
  state.historyLen = body.history_len;
  state.history.push(...body.history);
  state.history.splice(0, Math.max(0, state.history.length - state.historyLen));
  $("#sign-out").hidden = false;
  const w = body.worker;
  $("#worker-badge").textContent = `worker ${w.generation} · pid ${w.pid}${w.draining ? " · draining" : ""}`;
  drawLive();
  drawStorms();
  showStatus(`updated ${formatClock(body.now.unix_ms)} · every ${POLL_MS / 1000} s while this tab is visible`);
}

function showStatus(text, isError = false) {
  const status = $("#status");
  status.textContent = text;
  status.classList.toggle("error", isError);
}

// ---- live view ----------------------------------------------------------------------------

/** Per-second rates of counter `key` between consecutive samples: `[[unixMs, rate]]`. */
function rates(key) {
  const out = [];
  const h = state.history;
  for (let i = 1; i < h.length; i++) {
    const seconds = (h[i].unix_ms - h[i - 1].unix_ms) / 1000;
    const delta = h[i][key] - h[i - 1][key];
    if (seconds > 0 && delta >= 0) out.push([h[i].unix_ms, delta / seconds]);
  }
  return out;
}

function gauge(key) {
  return state.history.filter((s) => s[key] !== null).map((s) => [s.unix_ms, s[key]]);
}

/** The latest rate of `key`, or null before two samples. */
const latestRate = (key) => rates(key).at(-1)?.[1] ?? null;

function tile(id, big, small, fraction) {
  const node = $(`#${id}`);
  node.querySelector(".big").textContent = big;
  node.querySelector(".small").textContent = small;
  const meter = node.querySelector(".meter > div");
  if (meter) {
    const share = fraction === null ? 0 : Math.min(1, fraction);
    meter.style.width = `${(share * 100).toFixed(1)}%`;
    meter.classList.toggle("high", share >= 0.9);
  }
}

function drawLive() {
  const { now, worker } = state.stats;
  const r = worker.recycles;
  tile("t-programs", formatInt(now.programs_loaded), `${formatInt(now.misses)} misses in all`);
  tile("t-bytes", formatBytes(now.bytes_held), `of ${formatBytes(worker.max_bytes)} (${formatInt(now.bytes_held)} bytes)`,
    now.bytes_held / worker.max_bytes);
  tile("t-compilations", formatRate(latestRate("compilations")), `${formatInt(now.compilations)} in all, ${formatInt(now.compile_failures)} failed`);
  tile("t-hits", formatRate(latestRate("hits")), `${formatInt(now.hits)} in all`);
  tile("t-evictions", formatRate(latestRate("evictions")), `${formatInt(now.evictions)} in all`);
  tile("t-storms", formatInt(now.storms), state.stats.storms.length
    ? `latest ${formatClock(state.stats.storms[0].unix_ms)}: ${state.stats.storms[0].kind.replace("_", " ")}`
    : "none from this worker");
  tile("t-evaluations", formatRate(latestRate("evaluations")), `${formatInt(now.evaluations)} in all, ${formatInt(now.evaluation_errors)} errors`);
  tile("t-worker", `generation ${formatInt(worker.generation)}`,
    `recycles before it: ${r.signal} signal, ${r.rss} memory, ${r.exit} exit, ${r.hung} hung · up ${formatSeconds((now.unix_ms - worker.started_unix_ms) / 1000)}`);
  const maxRss = worker.max_rss_bytes;
  tile("t-rss", formatBytes(now.rss_bytes),
    maxRss ? `of ${formatBytes(maxRss)} (${formatInt(now.rss_bytes)} bytes)` : "no --max-rss: not recycled on memory",
    maxRss ? now.rss_bytes / maxRss : null);

  const spanMs = state.historyLen * 1000;
  const count = (v) => formatRate(v);
  lineChart($("#c-compilations"), [{ className: "s1", points: rates("compilations") }], { format: count, spanMs });
  lineChart($("#c-hits"), [{ className: "s2", points: rates("hits") }], { format: count, spanMs });
  lineChart($("#c-evictions"), [{ className: "s3", points: rates("evictions") }], { format: count, spanMs });
  lineChart($("#c-bytes"), [{ className: "s1", points: gauge("bytes_held") }], { format: formatBytes, base: 1024, limit: worker.max_bytes, spanMs });
  lineChart($("#c-rss"), [{ className: "s2", points: gauge("rss_bytes") }], { format: formatBytes, base: 1024, limit: maxRss, spanMs });
  lineChart($("#c-programs"), [{ className: "s3", points: gauge("programs_loaded") }], { format: formatInt, spanMs });
}

// ---- storms -------------------------------------------------------------------------------

function stormTable(storms) {
  if (storms.length === 0) return el("p", { class: "muted" }, "No compile storm since this worker started.");
  const rows = storms.map((s) => el("tr", {},
    el("td", {}, formatClock(s.unix_ms)),
    el("td", {}, s.kind === "template_churn" ? "template churn" : "distinct templates"),
    el("td", { class: "template" }, el("a", { href: `#program/${s.program_id}` }, s.template)),
    el("td", { class: "num" }, `${formatInt(s.compilations)} in ${s.window_seconds} s`),
    el("td", {}, s.origin ?? "–"),
    el("td", { class: "num" }, `${formatInt(s.programs_loaded)} programs, ${formatBytes(s.bytes_held)} of ${formatBytes(s.max_bytes)}, ${formatInt(s.evictions)} evictions`),
  ));
  return el("div", { class: "scroll" }, el("table", { class: "storms" },
    el("thead", {}, el("tr", {},
      el("th", {}, "When"), el("th", {}, "Kind"), el("th", {}, "Template named"),
      el("th", { class: "num" }, "Compilations"), el("th", {}, "Origin"), el("th", { class: "num" }, "Cache then"))),
    el("tbody", {}, rows)));
}

function drawStorms() {
  const storms = state.stats.storms;
  fill($("#live-storms"), stormTable(storms.slice(0, 5)));
  fill($("#storm-list"), stormTable(storms));
}

// ---- inventory ----------------------------------------------------------------------------

async function loadInventory() {
  clearTimeout(state.inventoryTimer);
  try {
    const { status, body } = await adminGet("/debug/programs?sort=hits");
    if (tokenRefused(status, body)) return;
    if (status !== 200) throw new Error(errorText(status, body));
    state.inventory = body.programs;
    drawInventory();
  } catch (e) {
    showStatus(`inventory: ${e.message}`, true);
  }
  if (currentView() === "programs" && document.visibilityState === "visible") {
    state.inventoryTimer = setTimeout(loadInventory, INVENTORY_POLL_MS);
  }
}

function drawInventory() {
  if (state.inventory === null) return;
  const needle = $("#filter").value.trim().toLowerCase();
  const { key, descending } = state.sort;
  const shown = state.inventory.filter((p) => !needle
    || [p.template, p.id, p.result_type, p.origin ?? ""].some((f) => f.toLowerCase().includes(needle)));
  shown.sort((a, b) => {
    const order = typeof a[key] === "string" ? a[key].localeCompare(b[key]) : a[key] - b[key];
    return (descending ? -order : order) || a.id.localeCompare(b.id);
  });
  const rows = shown.slice(0, MAX_ROWS).map((p) => el("tr", { "data-id": p.id },
    el("td", { class: "template" }, el("a", { href: `#program/${p.id}` }, p.template)),
    el("td", {}, el("code", {}, p.result_type)),
    el("td", { class: "num" }, formatInt(p.hits)),
    el("td", { class: "num" }, formatBytes(p.bytes)),
    el("td", { class: "num" }, formatSeconds(p.age_seconds)),
    el("td", { class: "num" }, formatSeconds(p.idle_seconds)),
    el("td", { class: "num" }, formatSeconds(p.compile_seconds)),
  ));
  fill($("#inventory tbody"), rows);
  const total = state.inventory.length;
  const more = shown.length > MAX_ROWS ? `, the first ${MAX_ROWS} drawn` : "";
  $("#program-count").textContent = needle
    ? `${formatInt(shown.length)} of ${formatInt(total)} programs${more}`
    : `${formatInt(total)} programs${more}`;
  for (const th of document.querySelectorAll("#inventory th")) {
    th.classList.toggle("sorted", th.dataset.key === key);
    th.classList.toggle("descending", th.dataset.key === key && descending);
    th.setAttribute("aria-sort", th.dataset.key === key ? (descending ? "descending" : "ascending") : "none");
  }
}

function sortBy(event) {
  const key = event.target.closest("th")?.dataset.key;
  if (!key) return;
  const same = state.sort.key === key;
  state.sort = { key, descending: same ? !state.sort.descending : key !== "template" && key !== "result_type" };
  drawInventory();
}

async function exportAll() {
  const status = $("#export-status");
  status.textContent = "Exporting…";
  try {
    const { response } = await fetchExport();
    if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
    const blob = await response.blob();
    const named = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "");
    const name = named ? named[1] : "celd-programs.json";
    const link = el("a", { href: URL.createObjectURL(blob), download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    status.textContent = `Saved ${name} (${formatBytes(blob.size)}).`;
  } catch (e) {
    status.textContent = `Export failed: ${e.message}`;
  }
}

async function fetchExport() {
  const response = await fetch("/debug/export", {
    headers: { Authorization: `Bearer ${token.get() ?? ""}` },
    cache: "no-store",
  });
  return { response };
}

// ---- one program --------------------------------------------------------------------------

async function showProgram(id) {
  fill($("#p-id"), id);
  for (const part of ["#p-template", "#p-checked", "#p-plan"]) $(part).textContent = "";
  fill($("#p-summary"));
  fill($("#p-slots tbody"));
  const { status, body } = await adminGet(`/debug/programs/${encodeURIComponent(id)}`);
  if (tokenRefused(status, body)) return;
  if (status !== 200) {
    const why = status === 404 ? "This program is not loaded (it may have been evicted)." : errorText(status, body);
    fill($("#p-summary"), el("dt", {}, "Not shown"), el("dd", { class: "error" }, why));
    return;
  }
  const s = body.stats;
  const facts = [
    ["Result type", body.result_type], ["Hits", formatInt(s.hits)], ["Bytes", `${formatBytes(s.bytes)} (${formatInt(s.bytes)})`],
    ["Age", formatSeconds(s.age_seconds)], ["Idle", formatSeconds(s.idle_seconds)],
    ["Compile time", formatSeconds(s.compile_seconds)], ["Origin", s.origin ?? "–"],
  ];
  fill($("#p-summary"), facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  $("#p-template").textContent = body.template;
  fill($("#p-slots tbody"), body.parameters.length
    ? body.parameters.map((p) => el("tr", {},
      el("td", {}, `$${p.slot}`), el("td", {}, el("code", {}, p.type)),
      el("td", {}, el("code", {}, p.value)), el("td", {}, `${p.line}:${p.column}`)))
    : el("tr", {}, el("td", { colspan: 4, class: "muted" }, "none: no literal is hoisted")));
  $("#p-checked").textContent = body.checked;
  $("#p-plan").textContent = body.plan;
}

// ---- views --------------------------------------------------------------------------------

function currentView() {
  const hash = location.hash.replace(/^#/, "");
  if (hash.startsWith("program/")) return "program";
  return ["live", "programs", "storms"].includes(hash) ? hash : "live";
}

function route() {
  if (token.get() === null) {
    showLogin();
    return;
  }
  const view = currentView();
  for (const section of document.querySelectorAll("main > section[id^=view-]")) {
    section.hidden = section.id !== `view-${view}`;
  }
  for (const link of document.querySelectorAll("nav a[data-view]")) {
    link.classList.toggle("active", link.dataset.view === view || (view === "program" && link.dataset.view === "programs"));
  }
  startPolling();
  if (view === "programs") loadInventory();
  if (view === "program") showProgram(decodeURIComponent(location.hash.slice("#program/".length)));
}

function start() {
  $("#login-form").addEventListener("submit", tryToken);
  $("#sign-out").addEventListener("click", () => {
    token.clear();
    state.history = [];
    showLogin("The token is forgotten.");
  });
  $("#filter").addEventListener("input", drawInventory);
  $("#inventory thead").addEventListener("click", sortBy);
  $("#refresh").addEventListener("click", loadInventory);
  $("#export").addEventListener("click", exportAll);
  window.addEventListener("hashchange", route);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") route();
    else stopPolling();
  });
  route();
}

start();
