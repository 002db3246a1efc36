// The articles and events views: results, multi-select facets, filters, sort, "more".

import { ApiError, announce, api, day, h, link, marked, num, showError } from "/explore/static/base.js";
import { histogram } from "/explore/static/charts.js";
import { MODES, go, isCurrent, noteFacetRequest, startFacetTiming } from "/explore/static/nav.js";
import { FACET_SIZE, PAGE_SIZE, SORTS, VIEWS } from "/explore/static/views.js";

function apiParams(view, p) {
  const spec = VIEWS[view];
  const names = new Set([...spec.facets.map((f) => f.param), ...spec.dates, ...spec.extra]);
  const out = new URLSearchParams();
  for (const [k, v] of p) if (names.has(k) && v !== "") out.append(k, v);
  return out;
}

export async function listView(view, p, token) {
  const spec = VIEWS[view];
  const q = apiParams(view, p);
  q.set("size", PAGE_SIZE);
  q.set("facet_size", FACET_SIZE);
  const requestUrl = `${spec.endpoint}?${q}`;
  const [res, timelineModes] = await Promise.all([
    api(spec.endpoint, q), view === "events" ? null : modeFacetCounts(p),
  ]);
  noteFacetRequest(new URL(requestUrl, location.href).href);
  if (!isCurrent(token)) return h("div");
  const modeCounts = timelineModes || modeBuckets(res.facets?.modes);
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

// /events has a modes facet (counted without the mode filter, as multi-select wants); a
// mode it does not list, when it lists fewer than it was asked for, has no events.
function modeBuckets(buckets = []) {
  const counts = Object.fromEntries(buckets.map((b) => [b.value, b.count]));
  if (buckets.length < FACET_SIZE) {
    for (const m of Object.values(MODES).flat()) counts[m] ??= 0;
  }
  return counts;
}

// /search has no mode facet; a mode's count is the total of /timeline for the same
// filters with that mode instead of the selected ones (the multi-select rule).
async function modeFacetCounts(p) {
  const types = p.getAll("event_type").filter((t) => MODES[t]);
  const modes = [...new Set(types.flatMap((t) => MODES[t]))];
  if (!modes.length) return {};
  const base = apiParams("search", p);
  base.delete("sort");
  base.delete("event_mode");
  base.set("of", VIEWS.search.timeline);
  base.set("interval", "month");
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

export function parties(ids, names) {
  if (!ids.length && !names.length) return "—";
  const out = [];
  ids.forEach((id, i) => {
    if (out.length) out.push(", ");
    out.push(link({ view: "actor", id }, names[i] || id));
  });
  if (!ids.length) out.push(names.join(", "));
  return out;
}

export function flags(e) {
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

