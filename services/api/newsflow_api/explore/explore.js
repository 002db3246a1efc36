// newsflow explorer: small modules over the public API (/search, /events, /articles,
// /actors, /timeline). All state is in the page's query string, so every view is a link.

import { actorView, actorsView } from "/explore/static/actors.js";
import { articleView } from "/explore/static/article.js";
import { ApiError, clearError, h, showError } from "/explore/static/base.js";
import { listView } from "/explore/static/lists.js";
import {
  MODES, finishFacetTiming, go, isCurrent, nextRender, onNavigate, params,
} from "/explore/static/nav.js";

document.addEventListener("click", (e) => {
  const a = e.target.closest("a[data-link]");
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  history.pushState(null, "", a.getAttribute("href"));
  render(true);
});
window.addEventListener("popstate", () => render(true));
onNavigate(render);

async function render(focus = false) {
  const token = nextRender();
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
    if (!isCurrent(token)) return;
    main.replaceChildren(node);
  } catch (err) {
    if (!isCurrent(token)) return;
    if (!(err instanceof ApiError)) throw err;
    showError(err);
    main.replaceChildren(h("p", { class: "empty" }, "No results to show."));
  } finally {
    if (isCurrent(token)) main.removeAttribute("aria-busy");
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
    Object.assign(MODES, Object.fromEntries(Object.entries(m).filter(([k]) => !k.startsWith("_"))));
    render(false);
  });
