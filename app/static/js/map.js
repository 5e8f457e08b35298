// Shared map helpers. Leaflet (window.L) is loaded as a classic script before these modules.
// Every map works without tiles: the tile layer is optional (MAP_TILE_URL) and a failed tile
// only marks the map as offline; boundaries, markers and drawing tools are vector layers.
import { gettext } from "./i18n.js";

const DEFAULT_CENTRE = [39.78, -89.65];

export function readJson(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

export function createMap(element, { centre = DEFAULT_CENTRE, zoom = 12 } = {}) {
  const settings = readJson("map-settings") || {};
  const map = L.map(element, { keyboard: true, zoomControl: true }).setView(centre, zoom);
  if (settings.tileUrl) {
    const tiles = L.tileLayer(settings.tileUrl, { attribution: settings.attribution, maxZoom: 19 });
    tiles.on("tileerror", () => element.classList.add("tiles-offline"));
    tiles.addTo(map);
  } else {
    element.classList.add("tiles-offline");
  }
  return map;
}

export function drawBoundaries(map, collection, { fit = true } = {}) {
  const layer = L.geoJSON(collection, {
    interactive: false,
    style: { className: "map-boundary", color: "#1f4e8c", weight: 2, fillColor: "#1f4e8c", fillOpacity: 0.04, dashArray: "6 4" },
  }).addTo(map);
  const bounds = layer.getBounds();
  if (fit && bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12], animate: false });
  return layer;
}

const STATUS_COLOURS = { open: "#c2410c", acknowledged: "#1d4ed8", closed: "#15803d", archived: "#6b7280" };

export function requestMarker(item) {
  const colour = STATUS_COLOURS[item.status] || "#374151";
  const marker = L.circleMarker([item.lat, item.lng], {
    radius: 7, color: "#fff", weight: 2, fillColor: colour, fillOpacity: 0.95,
  });
  if (item.url) {
    const link = document.createElement("a");
    link.href = item.url;
    link.textContent = item.title || gettext("Request");
    const wrapper = document.createElement("div");
    wrapper.append(link);
    if (item.status) {
      const status = document.createElement("div");
      status.textContent = item.status;
      status.className = "popup-status";
      wrapper.append(status);
    }
    marker.bindPopup(wrapper);
  }
  return marker;
}

export function drawRequests(map, items, { fit = false } = {}) {
  const group = L.featureGroup(items.map(requestMarker)).addTo(map);
  if (fit && items.length) map.fitBounds(group.getBounds(), { padding: [24, 24], maxZoom: 16, animate: false });
  return group;
}
