"""Reply and unsubscribe tokens: the fast base32 writes exactly what the standard library does."""

import base64
import random

from emails.tokens import _b32, make_reply_token, read_reply_token


def test_the_tokens_base32_is_the_standard_librarys_unpadded_and_lowercase():
    draw = random.Random(15)
    for length in range(0, 33):
        for _ in range(50):
            data = draw.randbytes(length)
            assert _b32(data) == base64.b32encode(data).decode().rstrip("=").lower(), data


def test_a_token_names_its_delivery_and_nothing_else():
    for delivery_id in (1, 77, 255, 256, 10**12):
        token = make_reply_token(delivery_id, "secret")
        assert read_reply_token(token, "secret") == delivery_id
        assert read_reply_token(token, "another secret") is None
        assert read_reply_token(token, "secret", purpose="unsubscribe") is None
