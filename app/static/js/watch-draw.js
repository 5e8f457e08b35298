// Drawing a watch area with Leaflet-Geoman: one outline at a time, kept in the form's
// geometry field as GeoJSON. Typing corners (or GeoJSON) into that field redraws the map,
// so keyboard users and people without a pointer can define the area too. Or an address:
// suggestions as on the report page; the chosen one's point goes with the form (the server
// builds the circle, and resolves a typed address itself without this script), and the map
// shows the circle. The way chosen last wins: drawing clears the address, choosing one the outline.
import { suggestAddresses } from "./address-suggest.js";
import { createMap, drawBoundaries, readJson } from "./map.js";

const element = document.getElementById("watch-map");
const field = document.getElementById("geometry");
if (element && field) {
  const map = createMap(element);
  drawBoundaries(map, readJson("boundaries"));
  const style = { className: "watch-area", color: "#c2410c", weight: 3, fillOpacity: 0.15 };
  let shape = null;

  map.pm.setLang(document.documentElement.lang || "en");  // Geoman's own words, in the page's language
  map.pm.addControls({
    position: "topleft", drawMarker: false, drawCircleMarker: false, drawPolyline: false, drawCircle: false,
    drawText: false, cutPolygon: false, rotateMode: false, drawPolygon: true, drawRectangle: true,
    editMode: true, dragMode: true, removalMode: true,
  });
  map.pm.setPathOptions(style);
  // Geoman's toolbar buttons are empty links with the name on their parent's title: give each
  // its name, so screen readers and voice control can say which tool it is.
  for (const button of element.querySelectorAll(".leaflet-buttons-control-button")) {
    const name = button.parentElement && button.parentElement.getAttribute("title");
    if (name && !button.getAttribute("aria-label")) button.setAttribute("aria-label", name);
  }

  const write = () => {
    field.value = shape ? JSON.stringify(shape.toGeoJSON().geometry) : "";
  };
  const keep = (layer) => {
    if (shape && shape !== layer) map.removeLayer(shape);
    shape = layer;
    shape.on("pm:edit pm:dragend", write);
    write();
  };

  // Around an address.
  const address = document.getElementById("address");
  const radius = document.getElementById("radius_m");
  const pointLat = document.getElementById("address_lat");
  const pointLng = document.getElementById("address_lng");
  let circle = null;
  const clearCircle = () => { if (circle) map.removeLayer(circle); circle = null; };
  const showCircle = ({ fit }) => {
    clearCircle();
    const centre = [parseFloat(pointLat.value), parseFloat(pointLng.value)];
    if (!address.value.trim() || !centre.every(Number.isFinite)) return;
    circle = L.circle(centre, { ...style, radius: Number(radius.value) }).addTo(map);
    if (fit) map.fitBounds(circle.getBounds(), { padding: [24, 24] });
  };
  const forgetOutline = () => {
    if (shape) map.removeLayer(shape);
    shape = null;
    write();
  };
  const forgetAddress = () => {
    address.value = pointLat.value = pointLng.value = "";
    clearCircle();
  };
  suggestAddresses({
    input: address,
    box: document.getElementById("address-suggestions"),
    onType: () => { pointLat.value = pointLng.value = ""; clearCircle(); },
    onChoose: (item) => {
      address.value = item.label;
      pointLat.value = String(item.lat);
      pointLng.value = String(item.lng);
      forgetOutline();
      showCircle({ fit: true });
    },
  });
  radius.addEventListener("change", () => showCircle({ fit: true }));

  map.on("pm:create", (event) => { forgetAddress(); keep(event.layer); });
  map.on("pm:remove", (event) => {
    if (event.layer === shape) {
      shape = null;
      write();
    }
  });

  const typedGeometry = (text) => {
    text = text.trim();
    if (!text) return null;
    if (text.startsWith("{")) return JSON.parse(text);
    const corners = text.split(/\n+/).map((line) => line.trim()).filter(Boolean).map((line) => {
      const [lat, lng] = line.split(/[\s,;]+/).filter(Boolean).map(Number);
      return [lng, lat];
    });
    if (corners.length < 3 || corners.flat().some((n) => !Number.isFinite(n))) return null;
    return { type: "Polygon", coordinates: [[...corners, corners[0]]] };
  };

  const showTyped = ({ fit }) => {
    let geometry = null;
    try { geometry = typedGeometry(field.value); } catch { return; }
    if (!geometry) return;
    if (shape) map.removeLayer(shape);
    shape = L.geoJSON(geometry, { style }).getLayers()[0];
    if (!shape) return;
    shape.addTo(map);
    shape.on("pm:edit pm:dragend", write);
    if (fit) map.fitBounds(shape.getBounds(), { padding: [24, 24] });
  };

  field.addEventListener("change", () => { if (field.value.trim()) forgetAddress(); showTyped({ fit: true }); });
  if (pointLat.value && pointLng.value) showCircle({ fit: true });  // the form shown again after an error
  else showTyped({ fit: true });  // an area being changed, or the form shown again after an error
}
