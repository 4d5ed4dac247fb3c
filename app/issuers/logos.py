"""Turn an uploaded logo (PNG or SVG) into a bounded, inert PNG: the only form a logo is ever stored or served in.

SVG is a document format that can hold scripts, event handlers, links to other resources and embedded HTML
(``<foreignObject>``). Rather than sanitising it (and trusting every browser, wallet and e-mail client that later
renders it), an SVG is rasterised once, at upload, by CairoSVG in its safe mode: XML entities and external
resources are refused, nothing is fetched, and no script can run because the result is pixels. PNGs are decoded
and encoded again with Pillow, which drops any ancillary chunks (text, metadata) and bounds the size. Certificates
(ReportLab), wallets and pages then all get the same PNG.
"""

from __future__ import annotations

import io
import re
import warnings

import cairosvg
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from PIL import Image, UnidentifiedImageError

from app.errors import InvalidInput, TooLarge

MAX_LOGO_BYTES = 256 * 1024
# The stored PNG fits in this square: plenty for a page header, a certificate and a wallet card.
BOX = 512
# Larger PNGs are refused before they are decoded (a small file can declare a huge canvas).
MAX_SOURCE_PIXELS = 4096 * 4096
MAX_ASPECT = 8.0
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
_NUMBER = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$")
FIELD = "logo"


def _refuse(detail: str) -> InvalidInput:
    return InvalidInput(detail, field=FIELD)


MEDIA_TYPES = ("image/png", "image/svg+xml")


def safe_logo(data: bytes, media_type: str) -> bytes:
    """The logo (``media_type`` image/png or image/svg+xml) as a PNG of at most ``BOX`` x ``BOX`` pixels;
    ``TooLarge`` over ``MAX_LOGO_BYTES``, ``InvalidInput`` for anything that is not the image it says it is."""
    if len(data) > MAX_LOGO_BYTES:
        raise TooLarge(f"the logo is {len(data)} bytes; at most {MAX_LOGO_BYTES}", field=FIELD)
    if not data:
        raise _refuse("the request body is empty: send the PNG or SVG file itself")
    if media_type == "image/png":
        if not data.startswith(PNG_SIGNATURE):
            raise _refuse("the body is not a PNG image (it lacks the PNG signature)")
        return _from_png(data)
    if media_type == "image/svg+xml":
        return _from_svg(data)
    wanted = " or ".join(MEDIA_TYPES)
    raise InvalidInput(f"send the logo as {wanted}, not {media_type or 'no type'}", field="Content-Type")


def _fit(width: float, height: float) -> tuple[int, int]:
    if width <= 0 or height <= 0:
        raise _refuse("the image has no size")
    if max(width / height, height / width) > MAX_ASPECT:
        raise _refuse(f"the image is {width:g} x {height:g}: a logo is at most {MAX_ASPECT:g} times as wide as high")
    scale = BOX / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _from_png(data: bytes) -> bytes:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data), formats=["PNG"])
            if image.width * image.height > MAX_SOURCE_PIXELS:
                raise _refuse(f"the PNG is {image.width} x {image.height} pixels; at most {MAX_SOURCE_PIXELS} pixels")
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as error:
        raise _refuse(f"not a readable PNG image ({error})") from None
    width, height = image.size
    if max(width, height) > BOX:
        image = image.resize(_fit(width, height), Image.Resampling.LANCZOS)
    else:
        _fit(width, height)  # the aspect rule holds for small images too
    return _png(image.convert("RGBA"))


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _length(value: str | None) -> float | None:
    match = _NUMBER.match(value or "")
    return float(match.group(1)) if match else None


def _svg_size(data: bytes) -> tuple[float, float]:
    """The SVG's intrinsic size, from its viewBox or its plain width and height: it decides the raster's size, so
    a declared huge canvas cannot make a huge raster."""
    try:
        root = ElementTree.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as error:
        raise _refuse(f"not a PNG, and not a well-formed SVG document ({error})") from None
    if root.tag != f"{SVG_NAMESPACE}svg":
        raise _refuse("not a PNG, and not an SVG document (the root element must be <svg> in the SVG namespace)")
    view_box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(view_box) == 4:
        try:
            return float(view_box[2]), float(view_box[3])
        except ValueError:
            raise _refuse("the SVG's viewBox is not four numbers") from None
    width, height = _length(root.get("width")), _length(root.get("height"))
    if width is None or height is None:
        raise _refuse("the SVG needs a viewBox (or a width and height in pixels)")
    return width, height


def _from_svg(data: bytes) -> bytes:
    width, height = _fit(*_svg_size(data))
    try:
        rendered = cairosvg.svg2png(bytestring=data, output_width=width, output_height=height, unsafe=False)
    except Exception as error:  # CairoSVG raises many kinds on bad input; each means "cannot be drawn"
        raise _refuse(f"the SVG cannot be drawn ({type(error).__name__})") from None
    assert isinstance(rendered, bytes)
    return _from_png(rendered)
