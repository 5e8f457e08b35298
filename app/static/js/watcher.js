// The Inbound Message Watcher keeps its counts fresh without a reload.
const widget = document.getElementById("inbound-watcher");
const EVERY_MS = Number(widget?.dataset.pollMs || 30000);

async function refresh() {
  const response = await fetch(widget.dataset.countsUrl, { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const counts = await response.json();
  for (const [name, value] of Object.entries(counts)) {
    const node = widget.querySelector(`[data-count="${name}"]`);
    if (node) node.textContent = String(value);
  }
}

if (widget) setInterval(() => { if (!document.hidden) refresh(); }, EVERY_MS);
