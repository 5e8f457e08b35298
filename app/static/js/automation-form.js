// Progressive enhancement of the automation form: each action row shows only the fields of its type.
// Without this script every field shows, and the server reads only those of the chosen type.
for (const row of document.querySelectorAll("[data-action-row]")) {
  const type = row.querySelector("select[name$='-type']");
  const show = () => {
    for (const part of row.querySelectorAll("[data-for]")) {
      part.hidden = part.dataset.for !== type.value;
    }
  };
  type.addEventListener("change", show);
  show();
}
