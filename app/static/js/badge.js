// The unread-notifications badge in the header follows the count without a page reload.
const badge = document.getElementById("unread-badge");
const EVERY_MS = Math.max(Number(badge?.dataset.pollMs || 20000), 250);

async function refresh() {
  const response = await fetch(badge.dataset.url, { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const { count } = await response.json();
  badge.firstChild.textContent = String(count);
  badge.hidden = count === 0;
}

if (badge) {
  setInterval(() => { if (!document.hidden) refresh(); }, EVERY_MS);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
}
