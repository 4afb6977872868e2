"""The Pillow renderer: two WebP renditions of each supported image; hostile, broken and foreign
files refused before their pixels cost anything."""

import io
import struct
import time
import zlib

import pytest
from PIL import Image

from scloud_files.adapters.pillow_thumbnail import PillowThumbnailRenderer
from scloud_files.domain import Rendition, UnusableImage

renderer = PillowThumbnailRenderer(max_pixels=40_000_000)


def encoded(format_: str, size=(2000, 1000), mode="RGB") -> bytes:
    output = io.BytesIO()
    Image.new(mode, size, "red" if mode == "RGB" else 1).save(output, format=format_)
    return output.getvalue()


def png_claiming(width: int, height: int, pixels: bytes = b"") -> bytes:
    """A PNG whose header claims `width` × `height` over whatever (compressed) data follows."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b"")


# HEIF: a HEIC written by pillow-heif in the test itself (its opener, registered by the
# renderer's module, writes it too), so no image file comes from elsewhere.
@pytest.mark.parametrize("format_", ["JPEG", "PNG", "WEBP", "GIF", "HEIF"])
def test_each_supported_image_gets_both_renditions_as_webp(format_):
    renditions = renderer.render_blocking(encoded(format_))
    sizes = {rendition: Image.open(io.BytesIO(data)).size for rendition, data in renditions.items()}
    assert sizes == {Rendition.LARGE: (1280, 640), Rendition.SMALL: (256, 128)}
    assert {Image.open(io.BytesIO(data)).format for data in renditions.values()} == {"WEBP"}


def test_a_small_image_is_never_enlarged():
    renditions = renderer.render_blocking(encoded("PNG", size=(40, 30)))
    assert {Image.open(io.BytesIO(data)).size for data in renditions.values()} == {(40, 30)}


def test_a_png_claiming_100000_by_100000_pixels_is_refused_before_decoding():
    started = time.monotonic()
    with pytest.raises(UnusableImage):
        renderer.render_blocking(png_claiming(100_000, 100_000))
    # Refused from the header: nowhere near the time 10^10 pixels would take.
    assert time.monotonic() - started < 5


def test_a_decompression_bomb_is_refused():
    # 9000 × 9000 grey pixels of zeros: 81 MB decoded from about 80 KB.
    bomb = png_claiming(9000, 9000, b"\0" * (9001 * 9000))
    assert len(bomb) < 200_000
    with pytest.raises(UnusableImage):
        renderer.render_blocking(bomb)


@pytest.mark.parametrize(
    "source",
    [
        encoded("JPEG")[:300],
        encoded("PNG")[:100],
        b"",
        b"%PDF-1.7 not an image",
        encoded("TIFF"),
        encoded("BMP"),
    ],
    ids=["truncated-jpeg", "truncated-png", "empty", "pdf", "tiff", "bmp"],
)
def test_broken_and_unsupported_files_are_refused(source):
    with pytest.raises(UnusableImage):
        renderer.render_blocking(source)
