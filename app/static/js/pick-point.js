// Choosing a point for a form: a click on the map fills #lat and #lng; typed values move the pin.
import { gettext } from "./i18n.js";
import { createMap, drawBoundaries, readJson } from "./map.js";

const element = document.getElementById("pick-map");
const lat = document.getElementById("lat");
const lng = document.getElementById("lng");
if (element && lat && lng) {
  const map = createMap(element);
  drawBoundaries(map, readJson("boundaries"));
  let pin = null;
  const place = (latlng) => {
    pin = pin ? pin.setLatLng(latlng) : L.marker(latlng, { draggable: true, title: gettext("Here") }).addTo(map);
    pin.off("dragend").on("dragend", () => fill(pin.getLatLng()));
  };
  const fill = (latlng) => {
    lat.value = latlng.lat.toFixed(6);
    lng.value = latlng.lng.toFixed(6);
    place(latlng);
  };
  map.on("click", (event) => fill(event.latlng));
  const typed = () => {
    const latlng = L.latLng(parseFloat(lat.value), parseFloat(lng.value));
    if (Number.isFinite(latlng.lat) && Number.isFinite(latlng.lng)) { place(latlng); map.panTo(latlng); }
  };
  lat.addEventListener("change", typed);
  lng.addEventListener("change", typed);
  if (lat.value && lng.value) typed();
}
