// Choosing a point for a form: a click on the map fills #lat and #lng; typed values move the pin;
// an address suggestion chosen under #address (as on the report page) places it there.
import { suggestAddresses } from "./address-suggest.js";
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
  const address = document.getElementById("address");
  const box = document.getElementById("address-suggestions");
  if (address && box) {
    suggestAddresses({
      input: address, box,
      onChoose: (item) => {
        address.value = item.label;
        const latlng = L.latLng(item.lat, item.lng);
        fill(latlng);
        map.setView(latlng, Math.max(map.getZoom(), 16));
      },
    });
  }
  lat.addEventListener("change", typed);
  lng.addEventListener("change", typed);
  if (lat.value && lng.value) typed();
}
