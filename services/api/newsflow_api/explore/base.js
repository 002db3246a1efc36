// Small DOM helpers, the API client and its error messages.

export const PAGE = "/explore";

export function h(tag, attrs = {}, ...children) {
  const svg = ["svg", "rect", "line", "circle", "text", "g", "title", "a"].includes(tag) &&
    attrs.svg;
  const el = svg
    ? document.createElementNS("http://www.w3.org/2000/svg", tag)
    : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false || k === "svg") continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c !== null && c !== undefined && c !== false) el.append(c);
  }
  return el;
}
export const s = (tag, attrs = {}, ...children) => h(tag, { ...attrs, svg: true }, ...children);

export function link(params, text, attrs = {}) {
  return h("a", { href: url(params), "data-link": true, ...attrs }, text);
}

export function url(params) {
  const p = new URLSearchParams(params);
  const qs = p.toString();
  return qs ? `${PAGE}?${qs}` : PAGE;
}

// Highlights come HTML-encoded from Elasticsearch with <mark> as the only tag: keep the
// marks, treat everything else as text.
export function marked(html) {
  const doc = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html");
  const frag = document.createDocumentFragment();
  for (const n of doc.body.firstChild.childNodes) {
    frag.append(n.nodeName === "MARK" ? h("mark", { text: n.textContent }) : n.textContent);
  }
  return frag;
}

export const day = (iso) => (iso ? String(iso).slice(0, 10) : "");
export const num = (n) => Number(n).toLocaleString("en");

// ------------------------------------------------------------------ API and errors

export class ApiError extends Error {
  constructor(status, body) {
    super(body.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export async function api(path, params) {
  const qs = params ? new URLSearchParams(params).toString() : "";
  let res;
  try {
    res = await fetch(qs ? `${path}?${qs}` : path, { headers: { Accept: "application/json" } });
  } catch {
    throw new ApiError(0, { message: "the API cannot be reached" });
  }
  if (!res.ok) {
    let body = {};
    try {
      body = await res.json();
    } catch {
      body = { message: res.statusText };
    }
    throw new ApiError(res.status, body);
  }
  return res.json();
}

export function showError(err) {
  const box = document.getElementById("alert");
  const b = err.body || {};
  let text;
  if (err.status === 503) {
    text = `The search service is unavailable (503): ${b.message || "try again shortly"}. ` +
      "Nothing is wrong with your query; try again in a minute.";
  } else if (err.status === 404) {
    text = `Not found (404): ${b.message || "nothing at this address"}.`;
  } else if (err.status >= 400 && err.status < 500) {
    const where = b.parameter ? ` Parameter “${b.parameter}”: ` : " ";
    text = `The API refused this request (${err.status}).${where}${b.message || ""}`;
  } else if (err.status === 0) {
    text = "The API cannot be reached. Check your connection and try again.";
  } else {
    text = `The API failed (${err.status}): ${b.message || err.message}`;
  }
  box.textContent = text;
  box.dataset.status = String(err.status);
  box.hidden = false;
}

export function clearError() {
  const box = document.getElementById("alert");
  box.hidden = true;
  box.textContent = "";
  delete box.dataset.status;
}

export function announce(text) {
  document.getElementById("status").textContent = text;
}

