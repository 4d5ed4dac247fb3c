"""The page image an EDC carries per display language (``displayDetail.image``): a small PNG drawn with Pillow.

A cohort draws thousands of pages that differ only in the learner's name, the facts line and the credential id, so
the page is encoded in horizontal bands: the bands without the learner are drawn, quantized and deflated once per
specification and language (``_Page``), the facts line once per cohort day and language, and each EDC draws and
deflates only its own two bands (the name, the credential id), once for all its languages. zlib streams compressed
with a full flush are independent, so the PNG's one zlib stream is the cached pieces and the row's pieces joined in
order (its Adler-32 combined from theirs). The pixels are exactly those of the page drawn whole.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from app.credentials.microcredential import IssuedMicroCredential, LangMap

SIZE = (1240, 877)  # A4 landscape at ~105 dpi
MARGIN = 80
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
INK = 0
MUTED = 110
RULE = 190
MAX_OUTCOME_LINES = 8

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


NAME_LINES = 2  # a longer name is cut: the page keeps a fixed layout so its learner-free part is drawn once
# 16 grey levels are plenty for anti-aliased text on white, and a 4-bit PNG is half the bytes to deflate.
_TO_4_BITS = [value * 15 // 255 for value in range(256)]
_GREYS = bytes(level * 17 for level in range(16) for _ in range(3))
_ROW_BYTES = (SIZE[0] + 1) // 2  # a 4-bit scanline, without its filter byte
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ADLER_BASE = 65521


_Deflated = tuple[bytes, int, int]  # a band's scanlines as raw deflate (ending in a full flush), Adler-32, length


@dataclass(frozen=True)
class _Page:
    """A page without the learner: where the learner's band starts, and the three bands around the learner's two
    (above the name, between the facts line and the credential id, below the id) deflated."""

    name_y: int
    fixed: tuple[_Deflated, ...]


def render_display_images(record: IssuedMicroCredential) -> dict[str, bytes]:
    """One PNG per language of the spec's title, in the title's order (primary language first)."""
    # The learner's name and the credential id are the same in every language: drawn and deflated once per row, at
    # the fastest level (they are a few kilobytes; the cached bands around them carry most of the page).
    name = _frame(_learner_height())
    facts_y = _text(ImageDraw.Draw(name), 0, record.learner.full_name, _font(34), INK, _width(), max_lines=NAME_LINES)
    facts_y += 16
    name_band = _deflated(name.crop((0, 0, SIZE[0], facts_y)), level=1)
    foot = _frame(_line_height(_font(18)))
    edc_id = f"urn:credential:{uuid.UUID(record.credential_id)}"
    ImageDraw.Draw(foot).text((MARGIN, 0), edc_id, font=_font(18), fill=MUTED)
    deflated_foot = _deflated(foot, level=1)
    return {language: _render(record, language, name_band, facts_y, deflated_foot) for language in record.spec.title}


def _render(record: IssuedMicroCredential, language: str, name: _Deflated, facts_y: int, foot: _Deflated) -> bytes:
    spec = record.spec
    awarding = ", ".join(_pick(org.name, language) for org in spec.awarding_bodies)
    outcomes = tuple(_pick(outcome.title, language) for outcome in record.achieved_outcomes[:MAX_OUTCOME_LINES])
    page = _page(awarding, _pick(spec.title, language), outcomes)
    facts = [record.issued_at.date().isoformat()]
    if spec.eqf_level is not None:
        facts.append(f"EQF {_pick(spec.eqf_level.label, language)}")
    if spec.ects_credits is not None:
        facts.append(f"{spec.ects_credits:g} ECTS")
    if spec.workload_hours is not None:
        facts.append(f"{spec.workload_hours:g} h")
    first, middle, last = page.fixed
    return _png([first, name, _facts_band("  ·  ".join(facts), facts_y), middle, foot, last])


@lru_cache(maxsize=64)
def _page(awarding: str, title: str, outcomes: tuple[str, ...]) -> _Page:
    """The page without the learner (once per specification, language and achieved outcomes), its bands without
    the learner deflated."""
    image = _blank().copy()
    draw = ImageDraw.Draw(image)
    width = _width()
    y = _text(draw, MARGIN, awarding, _font(26, bold=True), MUTED, width)
    name_y = _text(draw, y + 24, title, _font(44, bold=True), INK, width) + 12
    y = name_y + _learner_height()
    draw.line((MARGIN, y + 20, SIZE[0] - MARGIN, y + 20), fill=RULE, width=2)
    y += 40
    body = _font(22)
    foot = SIZE[1] - MARGIN
    for outcome in outcomes:
        room = (foot - 8 - y) // _line_height(body)  # outcomes stop above the credential id
        if room < 1:
            break
        y = _text(draw, y, f"• {outcome}", body, INK, width, max_lines=room)
    edges = [0, name_y, name_y + _learner_height(), foot, foot + _line_height(_font(18)), SIZE[1]]
    fixed = tuple(_deflated(image.crop((0, edges[i], SIZE[0], edges[i + 1])), level=9) for i in range(0, len(edges), 2))
    return _Page(name_y, fixed)


@cache
def _blank() -> Image.Image:
    """The page's frame on white (greyscale: the page is black on white)."""
    image = Image.new("L", SIZE, 255)
    ImageDraw.Draw(image).rectangle((24, 24, SIZE[0] - 25, SIZE[1] - 25), outline=RULE, width=3)
    return image


def _frame(height: int) -> Image.Image:
    """A band of ``height`` rows of the empty page between its top and bottom edges: white, the frame's sides."""
    middle = SIZE[1] // 2
    return _blank().crop((0, middle, SIZE[0], middle + height))


@cache
def _learner_height() -> int:
    """The learner's band: the name (up to NAME_LINES lines), then the facts line."""
    return NAME_LINES * _line_height(_font(34)) + 16 + _line_height(_font(24))


@lru_cache(maxsize=256)
def _facts_band(text: str, top: int) -> _Deflated:
    """The rest of the learner's band from ``top`` (below the name, which takes one line or two): the facts line,
    the same for a whole cohort (date, EQF level, credits, hours), deflated once."""
    band = _frame(_learner_height() - top)
    _text(ImageDraw.Draw(band), 0, text, _font(24), MUTED, _width(), max_lines=1)
    return _deflated(band, level=9)


def _deflated(band: Image.Image, *, level: int = 6) -> _Deflated:
    """A band's 4-bit scanlines (filter None) as raw deflate ending in a full flush, with their Adler-32 and length."""
    packed = band.point(_TO_4_BITS).tobytes("raw", "L;4")
    raw = b"".join(b"\x00" + packed[start : start + _ROW_BYTES] for start in range(0, len(packed), _ROW_BYTES))
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(raw) + compressor.flush(zlib.Z_FULL_FLUSH), zlib.adler32(raw), len(raw)


def _png(bands: list[_Deflated]) -> bytes:
    """A 4-bit grey-palette PNG whose image data is ``bands``, top to bottom."""
    checksum = 1
    for _data, adler, length in bands:
        checksum = _adler32_combine(checksum, adler, length)
    stream = b"".join([b"\x78\x9c", *(data for data, _, _ in bands), b"\x03\x00", struct.pack(">I", checksum)])
    header = struct.pack(">IIBBBBB", SIZE[0], SIZE[1], 4, 3, 0, 0, 0)  # 4 bits, palette, deflate, filters, no interlace
    return b"".join(
        [
            _PNG_SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"PLTE", _GREYS),
            _chunk(b"IDAT", stream),
            _chunk(b"IEND", b""),
        ]
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))


def _adler32_combine(first: int, second: int, second_length: int) -> int:
    """The Adler-32 of two byte strings one after the other, from theirs (zlib's adler32_combine)."""
    remainder = second_length % _ADLER_BASE
    low = (first & 0xFFFF) + (second & 0xFFFF) + _ADLER_BASE - 1
    high = remainder * (first & 0xFFFF) + (first >> 16) + (second >> 16) + _ADLER_BASE - remainder
    return (high % _ADLER_BASE) << 16 | low % _ADLER_BASE


def _width() -> int:
    return SIZE[0] - 2 * MARGIN


def _text(
    draw: ImageDraw.ImageDraw, y: int, text: str, font: Font, fill: int, width: int, *, max_lines: int = 0
) -> int:
    """Draw ``text`` word-wrapped to ``width`` pixels from ``y`` (at most ``max_lines``, if given, the last one
    ending in "…" when cut); return the y below it."""
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if max_lines and len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1] + " …"]
    line_height = _line_height(font)
    for line in lines:
        draw.text((MARGIN, y), line, font=font, fill=fill)
        y += line_height
    return y


def _line_height(font: Font) -> int:
    top, bottom = font.getbbox("Hg")[1::2]
    return int((bottom - top) * 1.35) + 1


def _pick(text: LangMap, language: str) -> str:
    """The text in ``language``, else in the first language given (the spec's primary language)."""
    return text.get(language) or next(iter(text.values()))


@cache
def _font(size: int, *, bold: bool = False) -> Font:
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.is_file():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)
