"""QR codes (PNG and SVG) that link to a credential's verification page."""

from __future__ import annotations

import io

import qrcode
import qrcode.constants
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathFillImage

# Q recovers ~25% damage: printed certificates get folded, stamped and photocopied.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_Q
# The quiet zone of 4 modules the QR specification requires; scanners fail more often without it.
BORDER = 4


def build_qr(url: str, error_correction: int = ERROR_CORRECTION) -> qrcode.QRCode:
    """The QR code for ``url``, smallest version that fits; the same URL always gives the same modules."""
    code = qrcode.QRCode(version=None, error_correction=error_correction, border=BORDER)
    code.add_data(url)
    code.make(fit=True)
    return code


def qr_png(url: str, box_size: int = 8, *, on_screen: bool = False) -> bytes:
    """A black-on-white PNG of the QR code for ``url``: ``box_size`` pixels a module, quiet zone included.
    ``on_screen``: a code only ever shown on a screen (nothing folds or stains it) recovers ~7% damage instead of
    ~25%, for fewer, larger modules - what a long link (an OpenID4VP request by value) needs to scan well."""
    code = build_qr(url, qrcode.constants.ERROR_CORRECT_L if on_screen else ERROR_CORRECTION)
    code.box_size = box_size
    image = code.make_image(image_factory=PilImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def qr_svg(url: str) -> bytes:
    """A standalone SVG document (one path, scalable) of the QR code for ``url``, quiet zone included."""
    # SvgPathImage with a white background: the quiet zone must stay light on a dark page or screen.
    image = build_qr(url).make_image(image_factory=SvgPathFillImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()
