// Reporting on the map: a click, a chosen address suggestion (or typed coordinates) places the
// pin, and the categories of the organizations serving that point replace the category list;
// a click also fills in the nearest address. Without this script the form still works: "Find
// this address" and "Show the categories for this place" ask the server.
import { getJson, questionCounter, suggestAddresses } from "./address-suggest.js";
import { gettext } from "./i18n.js";
import { createMap, drawBoundaries, readJson } from "./map.js";

const element = document.getElementById("report-map");
const form = document.getElementById("report-form");
if (element && form) {
  const lat = form.querySelector("#lat");
  const lng = form.querySelector("#lng");
  const select = form.querySelector("#category_id");
  const serving = document.getElementById("serving");
  const map = createMap(element);
  drawBoundaries(map, readJson("boundaries"));
  let pin = null;
  const element_ = (tag, props = {}) => Object.assign(document.createElement(tag), props);

  const place = (latlng, { pan = false } = {}) => {
    if (!pin) {
      pin = L.marker(latlng, { draggable: true, keyboard: true, title: gettext("The problem is here") }).addTo(map);
      pin.on("dragend", () => { choose(pin.getLatLng()); fillAddress(pin.getLatLng()); });
    } else {
      pin.setLatLng(latlng);
    }
    if (pan) map.panTo(latlng);
  };

  const fillCategories = (organizations) => {
    const previous = select.value;
    select.replaceChildren(new Option(gettext("Choose…"), ""));
    const several = organizations.length > 1;
    for (const org of organizations) {
      const parent = several ? select.appendChild(document.createElement("optgroup")) : select;
      if (several) parent.label = org.name;
      for (const category of org.categories) parent.append(new Option(category.name, String(category.id)));
    }
    if ([...select.options].some((option) => option.value === previous)) select.value = previous;
    serving.textContent = organizations.length
      ? gettext("Handled by {organizations}.", { organizations: organizations.map((org) => org.name).join(", ") })
      : gettext("No organization serves this place. Choose a point inside a service area.");
    select.disabled = organizations.length === 0;
  };

  // "Is it one of these?": open requests of the chosen category near the point, each with a
  // "me too" form (the same form the server draws; the page's CSRF token goes with it).
  const nearby = document.getElementById("nearby");
  const nearbyList = document.getElementById("nearby-list");
  const csrf = form.querySelector("input[name=csrf_token]");
  const offerNearby = async () => {
    if (!nearby || !select.value || !lat.value || !lng.value) {
      if (nearby) nearby.hidden = true;
      return;
    }
    const query = new URLSearchParams({ lat: lat.value, lng: lng.value, category_id: select.value });
    const response = await fetch(`/api/v1/requests/nearby?${query}`, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const found = (await response.json()).items;
    nearbyList.replaceChildren(...found.map(({ request, distance_m: metres }) => {
      const item = element_("li", { className: "nearby-item" });
      const text = request.description.length > 80 ? `${request.description.slice(0, 77)}...` : request.description;
      item.append(element_("a", { href: `/requests/${request.id}`, textContent: text }), " ",
        element_("span", { className: "meta", textContent: gettext("{metres} m away · {count} “me too”", { metres: Math.round(metres), count: request.support_count }) }));
      const support = item.appendChild(element_("form", { method: "post", action: `/requests/${request.id}/support`, className: "inline" }));
      if (csrf) support.append(element_("input", { type: "hidden", name: "csrf_token", value: csrf.value }));
      support.append(element_("button", { type: "submit", className: "button small", textContent: gettext("This is it: me too") }));
      return item;
    }));
    nearby.hidden = found.length === 0;
  };

  const lookUp = async (latlng) => {
    const query = new URLSearchParams({ lat: latlng.lat.toFixed(6), lng: latlng.lng.toFixed(6), per_page: "100" });
    const response = await fetch(`/api/v1/organizations?${query}`, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    fillCategories((await response.json()).items);
    offerNearby();
  };

  const choose = (latlng) => {
    lat.value = latlng.lat.toFixed(6);
    lng.value = latlng.lng.toFixed(6);
    place(latlng);
    lookUp(latlng);
  };

  // Addresses: suggestions while typing, "Find this address", and a clicked point's address.
  const address = form.querySelector("#address");
  const findButton = document.getElementById("find-address");
  let autoFilled = null; // the label this script wrote last: a typed address is never overwritten
  const lookups = questionCounter(); // a suggestion's answer and a click's address: the newest wins

  const useAddress = (item) => {
    address.value = item.label;
    autoFilled = item.label;
    suggestions.hide();
    const latlng = L.latLng(item.lat, item.lng);
    choose(latlng);
    map.setView(latlng, Math.max(map.getZoom(), 16));
  };
  const suggestions = suggestAddresses({
    input: address, box: document.getElementById("address-suggestions"), onChoose: useAddress, questions: lookups,
  });
  findButton.addEventListener("click", async (event) => {
    event.preventDefault();
    const q = address.value.trim();
    const found = q ? await getJson("/api/v1/addresses", { q, per_page: "1" }) : null;
    if (found && found.items.length) useAddress(found.items[0]);
    else serving.textContent = gettext("No address found like this. Check the spelling, or choose the point on the map.");
  });
  const fillAddress = async (latlng) => {
    const current = lookups.ask();
    const found = await getJson("/api/v1/addresses/reverse", { lat: latlng.lat.toFixed(6), lng: latlng.lng.toFixed(6) });
    if (!found || !current()) return;
    if (!address.value.trim() || address.value === autoFilled) {
      address.value = found.label;
      autoFilled = found.label;
    }
  };

  map.on("click", (event) => { choose(event.latlng); fillAddress(event.latlng); });

  // The chosen category's questions, drawn as the server draws them (resident/_questions.html).
  const questions = document.getElementById("questions");
  const drawQuestion = (q) => {
    const name = `answers.${q.code}`;
    const label = q.required ? gettext("{question} (required)", { question: q.description }) : q.description;
    const field = element_("div", { className: "field" });
    if (q.datatype === "multivaluelist") {
      const set = field.appendChild(element_("fieldset"));
      set.append(element_("legend", { textContent: label }));
      q.values.forEach((v, i) => {
        const row = set.appendChild(element_("div", { className: "field-check" }));
        row.append(element_("input", { type: "checkbox", id: `q-${q.code}-${i + 1}`, name, value: v.key }),
          element_("label", { htmlFor: `q-${q.code}-${i + 1}`, textContent: v.name }));
      });
      return field;
    }
    field.append(element_("label", { htmlFor: `q-${q.code}`, textContent: label }));
    let input;
    if (q.datatype === "singlevaluelist") {
      input = element_("select", { id: `q-${q.code}`, name });
      input.append(new Option(gettext("Choose…"), ""), ...q.values.map((v) => new Option(v.name, v.key)));
    } else if (q.datatype === "text") {
      input = element_("textarea", { id: `q-${q.code}`, name, rows: 3 });
    } else {
      const type = { number: "number", datetime: "datetime-local" }[q.datatype] || "text";
      input = element_("input", { id: `q-${q.code}`, name, type });
      if (type === "number") input.step = "any";
    }
    field.append(input);
    return field;
  };
  select.addEventListener("change", async () => {
    offerNearby();
    questions.replaceChildren();
    if (!select.value) return;
    const response = await fetch(`/api/v1/categories/${select.value}`, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const category = await response.json();
    questions.replaceChildren(...category.questions.map(drawQuestion));  // the server's answerable questions
  });

  const typed = () => {
    const latlng = L.latLng(parseFloat(lat.value), parseFloat(lng.value));
    if (Number.isFinite(latlng.lat) && Number.isFinite(latlng.lng)) {
      place(latlng, { pan: true });
      lookUp(latlng);
    }
  };
  lat.addEventListener("change", typed);
  lng.addEventListener("change", typed);
  if (lat.value && lng.value) place(L.latLng(parseFloat(lat.value), parseFloat(lng.value)), { pan: true });
}
