"""Small generated PNG pictures for the demo's photos and mail attachments (no binary files kept)."""

from __future__ import annotations

import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def striped_png(colour: tuple[int, int, int], width: int = 160, height: int = 120) -> bytes:
    """A PNG of `colour` with darker diagonal stripes: recognisable, and different per colour."""
    dark = tuple(c // 2 for c in colour)
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        for x in range(width):
            rows.extend(dark if (x + y) // 12 % 2 else colour)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + _chunk(b"IEND", b""))
