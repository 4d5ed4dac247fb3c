"""EDC page images: encoded in bands (the learner-free ones once per page), yet exactly the page drawn whole."""

from __future__ import annotations

import dataclasses
import io
import struct
import zlib

from PIL import Image, ImageDraw

from app.credentials import edc_display as display
from app.credentials.microcredential import IssuedMicroCredential, LearningOutcome
from tests.microcredential_samples import sample_record

WIDTH, HEIGHT = display.SIZE


def _drawn_whole(record: IssuedMicroCredential, language: str) -> list[int]:
    """The page drawn in one piece with Pillow, as the layout says, quantized to 16 greys (the reference)."""
    spec = record.spec
    image = Image.new("L", display.SIZE, 255)
    draw = ImageDraw.Draw(image)
    width = WIDTH - 2 * display.MARGIN
    draw.rectangle((24, 24, WIDTH - 25, HEIGHT - 25), outline=display.RULE, width=3)
    awarding = ", ".join(display._pick(org.name, language) for org in spec.awarding_bodies)
    y = display._text(draw, display.MARGIN, awarding, display._font(26, bold=True), display.MUTED, width)
    name_y = display._text(draw, y + 24, display._pick(spec.title, language), display._font(44, bold=True), 0, width)
    name_y += 12
    below = display._text(draw, name_y, record.learner.full_name, display._font(34), 0, width, max_lines=2)
    facts = f"{record.issued_at.date().isoformat()}  ·  EQF Level 4  ·  3 ECTS  ·  84 h"
    display._text(draw, below + 16, facts, display._font(24), display.MUTED, width, max_lines=1)
    rule = name_y + 2 * display._line_height(display._font(34)) + 16 + display._line_height(display._font(24)) + 20
    draw.line((display.MARGIN, rule, WIDTH - display.MARGIN, rule), fill=display.RULE, width=2)
    y = rule + 20
    for outcome in record.achieved_outcomes:
        y = display._text(draw, y, f"• {display._pick(outcome.title, language)}", display._font(22), 0, width)
    credential = f"urn:credential:{record.credential_id.removeprefix('urn:uuid:')}"
    draw.text((display.MARGIN, HEIGHT - display.MARGIN), credential, font=display._font(18), fill=display.MUTED)
    return [value * 15 // 255 for value in image.tobytes()]


def _chunks(png: bytes) -> dict[bytes, bytes]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks: dict[bytes, bytes] = {}
    offset = 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind, data = png[offset + 4 : offset + 8], png[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", png[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + data), kind
        chunks[kind] = data
        offset += 12 + length
    return chunks


def _with_learner(given: str, family: str, credential_id: str) -> IssuedMicroCredential:
    record = sample_record()
    learner = dataclasses.replace(record.learner, given_name=given, family_name=family)
    return dataclasses.replace(record, learner=learner, credential_id=credential_id)


def test_a_page_is_the_page_drawn_whole_pixel_for_pixel() -> None:
    for record in (
        sample_record(),
        _with_learner("Łukasz Ćwikła-Țăranu", "Ğül Őrs " * 12, "urn:uuid:00000000-0000-4000-8000-000000000001"),
    ):
        for language, png in display.render_display_images(record).items():
            chunks = _chunks(png)  # every chunk's CRC, and zlib's own Adler-32 check of the image data
            raw = zlib.decompress(chunks[b"IDAT"])
            assert len(raw) == HEIGHT * (1 + (WIDTH + 1) // 2)
            with Image.open(io.BytesIO(png)) as image:
                assert (image.format, image.mode, image.size) == ("PNG", "P", display.SIZE)
                palette = image.getpalette()
                assert palette is not None and palette[:48] == [level * 17 for level in range(16) for _ in range(3)]
                assert list(image.tobytes()) == _drawn_whole(record, language), language


def test_two_learners_pages_differ_only_where_the_learner_is() -> None:
    first = display.render_display_images(sample_record())["en"]
    other = _with_learner("Ann", "Other", "urn:uuid:00000000-0000-4000-8000-000000000002")
    second = display.render_display_images(other)["en"]
    rows = [
        Image.open(io.BytesIO(png)).tobytes()[row * WIDTH : (row + 1) * WIDTH]
        for png in (first, second)
        for row in range(HEIGHT)
    ]
    changed = [row for row in range(HEIGHT) if rows[row] != rows[HEIGHT + row]]
    name_y = display._page("Noorderpoort College", "Heat Pump Installation", ()).name_y
    learner_rows = range(name_y, name_y + display._learner_height())
    assert changed and all(row in learner_rows or row >= HEIGHT - display.MARGIN for row in changed)


def test_many_long_outcomes_stop_above_the_credential_id() -> None:
    outcomes = tuple(
        LearningOutcome(f"LO{n}", {"en": "Installs, commissions and maintains domestic heat pumps " * 5})
        for n in range(1, 9)
    )
    record = sample_record(achieved=tuple(o.id for o in outcomes), learning_outcomes=outcomes, title={"en": "Heat"})
    assert len(record.achieved_outcomes) == 8
    with Image.open(io.BytesIO(display.render_display_images(record)["en"])) as image:
        foot = HEIGHT - display.MARGIN
        gap = image.crop((0, foot - 8, WIDTH, foot)).tobytes()
        body = image.crop((0, foot - 300, WIDTH, foot - 8)).tobytes()
    assert gap == display._frame(8).point(display._TO_4_BITS).tobytes()  # nothing but the frame's sides
    assert len(set(body)) > 2  # while the outcomes fill the page above
