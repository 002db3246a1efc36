// newsflow explorer: one small module over the public API (/search, /events, /articles,
// /actors, /timeline). All state is in the page's query string, so every view is a link.

const PAGE = "/explore";
const PAGE_SIZE = 20;
const FACET_SIZE = 10;

// Each facet is declared once: the response key, the API parameter it filters, its label.
const SEARCH_FACETS = [
  { key: "persons", param: "person", label: "Persons" },
  { key: "organizations", param: "organization", label: "Organisations" },
  { key: "countries", param: "country", label: "Countries" },
  { key: "locations", param: "location", label: "Locations" },
  { key: "event_types", param: "event_type", label: "Event types", modes: true },
  { key: "sites", param: "site", label: "Sites" },
  { key: "languages", param: "language", label: "Languages" },
];
const EVENT_FACETS = [
  { key: "types", param: "event_type", label: "Event types", modes: true },
  { key: "source_countries", param: "source_country", label: "Source countries" },
  { key: "target_countries", param: "target_country", label: "Target countries" },
  { key: "source_actors", param: "source_actor", label: "Source actors" },
  { key: "target_actors", param: "target_actor", label: "Target actors" },
];
const VIEWS = {
  search: {
    endpoint: "/search",
    facets: SEARCH_FACETS,
    dates: ["published_from", "published_to"],
    histogram: "published",
    extra: ["q", "sort", "event_mode"],
    timeline: "articles",
  },
  events: {
    endpoint: "/events",
    facets: EVENT_FACETS,
    dates: ["date_from", "date_to"],
    histogram: "months",
    extra: [
      "q", "sort", "event_mode", "site", "language", "published_from", "published_to",
      "include_negated", "include_hypothetical",
    ],
    timeline: "events",
  },
};
const SORTS = [["relevance", "Relevance"], ["newest", "Newest first"], ["oldest", "Oldest first"]];

let MODES = {};
let renderToken = 0;

// ------------------------------------------------------------------ small DOM helpers

function h(tag, attrs = {}, ...children) {
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
const s = (tag, attrs = {}, ...children) => h(tag, { ...attrs, svg: true }, ...children);

function link(params, text, attrs = {}) {
  return h("a", { href: url(params), "data-link": true, ...attrs }, text);
}

function url(params) {
  const p = new URLSearchParams(params);
  const qs = p.toString();
  return qs ? `${PAGE}?${qs}` : PAGE;
}

// Highlights come HTML-encoded from Elasticsearch with <mark> as the only tag: keep the
// marks, treat everything else as text.
function marked(html) {
  const doc = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html");
  const frag = document.createDocumentFragment();
  for (const n of doc.body.firstChild.childNodes) {
    frag.append(n.nodeName === "MARK" ? h("mark", { text: n.textContent }) : n.textContent);
  }
  return frag;
}

const day = (iso) => (iso ? String(iso).slice(0, 10) : "");
const num = (n) => Number(n).toLocaleString("en");

// ------------------------------------------------------------------ API and errors

class ApiError extends Error {
  constructor(status, body) {
    super(body.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function api(path, params) {
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

function showError(err) {
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

function clearError() {
  const box = document.getElementById("alert");
  box.hidden = true;
  box.textContent = "";
  delete box.dataset.status;
}

function announce(text) {
  document.getElementById("status").textContent = text;
}

// ------------------------------------------------------------------ routing

function params() {
  return new URLSearchParams(location.search);
}

function go(p, focus = true) {
  history.pushState(null, "", url(p));
  render(focus);
}

document.addEventListener("click", (e) => {
  const a = e.target.closest("a[data-link]");
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  history.pushState(null, "", a.getAttribute("href"));
  render(true);
});
window.addEventListener("popstate", () => render(true));

async function render(focus = false) {
  const token = ++renderToken;
  const p = params();
  const view = p.get("view") || "search";
  clearError();
  document.getElementById("q").value = p.get("q") || "";
  for (const a of document.querySelectorAll("nav a")) {
    const current = a.dataset.view === view || (view === "actor" && a.dataset.view === "actors");
    if (current) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const main = document.getElementById("main");
  const keep = focusSelector(document.activeElement, main);
  main.setAttribute("aria-busy", "true");
  try {
    const node = await VIEW_RENDERERS[view in VIEW_RENDERERS ? view : "search"](p, token);
    if (token !== renderToken) return;
    main.replaceChildren(node);
  } catch (err) {
    if (token !== renderToken) return;
    if (!(err instanceof ApiError)) throw err;
    showError(err);
    main.replaceChildren(h("p", { class: "empty" }, "No results to show."));
  } finally {
    if (token === renderToken) main.removeAttribute("aria-busy");
  }
  if (focus) main.querySelector("h1")?.focus();
  else if (keep) main.querySelector(keep)?.focus();
  finishFacetTiming();
}

// What had the focus inside the view, as a selector that finds its counterpart after the
// view is rebuilt (a facet box by name and value, a bar by position, else by id), so that
// keyboard users stay where they were.
function focusSelector(el, main) {
  if (!el || el === main || !main.contains(el)) return null;
  if (el.type === "checkbox" && el.name) {
    return `input[name="${CSS.escape(el.name)}"][value="${CSS.escape(el.value)}"]`;
  }
  if (el.dataset?.i) return `rect.bar[data-i="${el.dataset.i}"]`;
  return el.id ? `#${CSS.escape(el.id)}` : null;
}

document.getElementById("searchform").addEventListener("submit", (e) => {
  e.preventDefault();
  const p = params();
  const view = p.get("view");
  const keep = new URLSearchParams();
  if (view === "events" || view === "actors") keep.set("view", view);
  if (view === "events" || view === "search" || !view) {
    for (const [k, v] of p) if (k !== "q" && k !== "view" && k !== "id") keep.append(k, v);
  }
  const q = document.getElementById("q").value.trim();
  if (q) keep.set("q", q);
  go(keep);
});

// The time from a facet click to its results on screen, as a User Timing measure that
// names the API request it waited for (read by the browser tests and the devtools).
let facetRequest = null;
function startFacetTiming() {
  performance.clearMarks("explore:facet-click");
  performance.mark("explore:facet-click");
  facetRequest = "pending";
}
function finishFacetTiming() {
  if (!facetRequest || facetRequest === "pending") return;
  performance.measure("explore:facet-to-results", {
    start: "explore:facet-click",
    detail: { request: facetRequest },
  });
  facetRequest = null;
}

// ------------------------------------------------------------------ search and events views

function apiParams(view, p) {
  const spec = VIEWS[view];
  const names = new Set([...spec.facets.map((f) => f.param), ...spec.dates, ...spec.extra]);
  const out = new URLSearchParams();
  for (const [k, v] of p) if (names.has(k) && v !== "") out.append(k, v);
  return out;
}

async function listView(view, p, token) {
  const spec = VIEWS[view];
  const q = apiParams(view, p);
  q.set("size", PAGE_SIZE);
  q.set("facet_size", FACET_SIZE);
  const requestUrl = `${spec.endpoint}?${q}`;
  const [res, modeCounts] = await Promise.all([api(spec.endpoint, q), modeFacetCounts(view, p)]);
  if (facetRequest === "pending") facetRequest = new URL(requestUrl, location.href).href;
  if (token !== renderToken) return h("div");
  const title = view === "search" ? "Articles" : "Events";
  const heading = h("h1", { tabindex: "-1" }, title);
  const count = h("p", { class: "count", id: "count" },
    `${num(res.total)}${res.total_relation === "gte" ? "+" : ""} ` +
    `${view === "search" ? "articles" : "events"}`);
  announce(`${count.textContent} found`);
  const list = view === "search" ? h("ol", { class: "hits", id: "hits" }) :
    h("tbody", { id: "hits" });
  const addHits = (hits) => {
    for (const hit of hits) list.append(view === "search" ? articleHit(hit) : eventRow(hit));
  };
  addHits(res.hits);
  const more = h("button", { type: "button", id: "more", class: "more" }, "More results");
  let cursor = res.next_cursor;
  more.hidden = !cursor;
  more.addEventListener("click", async () => {
    more.disabled = true;
    const next = new URLSearchParams(q);
    next.set("cursor", cursor);
    next.set("facets", "false");
    try {
      const page = await api(spec.endpoint, next);
      const first = list.children.length;
      addHits(page.hits);
      cursor = page.next_cursor;
      more.hidden = !cursor;
      announce(`${page.hits.length} more shown, ${list.children.length} in all`);
      list.children[first]?.querySelector("a")?.focus();
    } catch (err) {
      if (err instanceof ApiError) showError(err);
      else throw err;
    } finally {
      more.disabled = false;
    }
  });
  const results = view === "search" ? list : h("table", { class: "events" },
    h("caption", { class: "visually-hidden" }, "Events, one per evidence sentence"),
    h("thead", {}, h("tr", {}, ["Date", "Type", "Mode", "Source → target", "Flags",
      "Evidence"].map((c) => h("th", { scope: "col" }, c)))),
    list);
  const facets = res.facets || {};
  return h("div", { class: "layout" },
    h("aside", { class: "facets", "aria-label": "Filters" },
      dateRange(view, p),
      spec.facets.map((f) => facetBox(view, f, facets[f.key] || [], p, modeCounts)),
      view === "events" ? [flagBoxes(p), articleFilters(p)] : null),
    h("section", { class: "results", "aria-labelledby": "results-h" },
      heading,
      histogram(view, facets[spec.histogram] || [], p),
      h("div", { class: "toolbar" }, count, sortSelect(p)),
      h("h2", { id: "results-h", class: "visually-hidden" }, "Results"),
      results,
      res.hits.length ? null : h("p", { class: "empty" }, "Nothing matches."),
      more));
}

function toggle(p, param, value, on) {
  const next = new URLSearchParams(p);
  const values = next.getAll(param).filter((v) => v !== value);
  next.delete(param);
  for (const v of on ? [...values, value] : values) next.append(param, v);
  // a mode belongs to a type: dropping the last type drops the modes
  if (param === "event_type" && !next.getAll("event_type").length) next.delete("event_mode");
  return next;
}

function facetBox(view, f, buckets, p, modeCounts) {
  const selected = p.getAll(f.param);
  const shown = [...buckets];
  for (const v of selected) {
    if (!shown.some((b) => b.value === v)) shown.push({ value: v, count: null });
  }
  const id = `facet-${f.param}`;
  const items = shown.map((b, i) => {
    const cid = `${id}-${i}`;
    const box = h("input", {
      type: "checkbox", id: cid, name: f.param, value: b.value,
      checked: selected.includes(b.value),
    });
    box.addEventListener("change", () => {
      startFacetTiming();
      go(toggle(p, f.param, b.value, box.checked), false);
    });
    const name = b.label ? `${b.label} (${b.value})` : b.value;
    const row = h("li", {},
      box,
      h("label", { for: cid }, h("span", { class: "name" }, name),
        count(b.count)));
    if (f.modes && selected.includes(b.value) && MODES[b.value]) {
      row.append(modeList(b.value, p, modeCounts));
    }
    return row;
  });
  return h("fieldset", { class: "facet", "data-facet": f.param },
    h("legend", {}, f.label),
    items.length ? h("ul", {}, items) : h("p", { class: "empty" }, "none"));
}

// A facet count; screen readers hear "12 results" (or "count unknown" for "–").
function count(n) {
  const known = n !== null && n !== undefined;
  return h("span", { class: "n" }, known ? num(n) : "–",
    h("span", { class: "visually-hidden" }, known ? " results" : " count unknown"));
}

function modeList(type, p, counts) {
  const selected = p.getAll("event_mode");
  return h("ul", { class: "modes", "aria-label": `Modes of ${type}` },
    MODES[type].map((m) => {
      const cid = `mode-${type}-${m}`;
      const box = h("input", {
        type: "checkbox", id: cid, name: "event_mode", value: m,
        checked: selected.includes(m),
      });
      box.addEventListener("change", () => {
        startFacetTiming();
        go(toggle(p, "event_mode", m, box.checked), false);
      });
      return h("li", {}, box, h("label", { for: cid }, h("span", { class: "name" }, m),
        count(counts[m])));
    }));
}

// The API has no mode facet; a mode's count is the total of /timeline for the same
// filters with that mode instead of the selected ones (the multi-select rule).
async function modeFacetCounts(view, p) {
  const types = p.getAll("event_type").filter((t) => MODES[t]);
  const modes = [...new Set(types.flatMap((t) => MODES[t]))];
  if (!modes.length) return {};
  const base = apiParams(view, p);
  for (const k of ["sort", "event_mode", "include_negated", "include_hypothetical"]) {
    base.delete(k);
  }
  base.set("of", VIEWS[view].timeline);
  base.set("interval", "month");
  // /timeline counts what /events shows; its negated/hypothetical switches are /events' own
  for (const k of ["include_negated", "include_hypothetical"]) {
    if (view === "events" && p.get(k)) base.set(k, p.get(k));
  }
  const totals = await Promise.all(modes.map((m) => {
    const q = new URLSearchParams(base);
    q.set("event_mode", m);
    return api("/timeline", q).then((r) => r.total);
  }));
  return Object.fromEntries(modes.map((m, i) => [m, totals[i]]));
}

function flagBoxes(p) {
  const box = (name, label) => {
    const input = h("input", {
      type: "checkbox", id: `flag-${name}`, checked: p.get(name) === "true",
    });
    input.addEventListener("change", () => {
      const next = new URLSearchParams(p);
      if (input.checked) next.set(name, "true");
      else next.delete(name);
      go(next, false);
    });
    return h("li", {}, input, h("label", { for: `flag-${name}` }, label));
  };
  return h("fieldset", { class: "facet" }, h("legend", {}, "Also show"),
    h("ul", {}, box("include_negated", "negated events"),
      box("include_hypothetical", "hypothetical events")));
}

function sortSelect(p) {
  const sel = h("select", { id: "sort" },
    SORTS.map(([v, label]) => h("option", {
      value: v, selected: (p.get("sort") || "relevance") === v,
    }, label)));
  sel.addEventListener("change", () => {
    const next = new URLSearchParams(p);
    if (sel.value === "relevance") next.delete("sort");
    else next.set("sort", sel.value);
    go(next, false);
  });
  return h("p", { class: "sort" }, h("label", { for: "sort" }, "Sort "), sel);
}

// A small form of single-valued filters (dates, a site, a language) applied together.
function filterForm(p, legend, fields) {
  const input = ([name, text, type]) => h("p", {},
    h("label", { for: `f-${name}` }, text),
    h("input", { type, id: `f-${name}`, name, value: p.get(name) || "" }));
  const names = fields.map(([name]) => name);
  const form = h("form", { class: "filters" },
    h("fieldset", {}, h("legend", {}, legend), fields.map(input),
      h("button", { type: "submit" }, "Apply"),
      names.some((n) => p.get(n)) ? h("button", {
        type: "button", class: "link", onclick: () => {
          const next = new URLSearchParams(p);
          for (const n of names) next.delete(n);
          go(next, false);
        },
      }, "Clear") : null));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const next = new URLSearchParams(p);
    for (const name of names) {
      const v = form.elements[name].value.trim();
      if (v) next.set(name, v);
      else next.delete(name);
    }
    go(next, false);
  });
  return form;
}

function dateRange(view, p) {
  const [fromName, toName] = VIEWS[view].dates;
  return filterForm(p, view === "search" ? "Published" : "Event date",
    [[fromName, "From", "date"], [toName, "To", "date"]]);
}

// /events' filters that have no facet: where and when the articles were published.
function articleFilters(p) {
  return filterForm(p, "Articles", [
    ["site", "Site", "text"], ["language", "Language", "text"],
    ["published_from", "Published from", "date"], ["published_to", "Published to", "date"],
  ]);
}

// Monthly buckets from the first to the last, the months the API leaves out (no
// documents) as zeros, so that bars are evenly spaced in time.
function everyMonth(buckets, key = "count") {
  if (!buckets.length) return [];
  const byMonth = new Map(buckets.map((b) => [day(b.date).slice(0, 7), b]));
  const out = [];
  const d = new Date(`${day(buckets[0].date).slice(0, 7)}-01T00:00:00Z`);
  const last = day(buckets[buckets.length - 1].date).slice(0, 7);
  for (;;) {
    const month = d.toISOString().slice(0, 7);
    out.push(byMonth.get(month) || { date: `${month}-01`, [key]: 0 });
    if (month >= last) return out;
    d.setUTCMonth(d.getUTCMonth() + 1);
  }
}

// The last day of a monthly histogram bucket.
function bucketEnd(buckets, i) {
  const d = new Date(`${buckets[i].date}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1, 0);
  return d.toISOString().slice(0, 10);
}

// A bar per month; drag across bars, or Enter on one (Shift+Enter widens), sets the range.
function histogram(view, monthly, p) {
  const buckets = everyMonth(monthly);
  if (!buckets.length) return null;
  const [fromName, toName] = VIEWS[view].dates;
  const W = 640;
  const H = 90;
  const bw = W / buckets.length;
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const from = p.get(fromName);
  const to = p.get(toName);
  const setRange = (i, j) => {
    const [a, b] = i <= j ? [i, j] : [j, i];
    const next = new URLSearchParams(p);
    next.set(fromName, buckets[a].date);
    next.set(toName, bucketEnd(buckets, b));
    go(next, false);
  };
  const bars = buckets.map((b, i) => {
    const bh = Math.max(b.count ? 2 : 0, (b.count / max) * (H - 14));
    const inRange = (!from || bucketEnd(buckets, i) >= from) && (!to || b.date <= to);
    const month = b.date.slice(0, 7);
    const rect = s("rect", {
      x: i * bw + 1, y: H - 14 - bh, width: Math.max(1, bw - 2), height: bh,
      class: inRange ? "bar" : "bar out", "data-i": i, tabindex: b.count ? 0 : null,
      role: b.count ? "button" : null,
      "aria-label": `${month}: ${b.count} — show only this period`,
    }, s("title", {}, `${month}: ${b.count}`));
    rect.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        if (!e.shiftKey || !(from || to)) return setRange(i, i);
        // Shift: widen the current range to take this bar in
        const next = new URLSearchParams(p);
        const end = bucketEnd(buckets, i);
        next.set(fromName, from && from < b.date ? from : b.date);
        next.set(toName, to && to > end ? to : end);
        return go(next, false);
      }
      if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
        e.preventDefault();
        const all = [...rect.parentNode.querySelectorAll("rect.bar[tabindex]")];
        all[all.indexOf(rect) + (e.key === "ArrowLeft" ? -1 : 1)]?.focus();
      }
      return undefined;
    });
    return rect;
  });
  const brush = s("rect", { class: "brush", x: 0, y: 0, width: 0, height: H - 14 });
  const svg = s("svg", {
    viewBox: `0 0 ${W} ${H}`, class: "histogram", id: "histogram",
    "aria-label": `${view === "search" ? "Articles" : "Events"} per month; drag across ` +
      "bars, or press Enter on one (Shift+Enter to widen the range, arrows to move), " +
      "to set the date range",
    role: "group",
  }, brush, bars,
  s("text", { x: 0, y: H - 2, class: "axis" }, buckets[0].date.slice(0, 7)),
  s("text", { x: W, y: H - 2, class: "axis", "text-anchor": "end" },
    buckets[buckets.length - 1].date.slice(0, 7)));
  let start = null;
  const index = (e) => {
    const box = svg.getBoundingClientRect();
    const x = ((e.clientX - box.left) / box.width) * W;
    return Math.min(buckets.length - 1, Math.max(0, Math.floor(x / bw)));
  };
  svg.addEventListener("pointerdown", (e) => {
    start = index(e);
    svg.setPointerCapture(e.pointerId);
  });
  svg.addEventListener("pointermove", (e) => {
    if (start === null) return;
    const i = index(e);
    const a = Math.min(start, i);
    brush.setAttribute("x", a * bw);
    brush.setAttribute("width", (Math.abs(i - start) + 1) * bw);
  });
  svg.addEventListener("pointerup", (e) => {
    if (start === null) return;
    const i = index(e);
    const a = start;
    start = null;
    setRange(a, i);
  });
  return h("figure", { class: "histo" }, svg);
}

function articleHit(hit) {
  const title = hit.highlights?.title ? marked(hit.highlights.title) : hit.title || "(untitled)";
  const snippets = hit.highlights?.text?.length ? hit.highlights.text : [];
  return h("li", { class: "hit" },
    h("h3", {}, link({ view: "article", id: hit.id }, title)),
    h("p", { class: "meta" }, [hit.site, day(hit.published), hit.language].filter(Boolean)
      .join(" · ")),
    snippets.length
      ? h("p", { class: "snippet" }, snippets.map((sn) => [marked(sn), " … "]))
      : hit.description ? h("p", { class: "snippet" }, hit.description) : null,
    hit.event_types.length
      ? h("p", { class: "chips" }, hit.event_types.map((t) => h("span", { class: "chip" }, t)))
      : null);
}

function parties(ids, names) {
  if (!ids.length && !names.length) return "—";
  const out = [];
  ids.forEach((id, i) => {
    if (out.length) out.push(", ");
    out.push(link({ view: "actor", id }, names[i] || id));
  });
  if (!ids.length) out.push(names.join(", "));
  return out;
}

function flags(e) {
  return [e.negated && "negated", e.hypothetical && "hypothetical", e.future && "future"]
    .filter(Boolean).join(", ");
}

function eventRow(e) {
  return h("tr", {},
    h("td", {}, e.date ? `${day(e.date)}${e.date_granularity && e.date_granularity !== "day" ?
      ` (${e.date_granularity})` : ""}` : "—"),
    h("td", {}, e.type), h("td", {}, e.mode || "—"),
    h("td", {}, parties(e.source_actors, e.source_names), " → ",
      parties(e.target_actors, e.target_names)),
    h("td", {}, flags(e) || "—"),
    h("td", {}, h("span", { class: "evidence" }, e.highlight ? marked(e.highlight) : e.sentence),
      " ", link({ view: "article", id: e.article_id, event: e.id },
        e.title ? `in “${e.title}”` : "article")));
}

// ------------------------------------------------------------------ article view

// Mentions: the API stores actors with their names and the surface forms seen (aliases),
// not mention offsets, so mentions are found by those forms; evidence sentences and quotes
// come with their stored offsets.
function mentionSpans(text, actors) {
  const forms = [];
  for (const a of actors) {
    for (const f of new Set([a.name, ...(a.aliases || [])])) {
      if (f && f.length > 1) forms.push([f, a]);
    }
  }
  forms.sort((x, y) => y[0].length - x[0].length);
  const taken = new Uint8Array(text.length);
  const out = [];
  for (const [form, actor] of forms) {
    const literal = form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const re = new RegExp(`(?<![\\p{L}\\p{N}])${literal}(?![\\p{L}\\p{N}])`, "gu");
    for (const m of text.matchAll(re)) {
      const a = m.index;
      const b = a + m[0].length;
      if (taken.subarray(a, b).some((x) => x)) continue;
      taken.fill(1, a, b);
      out.push({ start: a, end: b, actor });
    }
  }
  return out;
}

function annotatedText(text, events, quotes, actors) {
  // Each character gets the evidence, quote and mention covering it; runs of equal cover
  // become one element.
  const n = text.length;
  const ev = new Int32Array(n).fill(-1);
  const qt = new Int32Array(n).fill(-1);
  const mn = new Int32Array(n).fill(-1);
  events.forEach((e, i) => {
    if (e.sentence_start !== null && e.sentence_end !== null && e.sentence_start !== undefined) {
      ev.fill(i, Math.max(0, e.sentence_start), Math.min(n, e.sentence_end));
    }
  });
  quotes.forEach((q, i) => {
    if (q.start !== null && q.end !== null && q.start !== undefined) {
      qt.fill(i, Math.max(0, q.start), Math.min(n, q.end));
    }
  });
  const mentions = mentionSpans(text, actors);
  mentions.forEach((m, i) => mn.fill(i, m.start, m.end));
  const root = h("div", { class: "text", id: "article-text" });
  let para = h("p");
  root.append(para);
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && ev[j] === ev[i] && qt[j] === qt[i] && mn[j] === mn[i] && text[j] !== "\n") j++;
    if (text[i] === "\n") {
      if (para.childNodes.length) {
        para = h("p");
        root.append(para);
      }
      i += 1;
      continue;
    }
    let node = document.createTextNode(text.slice(i, j));
    if (mn[i] >= 0) {
      const a = mentions[mn[i]].actor;
      node = h("a", { href: url({ view: "actor", id: a.id }), "data-link": true,
        class: `mention t-${a.type}`, title: `${a.name} (${a.type})` }, node);
    }
    if (qt[i] >= 0) node = h("q", { class: "quote", "data-quote": qt[i] }, node);
    if (ev[i] >= 0) {
      const e = events[ev[i]];
      node = h("mark", { class: "evidence", "data-event": e.id,
        title: `${e.type}${e.mode ? ` by ${e.mode}` : ""}` }, node);
    }
    para.append(node);
    i = j;
  }
  // the first piece of each evidence sentence is its anchor for the events table
  const seen = new Set();
  for (const m of root.querySelectorAll("mark.evidence")) {
    if (!seen.has(m.dataset.event)) {
      seen.add(m.dataset.event);
      m.id = `ev-${m.dataset.event}`;
      m.tabIndex = -1;
    }
  }
  return root;
}

async function articleView(p) {
  const id = p.get("id");
  const a = await api(`/articles/${encodeURIComponent(id)}`);
  const names = Object.fromEntries(a.actors.map((x) => [x.id, x.name]));
  const byType = {};
  for (const x of a.actors) (byType[x.type] ||= []).push(x);
  const events = [...a.events].sort((x, y) => (x.sentence_start ?? 0) - (y.sentence_start ?? 0));
  const text = annotatedText(a.text, events, a.quotes, a.actors);
  const eventsTable = events.length ? h("table", { class: "events", id: "article-events" },
    h("caption", {}, `${events.length} events`),
    h("thead", {}, h("tr", {}, ["Type", "Mode", "Source → target", "Date", "Flags", "Evidence"]
      .map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, events.map((e) => h("tr", { class: e.counted ? null : "uncounted" },
      h("td", {}, e.type), h("td", {}, e.mode || "—"),
      h("td", {}, parties(e.source_actors, e.source_actors.map((x) => names[x] || x)), " → ",
        parties(e.target_actors, e.target_actors.map((x) => names[x] || x))),
      h("td", {}, e.date ? day(e.date) : "—"),
      h("td", {}, flags(e) || "—"),
      h("td", {}, h("a", { href: `#ev-${e.id}`, onclick: (ev) => {
        ev.preventDefault();
        const m = document.getElementById(`ev-${e.id}`);
        m?.scrollIntoView({ block: "center" });
        m?.focus();
      } }, e.trigger ? `“${e.trigger}”` : "sentence")))))) :
    h("p", {}, "No events coded in this article.");
  const quotes = a.quotes.length ? h("ul", { class: "quotes" }, a.quotes.map((q) =>
    h("li", {}, h("blockquote", {}, q.text), h("p", { class: "speaker" }, "— ",
      q.speaker ? link({ view: "actor", id: q.speaker }, q.speaker_name || names[q.speaker] ||
        q.speaker) : q.speaker_name || "unattributed", ` (${q.kind})`)))) :
    h("p", {}, "No quotes.");
  const node = h("article", { class: "article" },
    h("h1", { tabindex: "-1" }, a.title),
    h("p", { class: "meta" }, [a.site_name || a.site, day(a.published), a.language,
      a.authors.join(", ")].filter(Boolean).join(" · "), " ",
      a.canonical_url || a.url
        ? h("a", { href: a.canonical_url || a.url, rel: "noopener" }, "original") : null),
    h("section", { "aria-labelledby": "actors-h" }, h("h2", { id: "actors-h" }, "Actors"),
      h("dl", { class: "actors" }, Object.entries(byType).map(([t, xs]) => [
        h("dt", {}, h("span", { class: `swatch t-${t}`, "aria-hidden": "true" }), t),
        h("dd", {}, xs.map((x, i) => [i ? ", " : "", link({ view: "actor", id: x.id }, x.name),
          x.mentions ? ` (${x.mentions})` : ""]))]))),
    h("p", { class: "legend" }, h("mark", { class: "evidence" }, "event evidence"), " ",
      h("q", { class: "quote" }, "quote"), " ", h("span", { class: "mention" }, "actor mention")),
    h("section", { "aria-labelledby": "text-h" }, h("h2", { id: "text-h" }, "Text"), text),
    h("section", { "aria-labelledby": "events-h" },
      h("h2", { id: "events-h" }, "Events"), eventsTable),
    h("section", { "aria-labelledby": "quotes-h" }, h("h2", { id: "quotes-h" }, "Quotes"), quotes));
  announce(`Article: ${a.title}`);
  const target = p.get("event");
  if (target) {
    requestAnimationFrame(() => {
      document.getElementById(`ev-${target}`)?.scrollIntoView({ block: "center" });
    });
  }
  return node;
}

// ------------------------------------------------------------------ actors

async function actorsView(p) {
  const q = p.get("q") || "";
  const res = await api("/actors", q ? { q, size: 50 } : { size: 50 });
  announce(`${res.actors.length} actors`);
  return h("section", {},
    h("h1", { tabindex: "-1" }, q ? `Actors matching “${q}”` : "Most mentioned actors"),
    h("ol", { class: "actor-list", id: "actors" }, res.actors.map((a) => h("li", {},
      link({ view: "actor", id: a.id }, a.name), ` — ${a.type || "?"}`,
      a.country ? `, ${a.country}` : "", `: ${num(a.articles)} articles`))));
}

function bars(points, label) {
  if (!points.length) return h("p", {}, "No mentions.");
  const W = 480;
  const H = 80;
  const bw = W / points.length;
  const max = Math.max(1, ...points.map((x) => x.value));
  return s("svg", {
    viewBox: `0 0 ${W} ${H + 14}`, class: "histogram", role: "img", "aria-label": label,
  },
    points.map((x, i) => {
      const bh = Math.max(x.value ? 2 : 0, (x.value / max) * H);
      return s("rect", {
        x: i * bw + 1, y: H - bh, width: Math.max(1, bw - 2), height: bh, class: "bar",
      },
        s("title", {}, `${x.label}: ${x.value}`));
    }),
    s("text", { x: 0, y: H + 12, class: "axis" }, points[0].label),
    s("text", { x: W, y: H + 12, class: "axis", "text-anchor": "end" },
      points[points.length - 1].label));
}

// The actor in the middle, co-occurring actors around it; line width = shared articles.
function network(actor, co) {
  const W = 420;
  const H = 320;
  const cx = W / 2;
  const cy = H / 2;
  const r = 120;
  const nodes = co.slice(0, 12);
  const max = Math.max(1, ...nodes.map((c) => c.articles));
  const pos = nodes.map((_, i) => {
    const t = (2 * Math.PI * i) / Math.max(1, nodes.length) - Math.PI / 2;
    return [cx + r * Math.cos(t), cy + r * Math.sin(t)];
  });
  return s("svg", { viewBox: `0 0 ${W} ${H}`, class: "network", id: "network", role: "group",
    "aria-label": `Actors most often in the same articles as ${actor.name}` },
  nodes.map((c, i) => s("line", { x1: cx, y1: cy, x2: pos[i][0], y2: pos[i][1],
    "stroke-width": 1 + (4 * c.articles) / max, class: "edge" })),
  s("circle", { cx, cy, r: 9, class: `node center t-${actor.type}` }),
  s("text", { x: cx, y: cy - 14, "text-anchor": "middle", class: "label center" }, actor.name),
  nodes.map((c, i) => s("a", { href: url({ view: "actor", id: c.id }), "data-link": true,
    "aria-label": `${c.name || c.id}, ${c.articles} shared articles` },
  s("circle", { cx: pos[i][0], cy: pos[i][1], r: 6, class: `node t-${c.type}` }),
  s("text", { x: pos[i][0], y: pos[i][1] + (pos[i][1] < cy ? -10 : 18), "text-anchor": "middle",
    class: "label" }, c.name || c.id))));
}

async function actorView(p) {
  const id = p.get("id");
  const a = await api(`/actors/${encodeURIComponent(id)}`);
  const typeList = (buckets, role) => buckets.length ? h("ul", {}, buckets.map((b) =>
    h("li", {}, link({ view: "events", [`${role}_actor`]: id, event_type: b.value },
      `${b.value}`), ` ${num(b.count)}`))) : h("p", {}, "none");
  announce(`Actor: ${a.name}`);
  return h("article", { class: "actor" },
    h("h1", { tabindex: "-1" }, a.name),
    h("p", { class: "meta" }, [a.type, a.country, a.sector].filter(Boolean).join(" · "),
      ` · ${num(a.articles)} articles, ${num(a.mentions)} mentions · `,
      link(a.type === "country" ? { country: a.country || id } : { actor: id }, "its articles")),
    h("dl", { class: "facts" },
      h("dt", {}, "Aliases"), h("dd", { id: "aliases" }, a.aliases.join(", ") || "—"),
      a.roles.length ? [h("dt", {}, "Roles"), h("dd", {}, a.roles.join(", "))] : null),
    h("section", { "aria-labelledby": "over-h" }, h("h2", { id: "over-h" }, "Mentions over time"),
      bars(everyMonth(a.mentions_over_time, "mentions")
        .map((b) => ({ label: day(b.date).slice(0, 7), value: b.mentions })),
        `Mentions of ${a.name} per month`)),
    h("div", { class: "two" },
      h("section", { "aria-labelledby": "src-h" }, h("h2", { id: "src-h" }, "Events as source"),
        typeList(a.events_as_source, "source")),
      h("section", { "aria-labelledby": "tgt-h" }, h("h2", { id: "tgt-h" }, "Events as target"),
        typeList(a.events_as_target, "target"))),
    h("section", { "aria-labelledby": "co-h" }, h("h2", { id: "co-h" }, "Co-occurring actors"),
      a.co_actors.length ? network(a, a.co_actors) : h("p", {}, "none"),
      h("ul", { class: "co" }, a.co_actors.map((c) => h("li", {},
        link({ view: "actor", id: c.id }, c.name || c.id), ` ${num(c.articles)}`)))),
    h("section", { "aria-labelledby": "latest-h" }, h("h2", { id: "latest-h" }, "Latest articles"),
      h("ul", {}, a.latest_articles.map((x) => h("li", {},
        link({ view: "article", id: x.id }, x.title || x.id), ` ${day(x.published)}`)))));
}

const VIEW_RENDERERS = {
  search: (p, t) => listView("search", p, t),
  events: (p, t) => listView("events", p, t),
  article: articleView,
  actors: actorsView,
  actor: actorView,
};

// ------------------------------------------------------------------ start

fetch("/explore/static/modes.json")
  .then((r) => (r.ok ? r.json() : {}))
  .catch(() => ({}))
  .then((m) => {
    MODES = Object.fromEntries(Object.entries(m).filter(([k]) => !k.startsWith("_")));
    render(false);
  });
