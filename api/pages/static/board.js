// fsdispatch board: the Leaflet map and (with ?timeline=vis) the vis-timeline view.
// Loaded from 'self' under the CSP; the data comes from JSON blocks the server wrote
// (<script type="application/json">, never run). Customer text is only ever set as
// text (textContent, or escaped for vis-timeline's HTML tooltips), never as markup.
"use strict";

const CHINA = [[18, 73], [54, 135]];
// Up to this many sites each is an SVG element (hover, and testable by its aria-label);
// above it, one canvas: 5,000 SVG markers cost a 300 ms task at load (bench/board.py).
const SVG_SITES_AT_MOST = 1000;
// The colours of the legend in app.css (a canvas takes no CSS).
const SITE = { office: "#174ea6", on_time: "#1e8e3e", at_risk: "#f29900", late: "#d93025" };
const PROVINCE = { color: "#b9b9b0", weight: 0.6, fillColor: "#f7f7f2", fillOpacity: 0.85 };
const ROUTE = { color: "#5f6368", opacity: 0.7, weight: 1.5 };

function readJson(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

function textNode(text) {
  const span = document.createElement("span");
  span.textContent = text;
  return span;
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function drawMap(box) {
  const data = readJson("map-data");
  const preferCanvas = data.points.length > SVG_SITES_AT_MOST;
  const map = L.map(box, { zoomSnap: 0.5, preferCanvas, attributionControl: !!box.dataset.tiles });
  if (box.dataset.tiles) {
    const tiles = L.tileLayer(box.dataset.tiles, { maxZoom: 18, attribution: "" });
    tiles.addTo(map);
    map.attributionControl.setPrefix(false).addAttribution(escapeHtml(box.dataset.attribution || ""));
  }
  fetch(box.dataset.provinces)
    .then((response) => response.json())
    .then((provinces) => {
      // Over street tiles the outlines are lines only, so the streets show through.
      const style = box.dataset.tiles ? { ...PROVINCE, fillOpacity: 0 } : PROVINCE;
      const outlines = L.geoJSON(provinces, { className: "province", interactive: false, style });
      outlines.addTo(map).bringToBack();
      box.dataset.basemap = "ready";
    });
  const where = data.points.map(([lat, lon]) => [lat, lon]);
  if (where.length) map.fitBounds(where, { padding: [20, 20], maxZoom: 9 });
  else map.fitBounds(CHINA);
  for (const line of data.lines) {
    const route = L.polyline(line.points, { className: "route", ...ROUTE });
    route.bindTooltip(textNode(line.label), { sticky: true }).addTo(map);
  }
  for (const [lat, lon, kind, label] of data.points) {
    const radius = kind === "office" ? 6 : 4;
    const style = { color: "#fff", weight: 1, fillColor: SITE[kind], fillOpacity: 1 };
    const site = L.circleMarker([lat, lon], { className: `site ${kind}`, radius, ...style });
    site.bindTooltip(textNode(label)).addTo(map);
    if (!preferCanvas) site.getElement().setAttribute("aria-label", label);
  }
  box.dataset.ready = "true";
}

function drawTimeline(box) {
  const data = readJson("timeline-data");
  const [first, second] = data.days;
  const groups = [];
  const items = [];
  for (const group of data.groups) {
    const name = textNode(`${group.name} ${group.office}${group.away ? " · away" : ""}`);
    groups.push({ id: group.id, content: name, className: group.away ? "away" : "" });
    for (const [kind, start, end, label] of group.items) {
      const background = kind === "night" || kind === "lunch";
      const item = { id: items.length, group: group.id, start, end, content: "", className: kind };
      item.type = background ? "background" : "range";
      if (!background) item.title = escapeHtml(label);
      items.push(item);
    }
  }
  new vis.Timeline(box, new vis.DataSet(items), new vis.DataSet(groups), {
    stack: false,
    verticalScroll: true,
    maxHeight: "80vh",
    zoomKey: "ctrlKey",
    orientation: "top",
    selectable: false,
    start: `${first}T${data.from}`,
    end: `${second}T${data.to}`,
    hiddenDates: [{ start: `${first}T${data.to}`, end: `${second}T${data.from}` }],
  });
  box.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", () => {
  const map = document.getElementById("map");
  if (map) drawMap(map);
  const timeline = document.getElementById("vis-timeline");
  if (timeline) drawTimeline(timeline);
  // Ready once the browser has painted the frame that holds the map and the timeline.
  requestAnimationFrame(() => setTimeout(() => {
    performance.mark("board-ready");
    document.body.dataset.ready = "true";
  }));
});
