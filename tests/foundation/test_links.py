"""A batch's links built once (`page_url_filler`) are the links `page_url` builds, value by value."""

import pytest

from app.links import page_url, page_url_filler
from emails.tokens import make_reply_token

VALUES = [make_reply_token(n, "secret", purpose) for n in (1, 77, 10**12) for purpose in ("reply-token", "unsubscribe")]
ODD = ["a b", "a/b?c=d&e", "ünï", "%41", "~page-url-value~", "x#y"]


@pytest.mark.parametrize("page", ["unsubscribe", "one_click_unsubscribe", "confirm_email", "invitation"])
def test_a_filled_link_is_the_link_page_url_builds(page):
    fill = page_url_filler(page, "token")
    for value in VALUES + ODD:
        assert fill(value) == page_url(page, token=value), value


def test_a_filler_keeps_the_other_values_of_the_link():
    fill = page_url_filler("staff_request", "org", request_id=42)
    assert fill("springfield") == page_url("staff_request", org="springfield", request_id=42)
