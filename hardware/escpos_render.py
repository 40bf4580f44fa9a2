"""A preview of ESC/POS jobs: what a thermal printer would print, as a picture.

This is a small interpreter for the subset of ESC/POS our layouts emit (text with
alignment, emphasis and character size, line feeds, the native QR code commands, raster
bit images, cuts), so the preview backend and the tests can see a ticket without a
printer. Every other command whose length is known is skipped; bytes it does not know
are skipped one at a time. It never raises on any input, and its memory use is bounded
(a job cannot make it draw more than `MAX_HEIGHT` dots).

Geometry follows an Epson TM-T88V: font A is 12 x 24 dots, font B 9 x 17, the default
line spacing is 30 dots, and the printable width is 512 dots on 80 mm paper (384 on
58 mm). Glyphs come from PIL's built-in 6 x 11 bitmap font, doubled; characters outside
Latin-1 are drawn as "?" (the text functions still return them).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field, replace
from typing import Final

import qrcode
import qrcode.constants
import qrcode.exceptions
from PIL import Image, ImageDraw, ImageFont

ESC: Final = 0x1B
GS: Final = 0x1D
FS: Final = 0x1C
DLE: Final = 0x10

MAX_HEIGHT: Final = 20_000          # dots; about 2.8 m of paper at 180 dpi
MAX_WIDTH: Final = 4096             # dots; wider than any receipt printer
DEFAULT_LINE_SPACING: Final = 30    # dots, ESC 2
FONT_A: Final = (12, 24)            # cell width, height in dots
FONT_B: Final = (9, 17)
_GLYPH: Final = (6, 11)             # PIL's built-in bitmap font

# ESC t n -> Python codec, for the Epson code page table (other makers differ; unknown
# pages are read as CP437, which every printer has as page 0).
CODE_PAGES: Final[dict[int, str]] = {
    0: "cp437", 2: "cp850", 3: "cp860", 4: "cp863", 5: "cp865", 13: "cp857",
    14: "cp737", 15: "iso8859_7", 16: "cp1252", 17: "cp866", 18: "cp852", 19: "cp858",
    32: "cp720", 33: "cp775", 34: "cp855", 35: "cp861", 36: "cp862", 37: "cp864",
    38: "cp869", 39: "iso8859_2", 40: "iso8859_15", 45: "cp1250", 46: "cp1251",
    47: "cp1253", 48: "cp1254", 49: "cp1255", 50: "cp1256", 51: "cp1257", 52: "cp1258",
    53: "kz1048",
}

_EC_LEVELS: Final = {48: qrcode.constants.ERROR_CORRECT_L, 49: qrcode.constants.ERROR_CORRECT_M,
                     50: qrcode.constants.ERROR_CORRECT_Q, 51: qrcode.constants.ERROR_CORRECT_H}
_ALIGNS: Final = ("left", "center", "right")
_INVERT: Final = bytes(255 - b for b in range(256))

# Bytes of arguments after ESC x / GS x / FS x for commands we skip (fixed lengths only).
_ESC_ARGS: Final = {
    ord("p"): 3, ord("d"): 1, ord("J"): 1, ord("K"): 1, ord("e"): 1, ord("3"): 1,
    ord("A"): 1, ord("+"): 1, ord("r"): 1, ord("{"): 1, ord("V"): 1, ord("c"): 2,
    ord(" "): 1, ord("="): 1, ord("?"): 1, ord("R"): 1, ord("U"): 1, ord("T"): 1,
    ord("W"): 8, ord("$"): 2, ord("\\"): 2, ord("B"): 2, ord("%"): 1, ord("f"): 2,
    ord("u"): 1, ord("G"): 1, ord("t"): 1, ord("a"): 1, ord("E"): 1, ord("!"): 1,
    ord("-"): 1, ord("M"): 1, ord("@"): 0, ord("2"): 0, ord("i"): 0, ord("m"): 0,
    ord("S"): 0, ord("L"): 0, ord("<"): 0, ord("v"): 0, ord("n"): 0,
}
_GS_ARGS: Final = {
    ord("!"): 1, ord("B"): 1, ord("b"): 1, ord("|"): 1, ord("H"): 1, ord("f"): 1,
    ord("h"): 1, ord("w"): 1, ord("L"): 2, ord("W"): 2, ord("$"): 2, ord("\\"): 2,
    ord("P"): 2, ord("a"): 1, ord("r"): 1, ord("I"): 1, ord("/"): 1, ord("T"): 1,
    ord("^"): 3, ord("g"): 3, ord(":"): 0,
}
_FS_ARGS: Final = {
    ord("!"): 1, ord("&"): 0, ord("."): 0, ord("-"): 1, ord("C"): 1, ord("W"): 1,
    ord("S"): 2, ord("p"): 2,
}


@dataclass(frozen=True)
class _Style:
    bold: bool = False
    underline: bool = False
    invert: bool = False
    font_b: bool = False
    width: int = 1            # character size multipliers, 1-8
    height: int = 1

    @property
    def cell(self) -> tuple[int, int]:
        w, h = FONT_B if self.font_b else FONT_A
        return w * self.width, h * self.height


@dataclass
class _Run:
    text: str
    style: _Style


@dataclass
class _Line:
    runs: list[_Run]
    align: str
    spacing: int


@dataclass
class _Picture:
    image: Image.Image        # mode "L", black on white
    align: str


@dataclass
class _Qr:
    data: bytes
    module: int
    ec: int
    align: str


@dataclass
class _Feed:
    dots: int


@dataclass
class _Cut:
    partial: bool


_Block = _Line | _Picture | _Qr | _Feed | _Cut
_Flush = Callable[[bool], Iterator[_Block]]
_Command = Generator[_Block, None, int]     # yields blocks, returns the next index


@dataclass(frozen=True)
class PrintedLine:
    """One line of text as the job prints it (before any wrapping at the paper edge).

    `columns` is its width in font-A character cells: a double-width character counts 2,
    a font-B character 0.75 (rounded up for the line)."""

    text: str
    columns: int
    align: str
    bold: bool
    height: int               # the largest character height multiplier on the line


@dataclass
class _State:
    style: _Style = field(default_factory=_Style)
    align: str = "left"
    spacing: int = DEFAULT_LINE_SPACING
    code_page: int = 0
    qr_module: int = 3
    qr_ec: int = 48
    qr_data: bytes = b""
    line: list[_Run] = field(default_factory=list)
    line_align: str = "left"


def _printable_table(code_page: int) -> tuple[str, ...]:
    return _decode_table(CODE_PAGES.get(code_page, "cp437"))


@functools.cache
def _decode_table(codec: str) -> tuple[str, ...]:
    return tuple(bytes([b]).decode(codec, errors="replace") for b in range(256))


def _interpret(job: bytes) -> Iterator[_Block]:
    """The job's blocks, in print order. Never raises; a truncated command ends the job."""
    data = bytes(job)
    size = len(data)
    state = _State()
    i = 0

    def flush(force: bool) -> Iterator[_Block]:
        if state.line or force:
            yield _Line(state.line, state.line_align if state.line else state.align,
                        state.spacing)
            state.line = []

    def add_text(text: str) -> None:
        if not state.line:
            state.line_align = state.align
        if state.line and state.line[-1].style == state.style:
            state.line[-1].text += text
        else:
            state.line.append(_Run(text, state.style))

    while i < size:
        byte = data[i]
        if byte >= 0x20 and byte != 0x7F:
            start = i
            while i < size and data[i] >= 0x20 and data[i] != 0x7F:
                i += 1
            table = _printable_table(state.code_page)
            add_text("".join(table[b] for b in data[start:i]))
            continue
        i += 1
        if byte in (0x0A, 0x0C):                   # LF, FF
            yield from flush(True)
        elif byte == 0x09:                         # HT: next multiple of 8 columns
            used = sum(len(run.text) for run in state.line)
            add_text(" " * (8 - used % 8))
        elif byte == 0x18:                         # CAN: drop the line buffer
            state.line = []
        elif byte == ESC:
            if i >= size:
                break
            command = data[i]
            i += 1
            i = yield from _escape(data, i, command, state, flush)
        elif byte == GS:
            if i >= size:
                break
            command = data[i]
            i += 1
            i = yield from _group(data, i, command, state, flush)
        elif byte == FS:
            if i >= size:
                break
            i += 1 + _FS_ARGS.get(data[i], 0)
        elif byte == DLE:
            if i < size and data[i] in (0x04, 0x05):      # DLE EOT n, DLE ENQ n
                i += 2
            elif i < size and data[i] == 0x14:           # DLE DC4 fn m t
                i += 4
        # any other control byte (CR, NUL, BEL...) prints nothing
    yield from flush(False)


def _escape(data: bytes, i: int, command: int, state: _State, flush: _Flush) -> _Command:
    """ESC <command> ...; returns the index after it (a generator's return value)."""
    size = len(data)
    arg = data[i] if i < size else None
    if command == ord("*"):                        # column bit image: skipped
        if i + 3 > size:
            return size
        mode, count = data[i], data[i + 1] | data[i + 2] << 8
        return i + 3 + count * (1 if mode in (0, 1) else 3)
    if command == ord("D"):                        # tab stops: NUL-terminated, max 32
        end = data.find(b"\x00", i, i + 33)
        return size if end < 0 else end + 1
    length = _ESC_ARGS.get(command, 0)
    if i + length > size:
        return size
    if command == ord("@"):
        yield from flush(False)
        state.style, state.align, state.spacing = _Style(), "left", DEFAULT_LINE_SPACING
        state.code_page = 0
    elif command == ord("2"):
        state.spacing = DEFAULT_LINE_SPACING
    elif command in (ord("i"), ord("m")):
        yield from flush(False)
        yield _Cut(partial=command == ord("m"))
    elif arg is None:
        pass
    elif command == ord("a"):
        state.align = _ALIGNS[arg % 48] if arg % 48 < 3 else state.align
    elif command == ord("E") or command == ord("G"):
        state.style = replace(state.style, bold=bool(arg & 1))
    elif command == ord("-"):
        state.style = replace(state.style, underline=arg % 48 in (1, 2))
    elif command == ord("M"):
        state.style = replace(state.style, font_b=arg % 48 == 1)
    elif command == ord("!"):
        state.style = replace(state.style, font_b=bool(arg & 1), bold=bool(arg & 8),
                              height=2 if arg & 16 else 1, width=2 if arg & 32 else 1,
                              underline=bool(arg & 128))
    elif command == ord("t"):
        state.code_page = arg
    elif command == ord("3"):
        state.spacing = arg
    elif command == ord("d"):
        yield from flush(False)
        yield _Feed(arg * state.spacing)
    elif command == ord("J"):
        yield from flush(False)
        yield _Feed(arg)
    return i + length


def _group(data: bytes, i: int, command: int, state: _State, flush: _Flush) -> _Command:
    """GS <command> ...; returns the index after it (a generator's return value)."""
    size = len(data)
    if command == ord("("):                        # GS ( fn pL pH data
        if i + 3 > size:
            return size
        function, length = data[i], data[i + 1] | data[i + 2] << 8
        body = data[i + 3:i + 3 + length]
        if len(body) < length:
            return size
        if function == ord("k"):
            yield from _two_d_code(body, state, flush)
        return i + 3 + length
    if command == ord("v"):                        # GS v 0 m xL xH yL yH data
        if i + 6 > size:
            return size
        mode = data[i + 1]
        width_bytes = data[i + 2] | data[i + 3] << 8
        height = data[i + 4] | data[i + 5] << 8
        end = i + 6 + width_bytes * height
        if data[i] not in (0, 48) or end > size:
            return size
        yield from flush(False)
        if width_bytes and height:
            yield _Picture(_raster(data[i + 6:end], width_bytes, height, mode), state.align)
        return end
    if command == ord("V"):                        # cut, with or without a feed byte
        if i >= size:
            return size
        mode = data[i]
        yield from flush(False)
        if mode in (65, 66, 97, 98, 103, 104):
            if i + 1 < size:
                yield _Feed(data[i + 1])
            yield _Cut(partial=mode in (66, 98, 104))
            return i + 2
        yield _Cut(partial=mode in (1, 49))
        return i + 1
    if command == ord("!"):
        if i >= size:
            return size
        state.style = replace(state.style, width=(data[i] >> 4 & 7) + 1,
                              height=(data[i] & 7) + 1)
        return i + 1
    if command == ord("B"):
        if i >= size:
            return size
        state.style = replace(state.style, invert=bool(data[i] & 1))
        return i + 1
    if command == ord("k"):                        # 1-D barcode: skipped
        if i >= size:
            return size
        if data[i] <= 6:
            end = data.find(b"\x00", i + 1)
            return size if end < 0 else end + 1
        return i + 2 + (data[i + 1] if i + 1 < size else 0)
    if command == ord("8") and i + 6 <= size:      # GS 8 L p1..p4 m fn data
        return i + 5 + int.from_bytes(data[i + 1:i + 5], "little")
    if command == ord("*") and i + 2 <= size:      # GS * x y data (x * y * 8 bytes)
        return i + 2 + data[i] * data[i + 1] * 8
    return i + _GS_ARGS.get(command, 0)


def _two_d_code(body: bytes, state: _State, flush: _Flush) -> Iterator[_Block]:
    """GS ( k: cn fn [m] data. Only QR (cn 49) is drawn."""
    if len(body) < 2 or body[0] != 49:
        return
    function, rest = body[1], body[2:]
    if function == 67 and rest:                    # module size
        state.qr_module = min(16, max(1, rest[0]))
    elif function == 69 and rest:                  # error correction level
        state.qr_ec = rest[0] if rest[0] in _EC_LEVELS else 48
    elif function == 80 and rest:                  # store: m data
        state.qr_data = rest[1:]
    elif function == 81 and state.qr_data:         # print the stored symbol
        yield from flush(False)
        yield _Qr(state.qr_data, state.qr_module, state.qr_ec, state.align)



def _raster(bits: bytes, width_bytes: int, height: int, mode: int) -> Image.Image:
    """A GS v 0 bit image (1 = black, rows MSB first) as an "L" picture."""
    visible, height = min(width_bytes, MAX_WIDTH // 8), min(height, MAX_HEIGHT)
    if visible != width_bytes:
        bits = b"".join(bits[row * width_bytes:row * width_bytes + visible]
                        for row in range(height))
    bits = bits[:visible * height]
    inverted = bits.translate(_INVERT)             # PIL's mode "1": 1 = white
    picture = Image.frombytes("1", (visible * 8, height), inverted).convert("L")
    scale_x, scale_y = (2 if mode & 1 else 1), (2 if mode & 2 else 1)
    if scale_x != 1 or scale_y != 1:
        picture = picture.resize((picture.width * scale_x, picture.height * scale_y),
                                 Image.Resampling.NEAREST)
    return picture



def qr_image(data: bytes | str, *, module: int, ec: int = 49) -> Image.Image | None:
    """The QR symbol for `data` with `module` dots a module and no quiet zone, as an "L"
    picture (the printer leaves the margins to the layout). `ec` is the ESC/POS level
    byte: 48 L, 49 M, 50 Q, 51 H. None if the data does not fit in a QR code."""
    code = qrcode.QRCode(error_correction=_EC_LEVELS.get(ec, _EC_LEVELS[49]), border=0)
    try:
        code.add_data(data)
        code.make(fit=True)
    except (ValueError, qrcode.exceptions.DataOverflowError):
        return None
    matrix = code.get_matrix()
    side = len(matrix)
    picture = Image.new("L", (side, side), 255)
    picture.putdata([0 if dark else 255 for row in matrix for dark in row])
    return picture.resize((side * module, side * module), Image.Resampling.NEAREST)


@functools.cache
def _font() -> ImageFont.ImageFont:
    return ImageFont.load_default_imagefont()


def _draw_run(run: _Run) -> Image.Image:
    """One run of text at its size, black on white (inverted if asked)."""
    text = "".join(c if " " <= c <= "\xff" and c != "\x7f" else "?" for c in run.text)
    glyph_w, glyph_h = _GLYPH
    small = Image.new("L", (glyph_w * len(text), glyph_h + 1), 255)
    ImageDraw.Draw(small).text((0, 0), text, font=_font(), fill=0)
    cell_w, cell_h = run.style.cell
    glyph_height = cell_h - (2 if run.style.font_b else 2 * run.style.height)
    picture = small.resize((cell_w * len(text), max(1, glyph_height)),
                           Image.Resampling.NEAREST)
    out = Image.new("L", (picture.width, cell_h), 255)
    out.paste(picture, (0, cell_h - picture.height))
    draw = ImageDraw.Draw(out)
    if run.style.bold:
        out.paste(Image.new("L", out.size, 0), (1, 0), _mask(out))
    if run.style.underline:
        draw.rectangle((0, cell_h - 2, out.width, cell_h - 1), fill=0)
    if run.style.invert:
        out = out.point(lambda v: 255 - v)
    return out


def _mask(picture: Image.Image) -> Image.Image:
    return picture.point(lambda v: 255 if v < 128 else 0)


def _rows(line: _Line, dots: int) -> list[list[_Run]]:
    """The line wrapped at the paper edge, as the printer does."""
    rows: list[list[_Run]] = [[]]
    used = 0
    for run in line.runs:
        cell_w = run.style.cell[0]
        for char in run.text:
            if used + cell_w > dots and used:
                rows.append([])
                used = 0
            row = rows[-1]
            if row and row[-1].style == run.style:
                row[-1].text += char
            else:
                row.append(_Run(char, run.style))
            used += cell_w
    return rows


def _x(align: str, width: int, dots: int) -> int:
    if align == "center":
        return max(0, (dots - width) // 2)
    if align == "right":
        return max(0, dots - width)
    return 0


def default_dots(paper_mm: int) -> int:
    """The printable width in dots: 384 on 58 mm paper, 512 on 80 mm (a TM-T88V)."""
    return 384 if paper_mm < 70 else 512


def render(job: bytes, *, paper_mm: int = 80, dots: int | None = None) -> Image.Image:
    """Draw an ESC/POS job as the printer would print it: an "L" image, black on white.

    `dots` is the printable width (default `default_dots(paper_mm)`; pass the printer
    profile's width, e.g. 576 for a 48-column printer). Never raises on any bytes; at most
    `MAX_HEIGHT` dots are drawn.
    """
    width = max(64, min(dots or default_dots(paper_mm), MAX_WIDTH))
    placed: list[tuple[int, int, Image.Image]] = []
    y = 0
    for block in _interpret(job):
        if y >= MAX_HEIGHT:
            break
        if isinstance(block, _Feed):
            y += block.dots
        elif isinstance(block, _Cut):
            strip = Image.new("L", (width, 16), 255)
            draw = ImageDraw.Draw(strip)
            for x in range(0, width, 14):
                draw.line((x, 8, x + 7, 8), fill=0, width=1)
            if block.partial:
                draw.line((width // 2 - 20, 8, width // 2 + 20, 8), fill=255)
            placed.append((0, y, strip))
            y += 16
        elif isinstance(block, _Line):
            if not block.runs:
                y += block.spacing
            for row in _rows(block, width) if block.runs else []:
                pictures = [_draw_run(run) for run in row]
                height = max(p.height for p in pictures)
                x = _x(block.align, sum(p.width for p in pictures), width)
                for picture in pictures:
                    placed.append((x, y + height - picture.height, picture))
                    x += picture.width
                y += max(block.spacing, height)
        else:
            image = (block.image if isinstance(block, _Picture)
                     else qr_image(block.data, module=block.module, ec=block.ec))
            if image is None:
                continue
            placed.append((_x(block.align, image.width, width), y, image))
            y += image.height
    canvas = Image.new("L", (width, max(1, min(y, MAX_HEIGHT))), 255)
    for left, top, image in placed:
        canvas.paste(image, (left, top))
    return canvas


def printed_lines(job: bytes) -> list[PrintedLine]:
    """Every line of text the job prints, with its width and style. Never raises."""
    lines: list[PrintedLine] = []
    for block in _interpret(job):
        if isinstance(block, _Line) and block.runs:
            dots = sum(run.style.cell[0] * len(run.text) for run in block.runs)
            lines.append(PrintedLine(
                text="".join(run.text for run in block.runs),
                columns=-(-dots // FONT_A[0]),
                align=block.align,
                bold=any(run.style.bold for run in block.runs if run.text.strip()),
                height=max(run.style.height for run in block.runs)))
    return lines


def text_lines(job: bytes) -> list[str]:
    """The text of every printed line (lines holding no text are left out)."""
    return [line.text for line in printed_lines(job)]


def native_qr_payloads(job: bytes) -> list[str]:
    """The content of every QR symbol the job prints with the printer's native command
    (GS ( k store, then print), decoded as UTF-8. Raster QR images are not read."""
    return [block.data.decode("utf-8", errors="replace") for block in _interpret(job)
            if isinstance(block, _Qr)]
