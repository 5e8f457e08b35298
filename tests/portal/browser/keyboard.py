"""Moving through a page with the keyboard alone, as people who cannot use a pointer do."""

from __future__ import annotations

MAX_TABS = 60


def focused(page) -> str:
    """The focused element, as "tag#id" and its accessible-ish text."""
    return page.evaluate("""() => { const e = document.activeElement;
        return `${e.tagName.toLowerCase()}#${e.id}|${(e.getAttribute('aria-label') || e.textContent || e.value || '').trim()}`; }""")


def tab_to(page, matches, *, back: bool = False) -> list[str]:
    """Press Tab until the focused element satisfies `matches`; the stops on the way, in order."""
    stops = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        stops.append(focused(page))
        if matches(stops[-1]):
            return stops
    raise AssertionError(f"never reached by Tab; focus went through {stops}")
