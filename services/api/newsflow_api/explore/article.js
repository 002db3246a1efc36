// The article view: the text with evidence sentences, quotes and actor mentions marked at
// their stored offsets; the events as a table; the quotes with their speakers.

import { announce, api, day, h, link, url } from "/explore/static/base.js";
import { flags, parties } from "/explore/static/lists.js";

// Mentions, evidence sentences and quotes all come with their stored offsets into the
// text: an actor's `spans` are where enrich found it (its name, an alias, a pronoun it
// resolved), in text order.
function mentionSpans(text, actors) {
  const out = [];
  for (const actor of actors) {
    for (const { start, end } of actor.spans || []) {
      if (start >= 0 && start < end && end <= text.length) out.push({ start, end, actor });
    }
  }
  return out.sort((x, y) => x.start - y.start);
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
        class: `mention t-${a.type}`, title: `${a.name} (${a.type})`, "data-actor": a.id,
        "data-start": mentions[mn[i]].start }, node);
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

export async function articleView(p) {
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

