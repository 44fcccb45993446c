// The page: the tab's websocket, the controls, and what each message from the server draws.
import { readConfig, writeConfig } from "./url.js";
import { Diagram } from "./diagram.js";
import { drawOutputMap, drawLossChart, pointAt } from "./maps.js";
import { showExplanation } from "./explain.js";
import { decodeFrame } from "./frame.js";

const $ = (id) => document.getElementById(id);
const state = { model: null, frame: null, playing: false, session: null, losses: [], lastExplain: null, ws: null };
let diagram = null;

function send(message) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(message));
}

export function showError(text) {
  const box = $("error");
  box.textContent = text;
  box.hidden = !text;
}

function sendConfig(changes) {
  showError("");
  send({ type: "config", config: changes });
}

// -- messages from the server ----------------------------------------------------------
function onModel(m) {
  state.model = m;
  state.session = m.session;
  state.losses = [];
  fillOptions(m);
  fillFeatures(m);
  writeConfig(m.config);
  diagram.build(m);
  renderLayerControls(m);
  const info = m.task === "classification"
    ? `${m.dataset}: ${m.n_train} training and ${m.n_test} test rows, ${m.features.length} features, ${m.classes.length} classes (${m.classes.slice(0, 6).join(", ")}${m.classes.length > 6 ? ", …" : ""})`
    : `${m.dataset}: ${m.n_train} training and ${m.n_test} test rows, ${m.features.length} features, values of ${m.targets.join(", ")}`;
  $("data-info").textContent = info + `; output ${m.output}, loss ${m.loss}`;
  $("map-hint").textContent = m.features.length > 2 ? "the other features are held at their mean" : "";
  $("output-hint").textContent = m.task === "classification"
    ? "decision regions (colour: class, strength: confidence), training points filled, test points hollow"
    : "predicted against true value (standardised); the diagonal is perfect";
  $("metric-name").textContent = "test " + m.metric;
  $("download-model").href = `download/model?session=${encodeURIComponent(m.session)}`;
  $("download-snippet").href = `download/snippet?session=${encodeURIComponent(m.session)}`;
  setPlaying(m.playing);
}

function onFrame(buffer) {
  const f = decodeFrame(buffer);
  state.frame = f;
  const h = f.header;
  $("epoch").textContent = String(h.epoch);
  $("train-loss").textContent = shown(h.train_loss);
  $("test-loss").textContent = shown(h.test_loss);
  $("test-metric").textContent = shown(h.test_metric);
  const last = state.losses[state.losses.length - 1];
  if (!last || last[0] !== h.epoch) state.losses.push([h.epoch, h.train_loss, h.test_loss]);
  else state.losses[state.losses.length - 1] = [h.epoch, h.train_loss, h.test_loss];
  if (h.epoch === 0) state.losses = [[0, h.train_loss, h.test_loss]];
  setPlaying(h.playing);
  if (!state.model) return;
  drawOutputMap($("output-map"), state.model, f, currentSample());
  drawLossChart($("loss-chart"), state.losses);
  diagram.update(f);
  const list = $("warnings");
  list.replaceChildren(...h.warnings.map((w) => { const li = document.createElement("li"); li.textContent = w; return li; }));
}

// a plain number, to four significant digits
function shown(v) { return v === null || v === undefined ? "" : String(Number(v.toPrecision(4))); }

function onMessage(event) {
  if (event.data instanceof ArrayBuffer) { onFrame(event.data); return; }
  const m = JSON.parse(event.data);
  if (m.type === "model") onModel(m);
  else if (m.type === "error") showError(m.message);
  else if (m.type === "state") setPlaying(m.playing);
  else if (m.type === "explanation") showExplanation(m, state.model);
}

function setPlaying(playing) {
  state.playing = playing;
  const b = $("play");
  b.textContent = playing ? "pause" : "play";
  b.setAttribute("aria-pressed", playing ? "true" : "false");
  document.body.dataset.playing = playing ? "true" : "false";
}

// -- the controls ---------------------------------------------------------------------------
function option(value, text, group) {
  const o = document.createElement("option");
  o.value = value; o.textContent = text ?? value;
  (group || null)?.appendChild(o);
  return o;
}

function fillOptions(m) {
  const ds = $("dataset");
  ds.replaceChildren();
  for (const [label, names] of [["generated 2-D", m.options.generated], ["real", m.options.real]]) {
    const g = document.createElement("optgroup"); g.label = label;
    names.forEach((n) => option(n, n, g));
    ds.appendChild(g);
  }
  if (m.upload) { const g = document.createElement("optgroup"); g.label = "uploaded"; option("upload", m.upload, g); ds.appendChild(g); }
  ds.value = m.config.data;
  const opt = $("optimizer");
  opt.replaceChildren(...m.options.optimizers.map((n) => option(n)));
  opt.value = m.config.optimizer;
  const c = m.config;
  $("learning-rate").value = c.learning_rate; $("batch-size").value = c.batch_size;
  $("l1").value = c.l1; $("l2").value = c.l2; $("dropout").value = c.dropout; $("seed").value = c.seed;
  $("noise").value = c.noise; $("samples").value = c.samples; $("test-ratio").value = c.test_ratio;
  const generated = m.options.generated.includes(c.data);
  $("noise-box").hidden = !generated; $("samples-box").hidden = !generated;
}

function fillFeatures(m) {
  for (const [id, value] of [["map-x", m.map.x], ["map-y", m.map.y]]) {
    const s = $(id);
    s.replaceChildren(...m.features.map((f, i) => option(String(i), f)));
    s.value = String(value);
    s.disabled = m.features.length < 2;
  }
}

function renderLayerControls(m) {
  const box = $("layer-controls");
  box.replaceChildren();
  m.config.hidden.forEach((n, i) => {
    const div = document.createElement("div");
    div.className = "layer-control";
    const minus = document.createElement("button"); minus.textContent = "−"; minus.title = "one neuron less";
    minus.dataset.testid = `remove-neuron-${i}`;
    const plus = document.createElement("button"); plus.textContent = "+"; plus.title = "one neuron more";
    plus.dataset.testid = `add-neuron-${i}`;
    const label = document.createElement("span"); label.textContent = `${n} neurons`;
    const sel = document.createElement("select");
    sel.dataset.testid = `activation-${i}`;
    sel.replaceChildren(...m.options.activations.map((a) => option(a)));
    sel.value = m.config.activations[i];
    minus.onclick = () => changeLayer(i, -1);
    plus.onclick = () => changeLayer(i, +1);
    sel.onchange = () => { const acts = [...m.config.activations]; acts[i] = sel.value; sendConfig({ activations: acts }); };
    div.append(`layer ${i + 1}: `, minus, label, plus, sel);
    box.appendChild(div);
  });
}

function changeLayer(i, by) {
  const c = state.model.config;
  const hidden = [...c.hidden];
  hidden[i] = Math.max(1, Math.min(c.hidden[i] + by, state.model.options.limits.neurons));
  sendConfig({ hidden });
}

function numberSetting(id, key, integer) {
  $(id).addEventListener("change", () => {
    const v = Number($(id).value);
    if ($(id).value.trim() === "" || !Number.isFinite(v)) { showError(`${key} must be a number`); return; }
    sendConfig({ [key]: integer ? Math.round(v) : v });
  });
}

async function upload() {
  const file = $("upload").files[0];
  if (!file || !state.session) return;
  const form = new FormData();
  form.append("file", file);
  if ($("csv-target").value.trim()) form.append("target", $("csv-target").value.trim());
  showError("");
  try {
    const r = await fetch(`upload?session=${encodeURIComponent(state.session)}`, { method: "POST", body: form });
    const body = await r.json();
    if (!r.ok) showError(body.error || `the upload was refused (${r.status})`);
  } catch (err) {
    showError(`the upload failed: ${err}`);
  }
  $("upload").value = "";
}

function wire() {
  $("play").onclick = () => send({ type: state.playing ? "pause" : "play" });
  $("step").onclick = () => send({ type: "step" });
  $("reset").onclick = () => { state.losses = []; send({ type: "reset" }); };
  $("dataset").onchange = () => sendConfig({ data: $("dataset").value });
  $("optimizer").onchange = () => sendConfig({ optimizer: $("optimizer").value });
  numberSetting("learning-rate", "learning_rate", false);
  numberSetting("batch-size", "batch_size", true);
  numberSetting("l1", "l1", false);
  numberSetting("l2", "l2", false);
  numberSetting("dropout", "dropout", false);
  numberSetting("seed", "seed", true);
  numberSetting("noise", "noise", false);
  numberSetting("samples", "samples", true);
  numberSetting("test-ratio", "test_ratio", false);
  $("add-layer").onclick = () => {
    const c = state.model.config;
    if (c.hidden.length >= state.model.options.limits.hidden_layers) { showError(`at most ${state.model.options.limits.hidden_layers} hidden layers`); return; }
    sendConfig({ hidden: [...c.hidden, 4], activations: [...c.activations, c.activations[c.activations.length - 1] || "tanh"] });
  };
  $("remove-layer").onclick = () => {
    const c = state.model.config;
    sendConfig({ hidden: c.hidden.slice(0, -1), activations: c.activations.slice(0, -1) });
  };
  $("upload").onchange = upload;
  $("map-x").onchange = () => send({ type: "view", map_x: Number($("map-x").value) });
  $("map-y").onchange = () => send({ type: "view", map_y: Number($("map-y").value) });
  $("sample").onchange = () => {
    redrawMap();
    if (state.lastExplain) explain(state.lastExplain.layer, state.lastExplain.neuron);
  };
  $("output-map").addEventListener("click", (event) => {      // a click on a training point picks it
    const c = $("output-map"), box = c.getBoundingClientRect();
    const row = pointAt(c, state.model, (event.clientX - box.left) * c.width / box.width, (event.clientY - box.top) * c.height / box.height);
    if (row === null) return;
    $("sample").value = String(row);
    $("sample").dispatchEvent(new Event("change"));
  });
  $("weight-cancel").onclick = () => { $("weight-editor").hidden = true; };
  $("weight-apply").onclick = () => {
    const e = $("weight-editor").dataset;
    const v = Number($("weight-input").value);
    if (!Number.isFinite(v) || $("weight-input").value.trim() === "") { showError("a weight must be a number"); return; }
    send({ type: "set_weight", layer: Number(e.layer), source: Number(e.source), neuron: Number(e.neuron), value: v });
    $("weight-editor").hidden = true;
  };
}

function currentSample() { return Math.max(0, Math.round(Number($("sample").value) || 0)); }

function explain(layer, neuron) {
  state.lastExplain = { layer, neuron };
  send({ type: "explain", layer, neuron, sample: currentSample() });
}

function redrawMap() { if (state.model && state.frame) drawOutputMap($("output-map"), state.model, state.frame, currentSample()); }

function editWeight(layer, source, neuron, value, label) {
  const ed = $("weight-editor");
  Object.assign(ed.dataset, { layer, source, neuron });
  $("weight-label").textContent = `weight ${label}`;
  $("weight-input").value = String(value);
  ed.hidden = false;
  $("weight-input").focus();
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const token = new URLSearchParams(location.search).get("token") || "";
  const ws = new WebSocket(`${scheme}://${location.host}/ws?token=${encodeURIComponent(token)}`);
  ws.binaryType = "arraybuffer";
  ws.onmessage = onMessage;
  ws.onopen = () => {
    const cfg = readConfig();
    if (Object.keys(cfg).length) send({ type: "config", config: cfg });
  };
  ws.onclose = () => { showError("the connection to the playground server closed; reload the page to start again"); setPlaying(false); };
  state.ws = ws;
}

diagram = new Diagram($("diagram"), { onNeuron: explain, onEdge: editWeight });
wire();
connect();
window.neuronlabPlayground = state;    // for the curious, and for tests
