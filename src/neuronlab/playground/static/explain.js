// A clicked neuron's arithmetic, as neuronlab computes it: net.explain (forward) and
// net.explain_gradient (backward).  Every number is shown rounded and kept exact in data-value.
const fmt = (v) => (v === null || v === undefined ? "—" : typeof v === "number" ? Number(v.toPrecision(4)).toString() : String(v));

function num(field, v) {
  const s = document.createElement("span");
  s.className = "num";
  s.dataset.field = field;
  s.dataset.value = v === null || v === undefined ? "" : String(v);
  s.textContent = fmt(v);
  return s;
}

function el(tag, ...children) {
  const e = document.createElement(tag);
  e.append(...children);
  return e;
}

function table(head, rows) {
  const t = el("table", el("thead", el("tr", ...head.map((h) => el("th", h)))));
  t.appendChild(el("tbody", ...rows.map((r) => el("tr", ...r.map((c) => el("td", c))))));
  return t;
}

export function showExplanation(m, model) {
  const f = m.forward, b = m.backward;
  const names = f.input_names || f.inputs.map((_, i) => `x${i}`);
  const fwd = document.getElementById("explanation");
  fwd.dataset.layer = m.layer; fwd.dataset.neuron = m.neuron; fwd.dataset.sample = m.sample;
  const rows = f.inputs.map((x, i) => [names[i], num(`input-${i}`, x), num(`weight-${i}`, f.weights[i]), num(`product-${i}`, f.products[i])]);
  const fires = num("fires", f.fires);
  fires.textContent = f.fires ? "yes" : "no";
  fwd.replaceChildren(
    el("h3", `forward: layer ${m.layer}, neuron ${m.neuron}, training row ${m.sample}`),
    table(["input", "x", "w", "x·w"], rows),
    el("p", "z = Σ x·w + b = ", num("sum_of_products", f.sum_of_products), " + ", num("bias", f.bias), " = ", num("weighted_sum", f.weighted_sum)),
    el("p", `a = ${f.activation}(z) = `, num("activation_value", f.activation_value)),
    el("p", "fires: ", fires, f.threshold === null ? "" : ` (threshold ${fmt(f.threshold)})`),
    el("details", el("summary", "as neuronlab prints it"), el("pre", m.forward_text)),
  );
  const bwd = document.getElementById("gradient-explanation");
  bwd.dataset.layer = m.layer; bwd.dataset.neuron = m.neuron; bwd.dataset.sample = m.sample;
  const grows = b.weights.map((w) => [w.source, num(`w-${w.index}`, w.weight), num(`in-${w.index}`, w.input), num(`gradient-${w.index}`, w.gradient)]);
  bwd.replaceChildren(
    el("h3", `backward: loss ${b.loss} = `, num("loss_value", b.loss_value)),
    el("p", "∂L/∂a = ", num("dL_da", b.dL_da), ",  f′(z) = ", num("da_dz", b.da_dz), b.fused ? ` (${b.fused} fused: δ = a − y)` : ""),
    el("p", "δ = ∂L/∂z = ", num("delta", b.delta)),
    table(["from", "w", "input", "∂L/∂w = δ·input"], grows),
    el("p", "∂L/∂b = δ = ", num("bias_gradient", b.bias_gradient)),
    el("details", el("summary", "the chain rule, as neuronlab prints it"), el("pre", b.text)),
  );
}
