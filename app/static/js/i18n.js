// The page's words for its scripts, in the page's language: app/portal/script_words.py renders the
// translations of every gettext/ngettext call below app/static/js into <script id="i18n"> (base.html),
// and `make i18n` extracts these calls into the pages' catalogue. "{name}" takes values[name].
const node = document.getElementById("i18n");
const { words = {}, plurals = {}, pluralIndex = [] } = node ? JSON.parse(node.textContent) : {};

const fill = (text, values) =>
  text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));

export function gettext(message, values = {}) {
  return fill(words[message] || message, values);
}

export function ngettext(singular, plural, n, values = {}) {
  const forms = plurals[singular];
  const form = pluralIndex.length ? pluralIndex[n < pluralIndex.length ? n : 100 + (n % 100)] : Number(n !== 1);
  const text = forms ? forms[form] ?? forms[forms.length - 1] : n === 1 ? singular : plural;
  return fill(text, { n, ...values });
}
