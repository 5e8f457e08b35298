import { createMap, drawBoundaries, drawRequests, readJson } from "./map.js";

const element = document.getElementById("home-map");
if (element) {
  const map = createMap(element);
  const boundaries = readJson("boundaries");
  if (boundaries) drawBoundaries(map, boundaries);
  const requests = readJson("map-requests");
  if (requests) drawRequests(map, requests, { fit: !boundaries });
}
