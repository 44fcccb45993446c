// The configuration in the page's address (after '#'), so that a page can be shared:
// #data=spirals&hidden=8,8&activations=tanh,tanh&learning_rate=0.03 …
const LISTS = { hidden: Number, activations: String };
const TEXT = new Set(["data", "optimizer", "target"]);

export function readConfig() {
  const params = new URLSearchParams(location.hash.slice(1));
  const cfg = {};
  for (const [key, value] of params) {
    if (key in LISTS) cfg[key] = value === "" ? [] : value.split(",").map(LISTS[key]);
    else if (TEXT.has(key)) cfg[key] = value;
    else cfg[key] = Number(value);
  }
  return cfg;
}

export function writeConfig(cfg) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(cfg)) {
    if (value === null || value === undefined) continue;
    if (key === "data" && value === "upload") continue;     // an uploaded file cannot travel in a link
    if (key === "target" && cfg.data !== "upload") continue;
    params.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  history.replaceState(null, "", `${location.pathname}${location.search}#${params.toString()}`);
}
