"""axe-core in the page under test: WCAG 2.1 A and AA rules, serious and critical findings fail.

axe-core is vendored by scripts/vendor_assets.sh into app/static/vendor/axe-core/ and loaded
from the app's own origin, so the pages' Content-Security-Policy (`script-src 'self'`) allows it.
"""

from __future__ import annotations

AXE_URL = "/static/vendor/axe-core/axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")

_RUN = """async (tags) => {
  const result = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: " + (n.failureSummary || "").split("\\n").slice(1, 2).join("")),
  }));
}"""


def violations(page) -> list[dict]:
    """The serious and critical WCAG 2.1 AA violations axe-core finds in the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    found = page.evaluate(_RUN, WCAG_21_AA)
    return [v for v in found if v["impact"] in FAILING_IMPACTS]


def assert_accessible(page, where: str = "") -> None:
    """Fail with a readable list when axe-core finds a serious or critical violation."""
    found = violations(page)
    assert not found, f"accessibility violations on {where or page.url}:\n" + "\n".join(
        f"  [{v['impact']}] {v['id']}: {v['help']}\n" + "\n".join(f"      {n}" for n in v["nodes"]) for v in found)
