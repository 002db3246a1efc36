// Navigation: the page's state is its query string; a view change pushes a new one and
// renders. Also the facet-click timing and the mode table.

import { url } from "/explore/static/base.js";

// The modes of each event type (modes.json), filled once at start.
export const MODES = {};

let renderer = () => {};
export function onNavigate(fn) {
  renderer = fn;
}

let renderToken = 0;
export const nextRender = () => ++renderToken;
export const isCurrent = (token) => token === renderToken;

export function params() {
  return new URLSearchParams(location.search);
}

export function go(p, focus = true) {
  history.pushState(null, "", url(p));
  renderer(focus);
}

// The time from a facet click to its results on screen, as a User Timing measure that
// names the API request it waited for (read by the browser tests and the devtools).
let facetRequest = null;
export function startFacetTiming() {
  performance.clearMarks("explore:facet-click");
  performance.mark("explore:facet-click");
  facetRequest = "pending";
}
export function finishFacetTiming() {
  if (!facetRequest || facetRequest === "pending") return;
  performance.measure("explore:facet-to-results", {
    start: "explore:facet-click",
    detail: { request: facetRequest },
  });
  facetRequest = null;
}

// The API request a facet click waits for (the first list request after the click).
export function noteFacetRequest(href) {
  if (facetRequest === "pending") facetRequest = href;
}
