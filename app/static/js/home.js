import { createMap, drawBoundaries, drawRequests, readJson } from "./map.js";

const element = document.getElementById("home-map");
if (element) {
  const map = createMap(element);
  drawBoundaries(map, readJson("boundaries"));
  const requests = readJson("map-requests");
  if (requests) drawRequests(map, requests);
}
