// The playground: an expression, variables, declarations and a container, evaluated by an
// ordinary POST /v1/eval that also asks for the cost and the dump. The whole state lives in
// the URL fragment, so a link shows the same evaluation to whoever opens it.

import { $, el, fill, formatInt, jsonOf } from "./common.js";

const FIELDS = ["expr", "vars", "decls", "container"];
const DEFAULTS = { expr: "", vars: "{}", decls: "", container: "" };

// ---- the editor's line numbers ------------------------------------------------------------

function drawGutter(errorLine = null) {
  const lines = $("#expr").value.split("\n").length;
  const numbers = [];
  for (let n = 1; n <= lines; n++) {
    numbers.push(el("span", { class: n === errorLine ? "err" : null }, String(n)), "\n");
  }
  fill($("#gutter"), numbers);
  $("#gutter").scrollTop = $("#expr").scrollTop;
}

// ---- state in the fragment ----------------------------------------------------------------

function readFragment() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  for (const field of FIELDS) $(`#${field}`).value = params.get(field) ?? DEFAULTS[field];
  return params.has("expr");
}

function writeFragment() {
  const params = new URLSearchParams();
  for (const field of FIELDS) {
    const value = $(`#${field}`).value;
    if (value !== DEFAULTS[field]) params.set(field, value);
  }
  history.replaceState(null, "", `#${params.toString()}`);
}

// ---- the request --------------------------------------------------------------------------

/** `name: type` lines into the `decls` object; throws with the line at fault. */
function readDecls(text) {
  const decls = {};
  text.split("\n").forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const colon = trimmed.indexOf(":");
    if (colon <= 0) throw new Error(`declarations, line ${i + 1}: write name: type`);
    decls[trimmed.slice(0, colon).trim()] = trimmed.slice(colon + 1).trim();
  });
  return decls;
}

function buildRequest() {
  const request = { expr: $("#expr").value, cost: true, dump: true };
  const varsText = $("#vars").value.trim();
  if (varsText !== "" && varsText !== "{}") {
    let vars;
    try {
      vars = JSON.parse(varsText);
    } catch (e) {
      throw new Error(`variables: ${e.message}`);
    }
    if (vars === null || typeof vars !== "object" || Array.isArray(vars)) {
      throw new Error("variables: write one JSON object, name → value");
    }
    request.vars = vars;
  }
  const decls = readDecls($("#decls").value);
  if (Object.keys(decls).length) request.decls = decls;
  const container = $("#container").value.trim();
  if (container) request.container = container;
  return request;
}

async function evaluate(event) {
  event?.preventDefault();
  writeFragment();
  let request;
  try {
    request = buildRequest();
  } catch (e) {
    showError("request", e.message);
    return;
  }
  $("#evaluate").disabled = true;
  $("#outcome").textContent = "Evaluating…";
  try {
    const started = performance.now();
    const response = await fetch("/v1/eval", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(request),
    });
    const body = await jsonOf(response);
    const millis = performance.now() - started;
    if (response.ok && body) showResult(body, millis);
    else if (body?.error) showError(body.error.kind, body.error.message, body.error.line, body.error.column);
    else showError("request", `HTTP ${response.status}`);
  } catch (e) {
    showError("request", `the service did not answer: ${e.message}`);
  } finally {
    $("#evaluate").disabled = false;
  }
}

// ---- the answer ---------------------------------------------------------------------------

function showResult(body, millis) {
  $("#error").hidden = true;
  $("#result").hidden = false;
  drawGutter();
  $("#outcome").textContent = `ok · answered in ${millis.toFixed(1)} ms`;
  $("#outcome").className = "outcome ok";
  $("#type").textContent = body.type;
  $("#value").textContent = JSON.stringify(body.value, null, 2);
  const estimate = body.estimate;
  const range = estimate
    ? estimate.max === null
      ? `at least ${formatInt(estimate.min)}, unbounded for inputs of any size`
      : `${formatInt(estimate.min)} to ${formatInt(estimate.max)} for inputs this size`
    : "–";
  fill($("#cost"),
    el("span", {}, "cost "), el("strong", { id: "cost-spent" }, formatInt(body.cost)),
    el("span", {}, " · estimate "), el("strong", { id: "cost-estimate" }, range));
  showDump(body.dump);
}

function showDump(dump) {
  $("#dump").hidden = !dump;
  if (!dump) return;
  $("#template").textContent = dump.template;
  fill($("#slots"), dump.parameters.length
    ? el("div", { class: "scroll" }, el("table", {},
      el("thead", {}, el("tr", {}, el("th", {}, "Slot"), el("th", {}, "Type"), el("th", {}, "Value here"), el("th", {}, "At"))),
      el("tbody", {}, dump.parameters.map((p) => el("tr", {},
        el("td", {}, `$${p.slot}`), el("td", {}, el("code", {}, p.type)),
        el("td", {}, el("code", {}, p.value)), el("td", {}, `${p.line}:${p.column}`))))))
    : el("p", { class: "muted" }, "No parameter slots: no literal is hoisted."));
  $("#checked").textContent = dump.checked;
  $("#plan").textContent = dump.plan;
}

/** The message, and for an error with a place the source line with a caret under it. */
function showError(kind, message, line, column) {
  $("#result").hidden = true;
  $("#dump").hidden = true;
  $("#error").hidden = false;
  $("#outcome").textContent = kind === "request" ? "The request was refused." : `The expression failed (${kind}).`;
  $("#outcome").className = "outcome failed";
  $("#error-kind").textContent = kind;
  const diagnostic = $("#diagnostic");
  diagnostic.dataset.line = line ?? "";
  diagnostic.dataset.column = column ?? "";
  drawGutter(line ?? null);
  if (!line || !column) {
    fill(diagnostic, el("span", { class: "message" }, `ERROR: ${message}`));
    return;
  }
  const text = $("#expr").value.split(/\r\n|\n|\r/)[line - 1] ?? "";
  const before = Array.from(text).slice(0, column - 1);
  // Tabs stay tabs under tabs, so the caret lines up whatever the tab width.
  const pad = before.map((c) => (c === "\t" ? "\t" : " ")).join("");
  fill(diagnostic,
    el("span", { class: "message" }, `ERROR: <input>:${line}:${column}: ${message}`), "\n",
    el("span", { class: "rule" }, " | "), el("span", { id: "error-line" }, text), "\n",
    el("span", { class: "rule" }, " | "), el("span", { id: "caret-pad" }, pad), el("span", { id: "caret", class: "caret" }, "^"));
}

/** Puts the editor's cursor where the error is. */
function jumpToError() {
  const line = Number($("#diagnostic").dataset.line);
  const column = Number($("#diagnostic").dataset.column);
  if (!line || !column) return;
  const lines = $("#expr").value.split("\n");
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
  offset += Array.from(lines[line - 1] ?? "").slice(0, column - 1).join("").length;
  const editor = $("#expr");
  editor.focus();
  editor.setSelectionRange(offset, offset);
}

// ---- sharing ------------------------------------------------------------------------------

async function share() {
  writeFragment();
  const status = $("#share-status");
  try {
    await navigator.clipboard.writeText(location.href);
    status.textContent = "Link copied.";
  } catch {
    status.textContent = "The address bar holds the link.";
  }
}

function start() {
  const editor = $("#expr");
  editor.addEventListener("input", () => drawGutter());
  editor.addEventListener("scroll", () => {
    $("#gutter").scrollTop = editor.scrollTop;
  });
  $("#play").addEventListener("submit", evaluate);
  $("#play").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) evaluate(event);
  });
  $("#share").addEventListener("click", share);
  $("#diagnostic").addEventListener("click", jumpToError);
  window.addEventListener("hashchange", () => {
    if (readFragment()) evaluate();
  });
  const shared = readFragment();
  drawGutter();
  if (shared) evaluate();
  else editor.focus();
}

start();
