// Address suggestions while typing, the same wherever a place is found by its address (the
// report page, the watch-area page): after a short pause the typed text goes to
// GET /api/v1/addresses?q=, each suggestion becomes a button under the field, and choosing one
// calls `onChoose(item)`. Escape hides them. An answer that arrives after a newer question
// (typing on, or another lookup sharing `questions`) is dropped.

const PAUSE_MS = 250;
const MIN_CHARACTERS = 3;
const SHOWN = "6";

export async function getJson(path, params) {
  const response = await fetch(`${path}?${new URLSearchParams(params)}`, { headers: { Accept: "application/json" } });
  return response.ok ? response.json() : null;
}

// A counter of questions: `ask()` returns a check that is true while no newer question was asked.
export function questionCounter() {
  let asked = 0;
  return { ask() { const mine = ++asked; return () => mine === asked; } };
}

export function suggestAddresses({ input, box, onChoose, onType = () => {}, questions = questionCounter() }) {
  const list = box.querySelector("ul");
  let typing = null;
  const hide = () => { box.hidden = true; list.replaceChildren(); };
  const show = (items) => {
    list.replaceChildren(...items.map((item) => {
      const row = document.createElement("li");
      const button = row.appendChild(Object.assign(document.createElement("button"),
        { type: "button", className: "link-button", textContent: item.label }));
      button.addEventListener("click", () => { hide(); onChoose(item); input.focus(); });
      return row;
    }));
    box.hidden = items.length === 0;
  };
  input.addEventListener("input", () => {
    onType();
    clearTimeout(typing);
    if (input.value.trim().length < MIN_CHARACTERS) { hide(); return; }
    typing = setTimeout(async () => {
      const current = questions.ask();
      const found = await getJson("/api/v1/addresses", { q: input.value, per_page: SHOWN });
      if (found && current()) show(found.items);
    }, PAUSE_MS);
  });
  input.addEventListener("keydown", (event) => { if (event.key === "Escape") hide(); });
  return { hide };
}
