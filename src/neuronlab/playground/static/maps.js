// Pictures: the decision regions (or predicted against true), the neurons' maps, the loss curves.
export const PALETTE = [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207]];
const NEG = [245, 147, 34], POS = [8, 119, 189];

function classColour(k) { return PALETTE[k % PALETTE.length]; }

function blit(canvas, side, pixel) {
  const off = document.createElement("canvas");
  off.width = side; off.height = side;
  const octx = off.getContext("2d");
  const img = octx.createImageData(side, side);
  for (let i = 0; i < side * side; i++) {
    const [r, g, b] = pixel(i);
    img.data.set([r, g, b, 255], 4 * i);
  }
  octx.putImageData(img, 0, 0);
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
  return ctx;
}

function mix(c, t) { return c.map((v) => Math.round(255 + (v - 255) * t)); }

// a neuron's activation values over the map: orange below zero, blue above, white at zero
export function drawNeuronMap(canvas, values, side) {
  let m = 1e-9;
  for (const v of values) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  blit(canvas, side, (i) => {
    const v = values[i];
    if (!Number.isFinite(v)) return [0, 0, 0];
    return v < 0 ? mix(NEG, -v / m) : mix(POS, v / m);
  });
}

function toCanvas(model, canvas) {
  const [x0, x1, y0, y1] = model.map.extent;
  return [(x) => ((x - x0) / (x1 - x0)) * canvas.width, (y) => ((y1 - y) / (y1 - y0)) * canvas.height];
}

function point(ctx, x, y, fill, hollow) {
  ctx.beginPath();
  ctx.arc(x, y, 3, 0, 2 * Math.PI);
  ctx.strokeStyle = "white";
  ctx.lineWidth = 1;
  if (hollow) { ctx.strokeStyle = `rgb(${fill})`; ctx.lineWidth = 1.5; ctx.stroke(); return; }
  ctx.fillStyle = `rgb(${fill})`;
  ctx.fill();
  ctx.stroke();
}

// the drawn training point nearest to a click on the map (within 8 pixels), or null
export function pointAt(canvas, model, px, py) {
  const p = model.points;
  let best = null, bestD = 64;
  const [cx, cy] = toCanvas(model, canvas);
  const place = model.task === "classification" ? (i) => [cx(p.x[i]), cy(p.y[i])] : null;
  if (!place) return null;
  for (let i = 0; i < p.x.length; i++) {
    if (p.test[i]) continue;
    const [x, y] = place(i);
    const d = (x - px) ** 2 + (y - py) ** 2;
    if (d < bestD) { bestD = d; best = p.row[i]; }
  }
  return best;
}

function ring(ctx, x, y) {
  ctx.beginPath();
  ctx.arc(x, y, 7, 0, 2 * Math.PI);
  ctx.strokeStyle = "#111";
  ctx.lineWidth = 2;
  ctx.stroke();
}

export function drawOutputMap(canvas, model, frame, sample) {
  const a = frame.arrays;
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const p = model.points;
  if (model.task === "classification") {
    const k = Math.max(2, model.classes.length);
    const cls = a.out_class.data, conf = a.out_conf.data;
    blit(canvas, model.map.grid, (i) => mix(classColour(cls[i]), Math.max(0, (conf[i] - 1 / k) / (1 - 1 / k)) * 0.6 + 0.08));
    const [cx, cy] = toCanvas(model, canvas);
    for (let i = 0; i < p.x.length; i++) point(ctx, cx(p.x[i]), cy(p.y[i]), classColour(p.target[i]), p.test[i]);
    for (let i = 0; i < p.x.length; i++) if (!p.test[i] && p.row[i] === sample) ring(ctx, cx(p.x[i]), cy(p.y[i]));
    return;
  }
  // regression: predicted against true, on the drawn points
  const pred = a.pred.data;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < p.target.length; i++) { lo = Math.min(lo, p.target[i], pred[i]); hi = Math.max(hi, p.target[i], pred[i]); }
  if (!Number.isFinite(lo) || hi <= lo) { lo = -1; hi = 1; }
  const pad = 0.05 * (hi - lo); lo -= pad; hi += pad;
  const sx = (v) => ((v - lo) / (hi - lo)) * canvas.width, sy = (v) => canvas.height - ((v - lo) / (hi - lo)) * canvas.height;
  ctx.fillStyle = "#fafafa"; ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.strokeStyle = "#999"; ctx.beginPath(); ctx.moveTo(sx(lo), sy(lo)); ctx.lineTo(sx(hi), sy(hi)); ctx.stroke();
  for (let i = 0; i < p.target.length; i++) {
    if (Number.isFinite(pred[i])) point(ctx, sx(p.target[i]), sy(pred[i]), POS, p.test[i]);
  }
  ctx.fillStyle = "#333"; ctx.font = "11px sans-serif";
  ctx.fillText("true →", canvas.width - 40, canvas.height - 4);
  ctx.fillText("↑ predicted", 4, 12);
}

export function drawLossChart(canvas, losses) {
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = "#fafafa"; ctx.fillRect(0, 0, canvas.width, canvas.height);
  const pts = losses.filter((l) => l[1] !== null);
  if (pts.length < 1) return;
  const e0 = pts[0][0], e1 = Math.max(pts[pts.length - 1][0], e0 + 1);
  let top = 0;
  for (const [, tr, te] of pts) top = Math.max(top, tr ?? 0, te ?? 0);
  top = top > 0 ? top * 1.05 : 1;
  const X = (e) => 4 + ((e - e0) / (e1 - e0)) * (canvas.width - 8), Y = (v) => canvas.height - 4 - (v / top) * (canvas.height - 16);
  for (const [col, colour] of [[1, "rgb(31,119,180)"], [2, "rgb(255,127,14)"]]) {
    ctx.strokeStyle = colour; ctx.lineWidth = 1.5; ctx.beginPath();
    let started = false;
    for (const l of pts) {
      if (l[col] === null || !Number.isFinite(l[col])) continue;
      if (!started) { ctx.moveTo(X(l[0]), Y(l[col])); started = true; } else ctx.lineTo(X(l[0]), Y(l[col]));
    }
    ctx.stroke();
  }
  ctx.fillStyle = "#333"; ctx.font = "11px sans-serif";
  ctx.fillText(top.toPrecision(3), 4, 11);
}
