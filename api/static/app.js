// netutil page: plain JavaScript, no framework, no build step, no eval, no inline code.
// A default load makes one simulation call: GET api/handshake with Accept: image/svg+xml. The
// diagram (drawn by the service, as `netutil tcp handshake --format svg` draws it) carries its
// replay steps as JSON in <metadata id="nu-replay">; this script only steps through them.
"use strict";

const SVG_TYPE = "image/svg+xml";
const PCAP_TYPE = "application/vnd.tcpdump.pcap";

const app = {
  fields: [],        // option fields from api/page/options
  runsCap: null,     // {minimum, maximum, default} for Monte Carlo
  steps: [],         // replay steps from the diagram's metadata
  meta: null,        // {client, server, options, summary, steps}
  index: -1,         // current step (-1: before the first)
  timer: null,
  byStep: new Map(), // step number -> elements drawn for it
  current: [],
  win: null,         // a long run: the parsed diagram and the window of it drawn
  svgRoot: null,     // the run's parsed diagram
};

function $(id) { return document.getElementById(id); }

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  if (text !== undefined) node.textContent = text;
  return node;
}

// ---------------------------------------------------------------- the form, from the contract

function rangeText(f) {
  const parts = [];
  if (f.minimum !== null && f.maximum !== null) parts.push(`${f.minimum} to ${f.maximum}`);
  else if (f.minimum !== null) parts.push(`at least ${f.minimum}`);
  else if (f.maximum !== null) parts.push(`at most ${f.maximum}`);
  if (f.enum) parts.push(`one of ${f.enum.join(", ")}`);
  const def = defaultText(f);
  if (def !== "" && !/\bdefault\b/.test(f.help)) parts.push(`default ${def}`);
  return parts.join("; ");
}

function defaultText(f) {
  if (f.default === null || f.default === undefined) return "";
  if (Array.isArray(f.default)) return f.default.join(",");
  return String(f.default);
}

function buildForm() {
  const basic = $("fields");
  const more = $("advanced-fields");
  const compareSelect = $("cmp-name");
  for (const f of app.fields) {
    const id = `opt-${f.name}`;
    const help = [f.help, rangeText(f)].filter(Boolean).join(". ");
    const box = el("div", { class: f.type === "boolean" ? "field checkbox" : "field" });
    const label = el("label", { for: id }, f.name.replace(/_/g, " "));
    let input;
    if (f.type === "boolean") {
      input = el("input", { id, name: f.name, type: "checkbox" });
      input.checked = Boolean(f.default);
    } else if (f.enum) {
      input = el("select", { id, name: f.name });
      for (const choice of f.enum) input.append(el("option", { value: choice }, choice));
      input.value = defaultText(f);
    } else {
      const numeric = f.type === "integer" || f.type === "number";
      input = el("input", {
        id, name: f.name, type: "text", autocomplete: "off", spellcheck: "false",
        inputmode: numeric ? (f.type === "integer" ? "numeric" : "decimal") : null,
        placeholder: f.type === "array" ? "e.g. syn-ack,3" : (defaultText(f) === "" ? "none" : null),
      });
      input.value = defaultText(f);
    }
    input.setAttribute("aria-describedby", `${id}-help ${id}-error`);
    const small = el("small", { id: `${id}-help` }, help);
    const error = el("p", { id: `${id}-error`, class: "error", role: "alert", hidden: true });
    if (f.type === "boolean") box.append(input, label, small, error);
    else box.append(label, input, small, error);
    (f.advanced ? more : basic).append(box);
    if (f.name !== "seed") compareSelect.append(el("option", { value: f.name }, f.name.replace(/_/g, " ")));
  }
  compareSelect.value = "loss";
  compareSelect.addEventListener("change", compareValueField);
  const runs = app.runsCap;
  $("mc-runs-help").textContent = `1 to ${runs.maximum}; each run is the whole scenario`;
  $("mc-runs").value = String(runs.default);
}

function fieldValue(f) {
  const input = $(`opt-${f.name}`);
  if (f.type === "boolean") return input.checked;
  return input.value.trim();
}

// The options as query parameters: only those that differ from their defaults (short links).
function optionParams(overrides) {
  const params = new URLSearchParams();
  for (const f of app.fields) {
    let value = overrides && f.name in overrides ? overrides[f.name] : fieldValue(f);
    if (f.type === "boolean") {
      if (value !== Boolean(f.default)) params.set(f.name, value ? "true" : "false");
      continue;
    }
    if (value === "" || value === defaultText(f)) continue;
    if (f.type === "array") {
      for (const part of value.split(",")) if (part.trim()) params.append(f.name, part.trim());
    } else {
      params.set(f.name, value);
    }
  }
  return params;
}

function loadFromUrl() {
  const given = new URLSearchParams(window.location.search);
  for (const f of app.fields) {
    if (!given.has(f.name)) continue;
    const input = $(`opt-${f.name}`);
    if (f.type === "boolean") input.checked = given.get(f.name) === "true";
    else if (f.type === "array") input.value = given.getAll(f.name).join(",");
    else input.value = given.get(f.name);
  }
}

function clearErrors(root) {
  for (const node of root.querySelectorAll(".error")) { node.hidden = true; node.textContent = ""; }
  for (const node of root.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
}

// A problem+json answer, shown next to the field it names (or above the buttons).
function showProblem(problem, fieldId, generalId) {
  const errors = problem.errors || {};
  let placed = false;
  for (const [key, messages] of Object.entries(errors)) {
    const name = key.split(".")[0]; // "drop.0": the first item of the drop list
    const id = fieldId(name);
    const box = id && $(`${id}-error`);
    if (box) {
      box.textContent = `${problem.detail} ${messages.join(" ")}`;
      box.hidden = false;
      $(id).setAttribute("aria-invalid", "true");
      placed = true;
    }
  }
  if (!placed) {
    // The core's messages name the option first: "invalid delay 100.0: expected ..."
    const match = /^invalid (?:value for )?([a-z_ ]+?)(?: rule)? /.exec(problem.detail || "");
    const id = match && fieldId(match[1].replace(/ /g, "_"));
    const box = id && $(`${id}-error`);
    if (box) {
      box.textContent = problem.detail;
      box.hidden = false;
      $(id).setAttribute("aria-invalid", "true");
      placed = true;
    }
  }
  if (!placed) {
    const box = $(generalId);
    box.textContent = problem.detail || problem.title || "The request failed.";
    box.hidden = false;
  }
}

function optionFieldId(name) {
  return app.fields.some((f) => f.name === name) ? `opt-${name}` : null;
}

async function problemOf(response) {
  try { return await response.json(); } catch (e) {
    return { detail: `The service answered ${response.status}.` };
  }
}

// ---------------------------------------------------------------- the run and its diagram

// The parsed drawing stays in its own document; `node` brings all of it into the page, which a
// long run's diagram (thousands of arrows) would make slow, so `show` windows those instead.
function parseSvg(text) {
  const doc = new DOMParser().parseFromString(text, SVG_TYPE);
  const root = doc.documentElement;
  if (root.nodeName !== "svg") throw new Error("the service did not answer with a diagram");
  const meta = JSON.parse(root.querySelector("metadata").textContent);
  return { root, meta, get node() { return document.importNode(root, true); } };
}

// ---------------------------------------------------------------- a long run, in windows

// Above WINDOW_STEPS steps the page holds only the part of the diagram around the current
// step: the steps from WINDOW_BEFORE before it to WINDOW_AFTER after it (more where steps
// crowd one instant, until the part is WINDOW_PX tall or WINDOW_MAX steps long), re-cut from
// the parsed drawing when the replay nears an edge. The DOM then holds a few hundred arrows
// whatever the length of the run; the downloaded SVG has all of it.
const WINDOW_STEPS = 600;
const WINDOW_BEFORE = 100;
const WINDOW_AFTER = 300;
const WINDOW_PX = 900;
const WINDOW_MAX = 1600;
const Y_ATTRS = ["y", "y1", "y2", "cy"];

function extent(node) {
  let top = Infinity, bottom = -Infinity;
  const see = (v) => { if (!Number.isNaN(v)) { top = Math.min(top, v); bottom = Math.max(bottom, v); } };
  for (const n of [node, ...node.querySelectorAll("*")]) {
    for (const a of Y_ATTRS) if (n.hasAttribute(a)) see(parseFloat(n.getAttribute(a)));
    if (n.nodeName === "rect" && n.hasAttribute("height") && n.hasAttribute("y")) {
      see(parseFloat(n.getAttribute("y")) + parseFloat(n.getAttribute("height")));
    }
    if (n.nodeName === "path") {
      const m = /M\s*[-\d.]+[ ,]([-\d.]+)/.exec(n.getAttribute("d") || "");
      if (m) see(parseFloat(m[1]));
    }
  }
  return [top, bottom];
}

function windowed(root, steps) {
  const groups = ["axis", "bands", "segments", "notes"];
  const items = [];
  for (const child of root.children) {
    const cls = child.getAttribute("class") || "";
    if (groups.includes(cls)) {
      for (const node of child.children) items.push({ node, group: cls, span: extent(node) });
    } else if (cls === "time-break" || cls === "break-marks" || cls === "legend") {
      items.push({ node: child, group: null, span: extent(child) });
    }
  }
  // each replay step's height in the drawing (a step with nothing drawn takes the last one's)
  const byStep = new Map();
  for (const item of items) {
    const step = item.node.getAttribute("data-step");
    if (step !== null && !byStep.has(step)) byStep.set(step, item.span[0]);
  }
  const ys = [];
  let y = 0;
  for (const step of steps) {
    const at = byStep.get(String(step.step));
    if (at !== undefined && Number.isFinite(at)) y = at;
    ys.push(y);
  }
  return { root, items, ys, lo: -1, hi: -1 };
}

function cutWindow(win, index) {
  const n = win.ys.length;
  const ys = win.ys;
  let lo = Math.max(0, index - WINDOW_BEFORE);
  let hi = Math.min(n - 1, index + WINDOW_AFTER);
  // a window at least WINDOW_PX tall where steps crowd one instant, up to WINDOW_MAX steps
  while (lo > 0 && ys[index] - ys[lo] < WINDOW_PX / 4 && index - lo < WINDOW_MAX / 4) lo = Math.max(0, lo - 25);
  while (hi < n - 1 && ys[hi] - ys[lo] < WINDOW_PX && hi - lo < WINDOW_MAX) hi = Math.min(n - 1, hi + 50);
  const top = (lo === 0 ? 0 : win.ys[lo]) - 30;
  const bottom = hi === n - 1 ? parseFloat(win.root.getAttribute("height")) : win.ys[hi] + 30;
  const width = win.root.getAttribute("width");
  const svgNode = document.importNode(win.root, false);
  svgNode.setAttribute("viewBox", `0 ${top} ${width} ${bottom - top}`);
  svgNode.setAttribute("height", String(bottom - top));
  for (const child of win.root.children) {
    const name = child.nodeName;
    const cls = child.getAttribute("class") || "";
    if (name === "title" || name === "desc" || name === "defs" || cls === "lifeline") {
      svgNode.append(document.importNode(child, true));
    } else if (name === "rect") {
      const back = document.importNode(child, true);
      back.setAttribute("y", String(top));
      back.setAttribute("height", String(bottom - top));
      svgNode.append(back);
    }
  }
  const holders = new Map();
  for (const item of win.items) {
    if (item.span[1] < top || item.span[0] > bottom) continue;
    let parent = svgNode;
    if (item.group) {
      if (!holders.has(item.group)) {
        const g = document.importNode(win.root.querySelector(`:scope > g.${item.group}`), false);
        holders.set(item.group, g);
        svgNode.append(g);
      }
      parent = holders.get(item.group);
    }
    parent.append(document.importNode(item.node, true));
  }
  win.lo = lo;
  win.hi = hi;
  $("diagram-note").textContent = `A long run: steps ${lo + 1} to ${hi + 1} of ${n} are drawn, around the current step, and the window moves with the replay (the SVG download has the whole diagram).`;
  $("diagram-note").hidden = false;
  return svgNode;
}

function placeDiagram(node) {
  $("diagram").replaceChildren(node);
  app.byStep = new Map();
  for (const el2 of node.querySelectorAll("[data-step]")) add(el2.dataset.step, el2);
  for (const el2 of node.querySelectorAll("[data-arrive-step]")) {
    add(el2.dataset.arriveStep, el2.closest("g.segment") || el2);
  }
}

async function fetchDiagram(params) {
  const response = await fetch(`api/handshake?${params}`, { headers: { Accept: SVG_TYPE } });
  if (!response.ok) return { problem: await problemOf(response) };
  return parseSvg(await response.text());
}

async function run(event) {
  if (event) event.preventDefault();
  const form = $("options");
  clearErrors(form);
  stop();
  const params = optionParams();
  $("run").disabled = true;
  try {
    const got = await fetchDiagram(params);
    if (got.problem) { showProblem(got.problem, optionFieldId, "form-error"); return; }
    show(got);
    // the seed actually used goes into the link, so the link replays this very run
    const seed = $("opt-seed");
    if (seed.value.trim() === "") seed.value = String(got.meta.options.seed);
    const link = `?${optionParams()}`;
    window.history.replaceState(null, "", link);
    $("share").href = link;
    if ($("graphs").open) loadGraphs();
  } catch (err) {
    const box = $("form-error");
    box.textContent = `The run failed: ${err.message}`;
    box.hidden = false;
  } finally {
    $("run").disabled = false;
  }
}

function show(got) {
  app.svgRoot = got.root;
  app.meta = got.meta;
  app.steps = got.meta.steps;
  app.current = [];
  if (app.steps.length > WINDOW_STEPS) {
    app.win = windowed(got.root, app.steps);
    placeDiagram(cutWindow(app.win, 0));
  } else {
    app.win = null;
    $("diagram-note").hidden = true;
    placeDiagram(got.node);
  }
  const slider = $("slider");
  slider.max = String(Math.max(0, app.steps.length - 1));
  slider.value = "0";
  showSummary(got.meta.summary);
  go(-1);
}

function add(step, node) {
  const key = Number(step);
  if (!app.byStep.has(key)) app.byStep.set(key, []);
  app.byStep.get(key).push(node);
}

function showSummary(s) {
  const list = $("summary");
  const rows = [
    ["outcome", s.outcome + (s.reason ? ` (${s.reason})` : "")],
    ["segments", `${s.segments_sent} sent, ${s.segments_lost} lost, ${s.segments_corrupted} corrupted, ${s.segments_duplicated} duplicated`],
    ["retransmissions", `client ${s.retransmissions.client}, server ${s.retransmissions.server}`],
    ["established", `client ${seconds(s.time_to_established.client)}, server ${seconds(s.time_to_established.server)}`],
    ["bytes delivered", `${s.bytes_delivered} of ${s.bytes_sent}${s.data_intact ? " (intact)" : " (NOT intact)"}`],
    ["final states", `client ${s.final_states.client}, server ${s.final_states.server}`],
    ["duration", seconds(s.duration)],
  ];
  list.replaceChildren(...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
}

function seconds(v) { return v === null || v === undefined ? "-" : `${v} s`; }

// ---------------------------------------------------------------- step-through replay

function go(index) {
  const last = app.steps.length - 1;
  app.index = Math.max(-1, Math.min(index, last));
  for (const node of app.current) node.classList.remove("nu-current");
  app.current = [];
  const where = $("step-where");
  const text = $("step-text");
  const status = $("step");
  if (app.index < 0) {
    if (app.win && app.win.lo > 0) placeDiagram(cutWindow(app.win, 0));
    where.textContent = app.steps.length ? `${app.steps.length} steps. Press Next to start.` : "Not started.";
    text.textContent = app.meta ? describeRun(app.meta) : "Run a scenario, then step through it.";
    status.dataset.event = "";
    lightStates("CLOSED", "CLOSED");
    $("slider").value = "0";
    return;
  }
  const win = app.win;
  if (win && ((app.index < win.lo + 20 && win.lo > 0) || (app.index > win.hi - 20 && win.hi < last))) {
    placeDiagram(cutWindow(win, app.index));
  }
  const step = app.steps[app.index];
  where.textContent = `Step ${app.index + 1} of ${app.steps.length}, t = ${step.time} s`;
  text.textContent = step.text;
  status.dataset.event = String(step.step);
  for (const node of app.byStep.get(step.step) || []) {
    node.classList.add("nu-current");
    app.current.push(node);
  }
  if (app.current.length) scrollIntoDiagram(app.current[0]);
  lightStates(step.client, step.server);
  $("slider").value = String(app.index);
}

function describeRun(meta) {
  const c = meta.client, s = meta.server;
  return `client ${c.ip}:${c.port} to server ${s.ip}:${s.port}, RTT ${meta.options.delay * 2000} ms, seed ${meta.options.seed}: ${meta.summary.outcome}.`;
}

function scrollIntoDiagram(node) {
  const holder = $("diagram");
  const box = node.getBoundingClientRect();
  const view = holder.getBoundingClientRect();
  if (box.top < view.top || box.bottom > view.bottom) {
    holder.scrollTop += box.top - view.top - view.height / 3;
  }
}

function lightStates(client, server) {
  const fig = $("fig5");
  const lit = (g, state, side) => g.dataset.state === state
    && (state !== "CLOSED" || g.classList.contains("f5-again") === closedAtEnd(side));
  for (const g of fig.querySelectorAll(".f5-state")) {
    g.classList.toggle("lit-client", lit(g, client, "client"));
    g.classList.toggle("lit-server", lit(g, server, "server"));
  }
  badge("client", fig.querySelector(".f5-state.lit-client"));
  badge("server", fig.querySelector(".f5-state.lit-server"));
  $("states-now").textContent = `client: ${client}; server: ${server}`;
  $("fig5").dataset.client = client;
  $("fig5").dataset.server = server;
}

// CLOSED is drawn twice in Figure 5: at the top before the connection, at the bottom after it.
function closedAtEnd(side) {
  if (app.index < 0) return false;
  for (let i = app.index; i >= 0; i -= 1) {
    const step = app.steps[i];
    if (step.type === "state" && step.side === side) return true;
  }
  return false;
}

function badge(side, g) {
  const node = $(`badge-${side}`);
  if (!g) { node.setAttribute("hidden", ""); return; }
  const rect = g.querySelector("rect");
  const x = Number(rect.getAttribute("x"));
  const y = Number(rect.getAttribute("y"));
  const w = Number(rect.getAttribute("width"));
  // client's name on the left above the box, server's on the right, so both can show
  node.setAttribute("x", side === "client" ? String(x) : String(x + w - 42));
  node.setAttribute("y", String(y - 3));
  node.removeAttribute("hidden"); // an SVG element has no `hidden` property to set
}

function play() {
  if (app.timer !== null) { stop(); return; }
  if (app.index >= app.steps.length - 1) go(-1);
  $("play").textContent = "Pause";
  $("play").setAttribute("aria-label", "Pause");
  const tick = () => {
    if (app.index >= app.steps.length - 1) { stop(); return; }
    go(app.index + 1);
    app.timer = window.setTimeout(tick, Number($("speed").value));
  };
  tick();
}

function stop() {
  if (app.timer !== null) window.clearTimeout(app.timer);
  app.timer = null;
  $("play").textContent = "Play";
  $("play").setAttribute("aria-label", "Play");
}

function onKey(event) {
  const target = event.target;
  const typing = target && (target.tagName === "INPUT" && target.type !== "range" && target.type !== "checkbox" || target.tagName === "SELECT" || target.tagName === "TEXTAREA");
  if (typing || event.altKey || event.ctrlKey || event.metaKey) return;
  const key = event.key;
  if (key === "ArrowRight" || key === "n") { stop(); go(app.index + 1); }
  else if (key === "ArrowLeft" || key === "p") { stop(); go(app.index - 1); }
  else if ((key === " " && target.tagName !== "BUTTON" && target.tagName !== "SUMMARY") || key === "k") { play(); }
  else if (key === "Home") { stop(); go(-1); }
  else if (key === "End") { stop(); go(app.steps.length - 1); }
  else return;
  event.preventDefault();
}

// ---------------------------------------------------------------- graphs, downloads

function loadGraphs() {
  const params = optionParams();
  $("plot-sequence").src = `api/handshake/plot/sequence?${params}`;
  $("plot-window").src = `api/handshake/plot/window?${params}`;
  const cc = app.svgRoot && app.svgRoot.getAttribute("data-congestion") === "1";
  $("plot-cwnd").hidden = !cc;
  $("plot-cwnd-none").hidden = cc;
  if (cc) $("plot-cwnd").src = `api/handshake/plot/cwnd?${params}`;
}

async function download(kind) {
  const params = optionParams();
  const accept = { json: "application/json", svg: SVG_TYPE, pcap: PCAP_TYPE }[kind];
  const response = await fetch(`api/handshake?${params}`, { headers: { Accept: accept } });
  if (!response.ok) { showProblem(await problemOf(response), optionFieldId, "form-error"); return; }
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: `handshake-seed-${app.meta ? app.meta.options.seed : "run"}.${kind}` });
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// ---------------------------------------------------------------- Monte Carlo

async function monteCarlo(event) {
  event.preventDefault();
  const form = $("mc-form");
  clearErrors(form);
  clearErrors($("options"));
  const params = optionParams();
  params.delete("seed"); // many runs: one seed for all of them, the form's if given
  if (fieldValue(app.fields.find((f) => f.name === "seed"))) params.set("seed", fieldValue(app.fields.find((f) => f.name === "seed")));
  params.set("runs", $("mc-runs").value.trim());
  $("mc-run").disabled = true;
  try {
    const response = await fetch(`api/handshake?${params}`, { headers: { Accept: "application/json" } });
    if (!response.ok) {
      showProblem(await problemOf(response), (name) => (name === "runs" ? "mc-runs" : optionFieldId(name)), "mc-runs-error");
      return;
    }
    const r = await response.json();
    const t = r.time_to_established;
    const rows = [
      ["runs", String(r.runs)],
      ["success rate", `${(r.success_rate * 100).toFixed(2)} %`],
      ["outcomes", Object.entries(r.outcomes).map(([k, v]) => `${k} ${v}`).join(", ")],
      ["time to ESTABLISHED", t.count ? `mean ${t.mean} s, p50 ${t.p50} s, p90 ${t.p90} s, p99 ${t.p99} s` : "never"],
      ["retransmissions", r.retransmissions.count ? `mean ${r.retransmissions.mean}, p99 ${r.retransmissions.p99}` : "-"],
    ];
    $("mc-result").replaceChildren(...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
    const plot = $("mc-plot");
    if (r.established_times !== null) {
      params.set("seed", String(r.options.seed));
      plot.src = `api/handshake/plot/establish?${params}`;
      plot.hidden = false;
    } else {
      plot.hidden = true;
    }
  } finally {
    $("mc-run").disabled = false;
  }
}

// ---------------------------------------------------------------- compare

// Run B's value: a list of the choices for an option that has them (cc: reno, cubic, ...),
// a text field otherwise
function compareValueField() {
  const f = app.fields.find((x) => x.name === $("cmp-name").value);
  const old = $("cmp-value");
  let input;
  if (f && (f.enum || f.type === "boolean")) {
    input = el("select", { id: "cmp-value", "aria-describedby": "cmp-value-error" });
    const choices = f.enum || ["true", "false"];
    for (const choice of choices) input.append(el("option", { value: String(choice) }, String(choice)));
    const current = f.type === "boolean" ? String(!f.default) : choices.find((c) => c !== defaultText(f));
    if (current !== undefined) input.value = String(current);
  } else {
    input = el("input", { id: "cmp-value", type: "text", "aria-describedby": "cmp-value-error" });
    input.value = old.tagName === "INPUT" ? old.value : "";
  }
  old.replaceWith(input);
}

async function compare(event) {
  event.preventDefault();
  clearErrors($("compare-form"));
  clearErrors($("options"));
  const name = $("cmp-name").value;
  const f = app.fields.find((x) => x.name === name);
  let value = $("cmp-value").value.trim();
  if (f.type === "boolean") value = value === "true" || value === "yes" || value === "1";
  const a = optionParams();
  if (!a.has("seed") && app.meta) a.set("seed", String(app.meta.options.seed));
  const overrides = { [name]: value };
  const b = optionParams(overrides);
  if (a.has("seed")) b.set("seed", a.get("seed"));
  $("cmp-run").disabled = true;
  try {
    const [ra, rb] = await Promise.all([fetchDiagram(a), fetchDiagram(b)]);
    if (ra.problem) { showProblem(ra.problem, optionFieldId, "form-error"); return; }
    if (rb.problem) { showProblem(rb.problem, (n) => (n === name ? "cmp-value" : optionFieldId(n)), "cmp-value-error"); return; }
    $("cmp-grid").hidden = false;
    $("cmp-a").replaceChildren(ra.node);
    $("cmp-b").replaceChildren(rb.node);
    $("cmp-a-h").textContent = `Run A: ${describeRun(ra.meta)}`;
    $("cmp-b-h").textContent = `Run B (${name} = ${value}): ${describeRun(rb.meta)}`;
    differences(ra.meta.summary, rb.meta.summary);
  } finally {
    $("cmp-run").disabled = false;
  }
}

function differences(a, b) {
  const rows = [
    ["outcome", a.outcome, b.outcome, null],
    ["segments sent", a.segments_sent, b.segments_sent, true],
    ["segments lost", a.segments_lost, b.segments_lost, true],
    ["retransmissions", a.retransmissions.client + a.retransmissions.server, b.retransmissions.client + b.retransmissions.server, true],
    ["client ESTABLISHED (s)", a.time_to_established.client, b.time_to_established.client, true],
    ["time to close (s)", a.time_to_close, b.time_to_close, true],
    ["duration (s)", a.duration, b.duration, true],
  ];
  const body = $("cmp-table").querySelector("tbody");
  body.replaceChildren(...rows.map(([k, x, y, numeric]) => {
    const tr = el("tr");
    let diff = "";
    if (numeric && typeof x === "number" && typeof y === "number") diff = String(Math.round((y - x) * 1e6) / 1e6);
    else if (!numeric) diff = x === y ? "same" : "differs";
    tr.append(el("th", { scope: "row" }, k), el("td", {}, x === null ? "-" : String(x)), el("td", {}, y === null ? "-" : String(y)), el("td", {}, diff));
    return tr;
  }));
  $("cmp-table").hidden = false;
}

// ---------------------------------------------------------------- open a capture

const PCAPNG_TYPE = "application/x-pcapng";
const capture = { body: null, type: null };

// pcapng files start with a Section Header Block (0x0A0D0D0A); anything else goes as pcap
async function captureBody() {
  const file = $("cap-file").files[0];
  if (!file) return null;
  const body = await file.arrayBuffer();
  const head = new Uint8Array(body.slice(0, 4));
  const pcapng = head.length === 4 && head[0] === 0x0a && head[1] === 0x0d && head[2] === 0x0d && head[3] === 0x0a;
  return { body, type: pcapng ? PCAPNG_TYPE : PCAP_TYPE, name: file.name };
}

async function analyzeCapture(event) {
  event.preventDefault();
  clearErrors($("cap-form"));
  const got = await captureBody();
  const error = $("cap-error");
  if (!got) { error.textContent = "Choose a pcap or pcapng file first."; error.hidden = false; return; }
  $("cap-run").disabled = true;
  try {
    const response = await fetch("api/tcp/analyze", {
      method: "POST", body: got.body, headers: { "Content-Type": got.type, Accept: "application/json" },
    });
    if (!response.ok) {
      const problem = await problemOf(response);
      error.textContent = problem.detail || problem.title; error.hidden = false;
      $("cap-table").hidden = true;
      return;
    }
    Object.assign(capture, got);
    const result = await response.json();
    const conns = result.connections;
    $("cap-status").textContent = `${got.name}: ${conns.length} connection(s), ${result.segments} TCP segment(s).`;
    const body = $("cap-table").querySelector("tbody");
    body.replaceChildren(...conns.map((c) => {
      const tr = el("tr");
      const show = el("button", { type: "button", class: "small", "data-connection": String(c.number) }, "Show");
      show.setAttribute("aria-label", `Show the diagram of connection ${c.number}`);
      show.addEventListener("click", () => captureDiagram(c.number));
      const cell = el("td");
      cell.append(show);
      const packets = c.packets ? `${c.packets.client_to_server} / ${c.packets.server_to_client}` : "";
      const bytes = c.payload_bytes ? `${c.payload_bytes.client_to_server} / ${c.payload_bytes.server_to_client}` : "";
      tr.append(
        el("th", { scope: "row" }, String(c.number)),
        el("td", {}, `${c.client.address}:${c.client.port}`),
        el("td", {}, `${c.server.address}:${c.server.port}`),
        el("td", {}, packets), el("td", {}, bytes),
        el("td", {}, c.handshake === null ? "-" : String(c.handshake)),
        el("td", {}, c.close === null ? "-" : String(c.close)),
        cell,
      );
      return tr;
    }));
    $("cap-table").hidden = false;
    if (conns.length) await captureDiagram(conns[0].number);
  } finally {
    $("cap-run").disabled = false;
  }
}

async function captureDiagram(number) {
  if (!capture.body) return;
  const response = await fetch(`api/tcp/analyze/diagram?connection=${number}`, {
    method: "POST", body: capture.body, headers: { "Content-Type": capture.type, Accept: SVG_TYPE },
  });
  const error = $("cap-error");
  if (!response.ok) {
    const problem = await problemOf(response);
    error.textContent = problem.detail || problem.title; error.hidden = false;
    return;
  }
  const got = parseSvg(await response.text());
  const holder = $("cap-diagram");
  holder.replaceChildren(got.node);
  holder.hidden = false;
  holder.dataset.connection = String(number);
  const head = $("cap-diagram-h");
  head.textContent = `Connection ${number}: ${got.node.querySelector("title").textContent}`;
  head.hidden = false;
}

// ---------------------------------------------------------------- addresses and subnets

async function addressCall(kind, event) {
  if (event) event.preventDefault();
  const form = $("addr-form");
  clearErrors(form);
  const text = $("addr").value.trim();
  let url;
  if (kind === "ip") url = `api/ip/${encodeURIComponent(text).replace(/%2F/g, "/")}`;
  else if (kind === "subnet") url = `api/subnet/${encodeURIComponent(text).replace(/%2F/g, "/")}`;
  else url = `api/subnet/split?${new URLSearchParams({ network: text, new_prefix: $("split-prefix").value.trim(), limit: "64" })}`;
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const result = $("addr-result");
  if (!response.ok) {
    const problem = await problemOf(response);
    showProblem(problem, (name) => (name === "new_prefix" ? "split-prefix" : "addr"), "addr-error");
    result.replaceChildren();
    return;
  }
  const data = await response.json();
  if (kind === "split") {
    const items = data.items || data.subnets || [];
    const list = el("ul");
    for (const item of items) list.append(el("li", {}, typeof item === "string" ? item : (item.network || JSON.stringify(item))));
    const more = data.next_cursor ? " (first 64 shown)" : "";
    result.replaceChildren(el("p", {}, `${items.length} subnets${more}`), list);
    return;
  }
  result.replaceChildren(pairs(data));
}

function pairs(obj) {
  const dl = el("dl", { class: "pairs" });
  for (const [k, v] of Object.entries(obj)) {
    let text = v;
    if (v === null) text = "-";
    else if (typeof v === "object") text = JSON.stringify(v);
    dl.append(el("dt", {}, k.replace(/_/g, " ")), el("dd", {}, String(text)));
  }
  return dl;
}

// ---------------------------------------------------------------- start

async function start() {
  $("options").addEventListener("submit", run);
  $("next").addEventListener("click", () => { stop(); go(app.index + 1); });
  $("prev").addEventListener("click", () => { stop(); go(app.index - 1); });
  $("first").addEventListener("click", () => { stop(); go(-1); });
  $("last").addEventListener("click", () => { stop(); go(app.steps.length - 1); });
  $("play").addEventListener("click", play);
  $("slider").addEventListener("input", (e) => { stop(); go(Number(e.target.value)); });
  $("zoom").addEventListener("change", (e) => {
    $("diagram").classList.toggle("fit", e.target.value === "fit");
    $("diagram").classList.toggle("full", e.target.value === "full");
  });
  $("graphs").addEventListener("toggle", () => { if ($("graphs").open) loadGraphs(); });
  $("dl-json").addEventListener("click", () => download("json"));
  $("dl-svg").addEventListener("click", () => download("svg"));
  $("dl-pcap").addEventListener("click", () => download("pcap"));
  $("mc-form").addEventListener("submit", monteCarlo);
  $("compare-form").addEventListener("submit", compare);
  $("cap-form").addEventListener("submit", analyzeCapture);
  $("addr-form").addEventListener("submit", (e) => addressCall("ip", e));
  $("subnet-info").addEventListener("click", () => addressCall("subnet"));
  $("subnet-split").addEventListener("click", () => addressCall("split"));
  document.addEventListener("keydown", onKey);
  // the option description comes in the page itself (one API call per load: the run); a copy
  // of the page without it (a file saved from the browser) asks the service
  const inline = $("page-options");
  let description;
  if (inline && inline.textContent.trim()) description = JSON.parse(inline.textContent);
  else description = await (await fetch("api/page/options", { headers: { Accept: "application/json" } })).json();
  app.fields = description.fields;
  app.runsCap = description.runs;
  buildForm();
  loadFromUrl();
  if ([...app.fields].some((f) => f.advanced && new URLSearchParams(window.location.search).has(f.name))) {
    $("advanced").open = true;
  }
  await run();
  document.body.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", () => {
  start().catch((err) => {
    const box = $("form-error");
    box.textContent = `The page could not start: ${err.message}`;
    box.hidden = false;
  });
});
