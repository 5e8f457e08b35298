// The unread-notifications badge in the header follows the count without a page reload; a
// polite live region beside it tells screen-reader users when new notifications arrive.
// When the user turned the alert on (data-alert="on", from their preferences), a new
// notification also plays a short ping and shows a browser notification (OneDesk's ping).
// The browser's permission is asked for only after a click: browsers refuse (or should)
// permission prompts nobody asked for.
import { ngettext } from "./i18n.js";

const badge = document.getElementById("unread-badge");
const live = document.getElementById("unread-live");
const EVERY_MS = Math.max(Number(badge?.dataset.pollMs || 20000), 250);
const alerting = badge?.dataset.alert === "on";
let known = Number(badge?.firstChild.textContent || 0);
let audio = null;

function ping() {
  // A short tone made by the page itself: no sound file to fetch, nothing from outside.
  audio = audio || new AudioContext();
  const tone = audio.createOscillator();
  const volume = audio.createGain();
  tone.frequency.value = 880;
  volume.gain.setValueAtTime(0.15, audio.currentTime);
  volume.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
  tone.connect(volume).connect(audio.destination);
  tone.start();
  tone.stop(audio.currentTime + 0.4);
  document.documentElement.dataset.lastPing = String(Date.now());
}

const unreadText = (count) => ngettext("{n} unread notification", "{n} unread notifications", count);

function notify(count) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const shown = new Notification("Civic 311", { body: unreadText(count), tag: "unread" });
  shown.onclick = () => { window.focus(); window.location.href = "/notifications"; };
}

async function refresh() {
  const response = await fetch(badge.dataset.url, { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const { count } = await response.json();
  if (live && count > known) live.textContent = unreadText(count);
  badge.firstChild.textContent = String(count);
  badge.hidden = count === 0;
  if (alerting && count > known) {
    try { ping(); } catch { /* no audio output: the badge still shows it */ }
    notify(count);
  }
  known = count;
}

if (badge) {
  setInterval(() => { if (!document.hidden) refresh(); }, EVERY_MS);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
  if (alerting) {
    document.addEventListener("click", () => {
      // The first click also unlocks audio, which browsers keep silent until the user acts.
      audio = audio || new AudioContext();
      if ("Notification" in window && Notification.permission === "default") Notification.requestPermission();
    }, { once: true });
  }
}
