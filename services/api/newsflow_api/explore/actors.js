// The actors list and an actor's profile.

import { announce, api, day, h, link, num } from "/explore/static/base.js";
import { bars, everyMonth, network } from "/explore/static/charts.js";

export async function actorsView(p) {
  const q = p.get("q") || "";
  const res = await api("/actors", q ? { q, size: 50 } : { size: 50 });
  announce(`${res.actors.length} actors`);
  return h("section", {},
    h("h1", { tabindex: "-1" }, q ? `Actors matching “${q}”` : "Most mentioned actors"),
    h("ol", { class: "actor-list", id: "actors" }, res.actors.map((a) => h("li", {},
      link({ view: "actor", id: a.id }, a.name), ` — ${a.type || "?"}`,
      a.country ? `, ${a.country}` : "", `: ${num(a.articles)} articles`))));
}

export async function actorView(p) {
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

