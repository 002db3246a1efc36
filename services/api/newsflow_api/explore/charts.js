// Charts: the monthly histogram with its brush, bars over time, the co-occurrence network.

import { day, h, s, url } from "/explore/static/base.js";
import { go } from "/explore/static/nav.js";
import { VIEWS } from "/explore/static/views.js";

// Monthly buckets from the first to the last, the months the API leaves out (no
// documents) as zeros, so that bars are evenly spaced in time.
export function everyMonth(buckets, key = "count") {
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
export function histogram(view, monthly, p) {
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

export function bars(points, label) {
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
export function network(actor, co) {
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

