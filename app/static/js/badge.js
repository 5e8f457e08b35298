// The unread-notifications badge in the header follows the count without a page reload; a
// polite live region beside it tells screen-reader users when new notifications arrive.
const badge = document.getElementById("unread-badge");
const live = document.getElementById("unread-live");
const EVERY_MS = Math.max(Number(badge?.dataset.pollMs || 20000), 250);

async function refresh() {
  const response = await fetch(badge.dataset.url, { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const { count } = await response.json();
  const before = Number(badge.firstChild.textContent) || 0;
  if (live && count > before) live.textContent = count === 1 ? "1 unread notification" : `${count} unread notifications`;
  badge.firstChild.textContent = String(count);
  badge.hidden = count === 0;
}

if (badge) {
  setInterval(() => { if (!document.hidden) refresh(); }, EVERY_MS);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
}
