// The list views (articles, events), each declared once: endpoint, facets, parameters.

export const PAGE_SIZE = 20;
export const FACET_SIZE = 10;

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
export const VIEWS = {
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
export const SORTS = [["relevance", "Relevance"], ["newest", "Newest first"], ["oldest", "Oldest first"]];
