// The network diagram: inputs, every Dense layer's neurons (a hidden neuron shows its map),
// and the edges coloured by the weight's sign and sized by its size.  A click on a neuron
// asks for its explanation; a click on an edge opens the weight's editor.
import { drawNeuronMap, PALETTE } from "./maps.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 560, HEIGHT = 440;

export class Diagram {
  constructor(root, { onNeuron, onEdge }) {
    this.root = root;
    this.onNeuron = onNeuron;
    this.onEdge = onEdge;
    this.edges = [];
    this.neurons = new Map();
  }

  build(model) {
    this.model = model;
    this.root.replaceChildren();
    this.edges = [];
    this.neurons = new Map();
    const dense = model.layers.filter((l) => l.kind === "Dense");
    const columns = [{ kind: "input", n: model.features.length }, ...dense.map((l) => ({ kind: "dense", n: l.n_out, layer: l }))];
    const colX = (c) => 40 + (c * (WIDTH - 80)) / Math.max(1, columns.length - 1);
    const positions = columns.map((col, c) => {
      const size = Math.max(6, Math.min(34, (HEIGHT - 20) / col.n - 6));
      const gap = Math.min(size + 12, (HEIGHT - 20) / col.n);
      const top = (HEIGHT - gap * (col.n - 1)) / 2;
      return { size, pts: Array.from({ length: col.n }, (_, j) => [colX(c), top + j * gap]) };
    });
    this.root.style.width = `${WIDTH}px`;
    this.root.style.height = `${HEIGHT}px`;
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", WIDTH); svg.setAttribute("height", HEIGHT);
    svg.classList.add("edges");
    this.root.appendChild(svg);
    dense.forEach((layer, d) => {
      const from = positions[d].pts, to = positions[d + 1].pts;
      for (let k = 0; k < from.length; k++) {
        for (let j = 0; j < to.length; j++) {
          const line = document.createElementNS(SVG, "line");
          line.setAttribute("x1", from[k][0]); line.setAttribute("y1", from[k][1]);
          line.setAttribute("x2", to[j][0]); line.setAttribute("y2", to[j][1]);
          line.dataset.testid = `edge-${layer.index}-${k}-${j}`;
          line.addEventListener("click", () => {
            const w = this.weight(layer.index, k, j);
            this.onEdge(layer.index, k, j, w, `layer ${layer.index}: input ${k} → neuron ${j}`);
          });
          svg.appendChild(line);
          this.edges.push({ line, layer: layer.index, k, j, n_out: to.length });
        }
      }
    });
    positions[0].pts.forEach(([x, y], k) => {
      const div = this.node(x, y, positions[0].size, "input");
      div.dataset.testid = `input-${k}`;
      div.title = model.features[k];
      const label = document.createElement("span");
      label.textContent = model.features[k].slice(0, 4);
      if (positions[0].size >= 20) div.appendChild(label);
    });
    dense.forEach((layer, d) => {
      const output = d === dense.length - 1;
      const size = positions[d + 1].size;
      positions[d + 1].pts.forEach(([x, y], j) => {
        const div = this.node(x, y, size, output ? "neuron output" : "neuron");
        div.dataset.testid = `neuron-${layer.index}-${j}`;
        div.title = `layer ${layer.index}, neuron ${j} (${layer.activation}): click for its arithmetic`;
        if (!output) {
          const c = document.createElement("canvas");
          c.width = Math.max(4, Math.round(size)); c.height = c.width;
          div.appendChild(c);
        } else if (model.task === "classification") {
          const [r, g, b] = PALETTE[j % PALETTE.length];
          div.style.background = `rgb(${r},${g},${b})`;
          const label = document.createElement("span");
          label.textContent = model.classes[j] ?? String(j);
          label.className = "out-label";
          div.appendChild(label);
        }
        div.addEventListener("click", () => {
          for (const other of this.neurons.values()) other.classList.remove("selected");
          div.classList.add("selected");
          this.onNeuron(layer.index, j);
        });
        this.neurons.set(`${layer.index}-${j}`, div);
      });
    });
  }

  node(x, y, size, cls) {
    const div = document.createElement("div");
    div.className = cls;
    Object.assign(div.style, { left: `${x - size / 2}px`, top: `${y - size / 2}px`, width: `${size}px`, height: `${size}px` });
    this.root.appendChild(div);
    return div;
  }

  weight(layer, k, j) {
    const W = this.frame?.arrays[`W${layer}`];
    if (!W) return 0;
    return W.data[k * W.shape[1] + j];
  }

  update(frame) {
    this.frame = frame;
    let top = 1e-9;
    for (const e of this.edges) top = Math.max(top, Math.abs(this.weight(e.layer, e.k, e.j)));
    for (const e of this.edges) {
      const w = this.weight(e.layer, e.k, e.j);
      const t = Math.min(1, Math.abs(w) / top);
      e.line.setAttribute("stroke", w < 0 ? "rgb(245,147,34)" : "rgb(8,119,189)");
      e.line.setAttribute("stroke-width", (0.5 + 5 * t).toFixed(2));
      e.line.setAttribute("stroke-opacity", (0.25 + 0.75 * t).toFixed(2));
      e.line.dataset.weight = String(w);
    }
    for (const [name, arr] of Object.entries(frame.arrays)) {
      if (!name.startsWith("hidden")) continue;
      const layer = Number(name.slice(6));
      const [n, side] = arr.shape;
      for (let j = 0; j < n; j++) {
        const div = this.neurons.get(`${layer}-${j}`);
        const canvas = div?.querySelector("canvas");
        if (canvas) drawNeuronMap(canvas, arr.data.subarray(j * side * side, (j + 1) * side * side), side);
      }
    }
    for (const div of this.neurons.values()) div.classList.remove("dead", "saturated");
    for (const [l, j] of frame.header.dead) this.neurons.get(`${l}-${j}`)?.classList.add("dead");
    for (const [l, j] of frame.header.saturated) this.neurons.get(`${l}-${j}`)?.classList.add("saturated");
  }
}
