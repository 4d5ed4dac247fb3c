"""The page image an EDC carries per display language (``displayDetail.image``): a small PNG drawn with Pillow."""

from __future__ import annotations

import io
import uuid
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
# 16 grey levels are plenty for anti-aliased text on white, and a 4-bit PNG compresses in a third of the time.
_TO_4_BITS = [value * 15 // 255 for value in range(256)]
_GREYS = [level * 17 for level in range(16) for _ in range(3)]


def render_display_images(record: IssuedMicroCredential) -> dict[str, bytes]:
    """One PNG per language of the spec's title, in the title's order (primary language first)."""
    return {language: _render(record, language) for language in record.spec.title}


def _render(record: IssuedMicroCredential, language: str) -> bytes:
    spec = record.spec
    awarding = ", ".join(_pick(org.name, language) for org in spec.awarding_bodies)
    outcomes = tuple(_pick(outcome.title, language) for outcome in record.achieved_outcomes[:MAX_OUTCOME_LINES])
    base, name_y = _base(awarding, _pick(spec.title, language), outcomes)
    image = base.copy()
    draw = ImageDraw.Draw(image)
    width = SIZE[0] - 2 * MARGIN
    y = _text(draw, name_y, record.learner.full_name, _font(34), INK, width, max_lines=NAME_LINES)
    facts = [record.issued_at.date().isoformat()]
    if spec.eqf_level is not None:
        facts.append(f"EQF {_pick(spec.eqf_level.label, language)}")
    if spec.ects_credits is not None:
        facts.append(f"{spec.ects_credits:g} ECTS")
    if spec.workload_hours is not None:
        facts.append(f"{spec.workload_hours:g} h")
    _text(draw, y + 16, "  ·  ".join(facts), _font(24), MUTED, width, max_lines=1)
    edc_id = f"urn:credential:{uuid.UUID(record.credential_id)}"
    draw.text((MARGIN, SIZE[1] - MARGIN), edc_id, font=_font(18), fill=MUTED)
    return _png(image)


@lru_cache(maxsize=64)
def _base(awarding: str, title: str, outcomes: tuple[str, ...]) -> tuple[Image.Image, int]:
    """The page without the learner (once per specification, language and achieved outcomes), and where the
    learner's name goes."""
    image = Image.new("L", SIZE, 255)  # greyscale: the page is black on white
    draw = ImageDraw.Draw(image)
    width = SIZE[0] - 2 * MARGIN
    draw.rectangle((24, 24, SIZE[0] - 25, SIZE[1] - 25), outline=RULE, width=3)
    y = _text(draw, MARGIN, awarding, _font(26, bold=True), MUTED, width)
    name_y = _text(draw, y + 24, title, _font(44, bold=True), INK, width) + 12
    y = name_y + NAME_LINES * _line_height(_font(34)) + 16 + _line_height(_font(24))
    draw.line((MARGIN, y + 20, SIZE[0] - MARGIN, y + 20), fill=RULE, width=2)
    y += 40
    body = _font(22)
    for outcome in outcomes:
        y = _text(draw, y, f"• {outcome}", body, INK, width)
        if y > SIZE[1] - MARGIN - 40:
            break
    return image, name_y


def _png(image: Image.Image) -> bytes:
    """A 4-bit greyscale-palette PNG (zlib level 6: this runs for every EDC of a cohort)."""
    levels = image.point(_TO_4_BITS)
    paletted = Image.frombytes("P", levels.size, levels.tobytes())
    paletted.putpalette(_GREYS)
    buffer = io.BytesIO()
    paletted.save(buffer, format="PNG", compress_level=6, bits=4)
    return buffer.getvalue()


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
