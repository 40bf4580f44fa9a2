"""Synthetic camera frames of a printed ticket, for the decoder tests and bench/bench_decode.py.

A real ticket is laid out and "printed" with the preview renderer (hardware.tickets +
hardware.escpos_render), so the code is the genuine 122-character token in the QR code the
printer would draw (version 5, error correction M, 8 dots a module, thermal-paper contrast).
`frame()` then photographs it the way a gate camera would: the ticket held up in front of
a cluttered background, turned and tilted (rotation + perspective), lit unevenly, slightly
out of focus or moving, with sensor noise and JPEG compression. Everything is drawn from a
`random.Random(seed)`, so a seed always gives the same frame.

Two difficulty levels (see LEVELS for every range):

- "realistic": the ticket presented to the gate's camera at a reasonable distance (the
  code 30-55 % of the frame height, i.e. about 4-7 pixels a module at 640x480), any
  rotation, moderate tilt, soft focus up to sigma 1.2 px or a short motion blur, noise
  sigma 2-7, light from 45 % to 100 %, JPEG quality 60-90;
- "hard": far away (the code 18-32 % of the frame height, 2.3-4 px a module at 640x480),
  strong tilt, blur up to sigma 2.2 px or 9 px motion, noise up to 14, a hand shadow
  across the code, dim light, JPEG quality 30-60.
"""

from __future__ import annotations

import functools
import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import cv2
import numpy as np
import numpy.typing as npt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from core.gate.codes import Signer
from hardware.escpos_render import render
from hardware.tickets import TicketPrint, ticket_job

Frame = npt.NDArray[Any]              # uint8: H x W (grey) or H x W x 3 (BGR)
Floats = npt.NDArray[Any]             # float32 or float64
SIZES: Final = ((640, 480), (1280, 720))
PAPER_MARGIN: Final = 24    # dots of blank paper around the printed ticket


@dataclass(frozen=True)
class Level:
    name: str
    code_fraction: tuple[float, float]     # code side / frame height
    tilt: float                            # corner jitter, as a fraction of the code side
    blur_sigma: tuple[float, float]        # Gaussian defocus, pixels at 640x480
    motion_chance: float                   # chance of motion blur instead of defocus
    motion_length: tuple[int, int]         # pixels at 640x480
    noise_sigma: tuple[float, float]
    light: tuple[float, float]             # darkest, brightest illumination factor
    shadow_chance: float                   # a hand's shadow with a soft edge across the code
    jpeg_quality: tuple[int, int]
    ink: tuple[int, int]                   # grey level of the thermal print
    paper: tuple[int, int]                 # grey level of the paper


REALISTIC: Final = Level("realistic", code_fraction=(0.30, 0.55), tilt=0.08,
                         blur_sigma=(0.0, 1.2), motion_chance=0.2, motion_length=(2, 5),
                         noise_sigma=(2.0, 7.0), light=(0.45, 1.0), shadow_chance=0.0,
                         jpeg_quality=(60, 90), ink=(20, 70), paper=(215, 250))
HARD: Final = Level("hard", code_fraction=(0.18, 0.32), tilt=0.16,
                    blur_sigma=(0.6, 2.2), motion_chance=0.35, motion_length=(4, 9),
                    noise_sigma=(6.0, 14.0), light=(0.30, 1.0), shadow_chance=0.5,
                    jpeg_quality=(30, 60), ink=(40, 100), paper=(190, 240))
LEVELS: Final = {level.name: level for level in (REALISTIC, HARD)}


def signer() -> Signer:
    """A fixed Ed25519 key (key id 1): the same tokens every run."""
    return Signer(1, Ed25519PrivateKey.from_private_bytes(bytes(range(32))))


def token(ticket_id: int = 100_001, performance_id: int = 42) -> str:
    """A genuine 122-character token, signed by `signer()`."""
    return signer().sign(ticket_id, performance_id, 1, 0)


@functools.cache
def ticket_picture(code: str) -> tuple[Frame, Floats]:
    """The printed ticket for `code` as a greyscale picture (ink 0, paper 255) with a
    margin of blank paper, and the four corners of its QR code (clockwise from top left)."""
    ticket = TicketPrint(
        venue="Riverside Stadium", event="City v United", when="Sat 14 Mar 2026 15:00",
        section="North Stand", row="K", seat="17", price_type="Adult", base_cents=4500,
        fee_cents=250, tax_cents=0, total_cents=4750, currency="USD", order_number="A-1042",
        serial="000123", code=code)
    printed = np.array(render(ticket_job(ticket)).convert("L"), dtype=np.uint8)
    rows = np.flatnonzero((printed < 128).any(axis=1))
    printed = printed[: rows[-1] + 1] if rows.size else printed   # drop the feed before the cut
    picture = cv2.copyMakeBorder(printed, PAPER_MARGIN, PAPER_MARGIN, PAPER_MARGIN,
                                 PAPER_MARGIN, cv2.BORDER_CONSTANT, value=255)
    return picture, _qr_corners(picture)


def _qr_corners(picture: Frame) -> Floats:
    """The QR code is the only large square blob once the ink is closed up (text lines
    become wide, short blobs): found without any QR decoder."""
    ink = (picture < 128).astype(np.uint8)
    closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((17, 17), np.uint8))
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    best: tuple[int, int, int, int] | None = None
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        if w > 100 and 0.9 < w / h < 1.1 and (best is None or w * h > best[2] * best[3]):
            best = (x, y, w, h)
    if best is None:
        raise AssertionError("no QR code found on the rendered ticket")
    x, y, w, h = best
    return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], dtype=np.float32)


def clean_image(code: str) -> Frame:
    """The printed ticket itself, unrotated and sharp (greyscale): every decoder must read it."""
    return ticket_picture(code)[0].copy()


def _background(rng: random.Random, nprng: np.random.Generator, width: int,
                height: int) -> Frame:
    """A cluttered scene: a coloured gradient, blurred texture, boxes, discs, lines, text,
    and sometimes barcode-like stripes (which a QR-only decoder must ignore)."""
    left = np.array([rng.randint(40, 200) for _ in range(3)], dtype=np.float32)
    right = np.clip(left + np.array([rng.randint(-60, 60) for _ in range(3)], np.float32),
                    0, 255)
    scene = cv2.resize(np.stack([left, right])[None, :, :], (width, height),
                       interpolation=cv2.INTER_LINEAR)
    noise: Floats = nprng.normal(0.0, 25.0, (height // 8 + 1, width // 8 + 1)).astype(
        np.float32)
    texture = cv2.resize(noise, (width, height), interpolation=cv2.INTER_CUBIC)
    scene = cv2.convertScaleAbs(cv2.add(scene, cv2.cvtColor(texture, cv2.COLOR_GRAY2BGR)))
    scale = height / 480

    def colour() -> tuple[int, int, int]:
        return (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255))

    def point() -> tuple[int, int]:
        return (rng.randint(0, width - 1), rng.randint(0, height - 1))

    for _ in range(rng.randint(6, 14)):
        cv2.rectangle(scene, point(), point(), colour(), -1 if rng.random() < 0.6 else 3)
    for _ in range(rng.randint(3, 8)):
        cv2.circle(scene, point(), int(rng.randint(10, 90) * scale), colour(),
                   -1 if rng.random() < 0.5 else 2)
    for _ in range(rng.randint(4, 10)):
        cv2.line(scene, point(), point(), colour(), rng.randint(1, 4))
    for _ in range(rng.randint(2, 6)):
        words = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ") for _ in range(12))
        cv2.putText(scene, words, point(), cv2.FONT_HERSHEY_SIMPLEX, rng.uniform(0.4, 1.4) * scale,
                    colour(), rng.randint(1, 3))
    if rng.random() < 0.3:
        x0, y0 = rng.randint(0, width // 2), rng.randint(0, height // 2)
        x = x0
        for _ in range(30):
            bar = rng.randint(1, 4)
            cv2.rectangle(scene, (x, y0), (x + bar, y0 + int(60 * scale)), (20, 20, 20), -1)
            x += bar + rng.randint(1, 4)
    return scene


def _homography(rng: random.Random, level: Level, width: int, height: int,
                corners: Floats) -> Floats:
    """Where the ticket's QR corners land: a square of the level's size, at any angle,
    its corners jittered (perspective), wholly inside the frame."""
    side = rng.uniform(*level.code_fraction) * height
    angle = rng.uniform(-math.pi, math.pi)
    half_diagonal = side * math.sqrt(2) / 2 * (1 + 2 * level.tilt)
    cx = rng.uniform(half_diagonal, max(half_diagonal, width - half_diagonal))
    cy = rng.uniform(half_diagonal, max(half_diagonal, height - half_diagonal))
    quad = []
    for k in range(4):
        theta = angle + math.pi / 4 + k * math.pi / 2 - math.pi
        jitter_x = rng.uniform(-level.tilt, level.tilt) * side
        jitter_y = rng.uniform(-level.tilt, level.tilt) * side
        quad.append([cx + half_diagonal / (1 + 2 * level.tilt) * math.cos(theta) + jitter_x,
                     cy + half_diagonal / (1 + 2 * level.tilt) * math.sin(theta) + jitter_y])
    target = np.array(quad, dtype=np.float32)
    matrix: Floats = cv2.getPerspectiveTransform(corners, target)
    return matrix


def _lighting(rng: random.Random, level: Level, width: int, height: int) -> Frame:
    """An illumination field (factor x _LIGHT_SCALE): a gradient, a soft bright or dark blob and,
    sometimes, a hand's shadow with a soft edge. Drawn small and scaled up."""
    small_w, small_h = 64, 36
    ys, xs = np.mgrid[0:small_h, 0:small_w].astype(np.float32)
    xs /= small_w
    ys /= small_h
    low, high = level.light
    a, b = rng.uniform(low, high), rng.uniform(low, high)
    direction = rng.uniform(0, 2 * math.pi)
    along = (xs - 0.5) * math.cos(direction) + (ys - 0.5) * math.sin(direction) + 0.5
    field = a + (b - a) * np.clip(along, 0, 1)
    bx, by, radius = rng.random(), rng.random(), rng.uniform(0.15, 0.5)
    blob = np.exp(-((xs - bx) ** 2 + (ys - by) ** 2) / (2 * radius ** 2))
    field = field * (1 + rng.uniform(-0.3, 0.3) * blob)
    if rng.random() < level.shadow_chance:
        edge = rng.uniform(0, 2 * math.pi)
        offset = rng.uniform(-0.2, 0.2)
        distance = (xs - 0.5) * math.cos(edge) + (ys - 0.5) * math.sin(edge) - offset
        field = field * (1 - rng.uniform(0.3, 0.55) / (1 + np.exp(-distance * 60)))
    small = np.round(np.clip(field, 0.05, 1.2) * _LIGHT_SCALE).astype(np.uint8)
    lit: Frame = cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
    return lit


def _blur(rng: random.Random, level: Level, image: Frame, scale: float) -> Frame:
    if rng.random() < level.motion_chance:
        length = max(2, round(rng.randint(*level.motion_length) * scale))
        line: Floats = np.zeros((length, length), np.float32)
        line[length // 2, :] = 1.0 / length
        rotation = cv2.getRotationMatrix2D(((length - 1) / 2, (length - 1) / 2),
                                           rng.uniform(0, 180), 1.0)
        turned: Floats = cv2.warpAffine(line, rotation, (length, length))
        kernel = turned / max(float(turned.sum()), 1e-6)
        blurred: Frame = cv2.filter2D(image, -1, kernel)
        return blurred
    sigma = rng.uniform(*level.blur_sigma) * scale
    if sigma < 0.3:
        return image
    defocused: Frame = cv2.GaussianBlur(image, (0, 0), sigma)
    return defocused


_NOISE_SCALE: Final = 16.0     # the noise tile holds N(0, 1) x 16 as int16
_LIGHT_SCALE: Final = 200.0    # the light field holds the factor x 200 as uint8


@functools.cache
def _noise_tile() -> npt.NDArray[Any]:
    """Gaussian sensor noise (fixed point), larger than any frame: each frame takes a
    window of it at a seeded offset (drawing fresh noise costs more than a whole frame)."""
    unit = np.random.default_rng(2024).standard_normal((1080, 1920, 3), dtype=np.float32)
    tile: npt.NDArray[Any] = np.round(unit * _NOISE_SCALE).astype(np.int16)
    return tile


def frame(seed: int, size: tuple[int, int] = (640, 480), level: str | Level = "realistic",
          code: str | None = None, *, with_code: bool = True) -> Frame:
    """One BGR camera frame (height x width x 3, uint8) of the printed ticket for `code`
    (default `token()`), or of the scene alone when `with_code` is False."""
    spec = LEVELS[level] if isinstance(level, str) else level
    width, height = size
    rng = random.Random(f"{spec.name}/{width}x{height}/{seed}")
    nprng = np.random.default_rng(rng.getrandbits(64))
    scene = _background(rng, nprng, width, height)
    if with_code:
        picture, corners = ticket_picture(code or token())
        ink, paper = rng.randint(*spec.ink), rng.randint(*spec.paper)
        warm = (rng.uniform(0.93, 1.0), rng.uniform(0.97, 1.0), 1.0)
        matrix = _homography(rng, spec, width, height, corners)
        warped = cv2.warpPerspective(picture, matrix, (width, height),
                                     flags=cv2.INTER_LINEAR, borderValue=0)
        mask = cv2.warpPerspective(np.full(picture.shape, 255, np.uint8), matrix,
                                   (width, height), flags=cv2.INTER_LINEAR, borderValue=0)
        # grey level g -> colour c: (ink + (paper - ink) * g / 255) * warm[c]
        grey = ink + (paper - ink) * np.arange(256, dtype=np.float32) / 255.0
        lut = np.clip(np.stack([grey * w for w in warm], axis=1), 0, 255).astype(np.uint8)
        printed = cv2.LUT(cv2.cvtColor(warped, cv2.COLOR_GRAY2BGR), lut[None, :, :])
        weight = mask.astype(np.float32) / 255.0
        scene = cv2.blendLinear(printed, scene, weight, 1.0 - weight)
    light = cv2.cvtColor(_lighting(rng, spec, width, height), cv2.COLOR_GRAY2BGR)
    scene = cv2.multiply(scene, light, scale=1.0 / _LIGHT_SCALE)
    scene = _blur(rng, spec, scene, height / 480)
    tile = _noise_tile()
    x, y = rng.randint(0, tile.shape[1] - width), rng.randint(0, tile.shape[0] - height)
    sigma = rng.uniform(*spec.noise_sigma)
    image = cv2.addWeighted(scene, 1.0, tile[y:y + height, x:x + width], sigma / _NOISE_SCALE,
                            0.0, dtype=cv2.CV_8U)
    quality = rng.randint(*spec.jpeg_quality)
    ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    decoded = cv2.imdecode(jpeg, cv2.IMREAD_COLOR)
    assert decoded is not None
    result: Frame = decoded
    return result


def empty_frame(seed: int, size: tuple[int, int] = (640, 480),
                level: str | Level = "realistic") -> Frame:
    """A frame of the same kind of scene with no code in it: the common case at a gate."""
    return frame(seed, size, level, with_code=False)


def write_frames(directory: Path, names_and_frames: list[tuple[str, Frame]]) -> list[Path]:
    """Save frames as PNG files (for ImageFolderSource); returns the paths in order."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, image in names_and_frames:
        path = directory / f"{name}.png"
        cv2.imwrite(str(path), image)
        paths.append(path)
    return paths


if __name__ == "__main__":   # python -m tests.support.frames OUT_DIR: a few samples to look at
    import sys

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "frames-sample")
    samples = [(f"{name}-{w}x{h}-{seed}", frame(seed, (w, h), name))
               for name in LEVELS for (w, h) in SIZES for seed in range(3)]
    for path in write_frames(out, samples):
        print(path)
