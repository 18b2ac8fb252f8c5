"""Make scanned copies of text PDFs, for measuring the OCR reader on more than the four shared scans.

    .venv/bin/python benchmarks/tools/make_scans.py OUT_DIR PDF [PDF ...] [--variants 2] [--seed 1]

Each PDF is printed to pictures and "scanned" the way agencies send signed reports: tilted (up to
±2.5°), a red seal on the last page (and sometimes one over a table), a blue pen mark, paper tone,
noise, blur, a lower resolution and JPEG compression; the result is an image-only PDF (or, for some
variants, one picture file per page). The label ``NAME.json`` beside a PDF is copied beside each scan.
Run by hand; nothing here is used by the application.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import random
import sys
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


def seal(size: int, rng: random.Random) -> Image.Image:
    """A round red seal on white (a ring, a star and a line of text), to be multiplied onto a page."""
    img = Image.new("RGB", (size, size), "white")
    d = ImageDraw.Draw(img)
    red = (rng.randint(185, 225), rng.randint(20, 80), rng.randint(30, 90))
    w = max(3, size // 45)
    d.ellipse((w, w, size - w, size - w), outline=red, width=w)
    cx = cy = size / 2
    r = size * 0.16
    pts = []
    for k in range(10):
        rad = r if k % 2 == 0 else r * 0.4
        a = -math.pi / 2 + k * math.pi / 5
        pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    d.polygon(pts, fill=red)
    font_path = next((p for p in FONT_CANDIDATES if Path(p).exists()), None)
    if font_path:
        font = ImageFont.truetype(font_path, size // 9)
        text = "政务公开专用章"
        tw = d.textlength(text, font=font)
        d.text((cx - tw / 2, size * 0.66), text, fill=red, font=font)
    return img.rotate(rng.uniform(-30, 30), fillcolor="white")


def scan_page(
    page: Image.Image,
    rng: random.Random,
    *,
    stamp: bool,
    tilt: float,
    dpi_out: int,
    dpi_in: int,
    quality: int | None = None,
) -> Image.Image:
    img = page.convert("RGB")
    w, h = img.size
    if stamp:
        s = seal(int(w * rng.uniform(0.25, 0.33)), rng)
        x = int(rng.uniform(0.35, 0.65) * w)
        y = int(rng.uniform(0.3, 0.8) * h)
        layer = Image.new("RGB", (w, h), "white")
        layer.paste(s, (x - s.width // 2, y - s.height // 2))
        a = np.asarray(img, dtype=np.float32) * np.asarray(layer, dtype=np.float32) / 255
        img = Image.fromarray(a.astype(np.uint8))
    if rng.random() < 0.5:  # a blue pen tick or signature stroke
        d = ImageDraw.Draw(img)
        x0, y0 = rng.uniform(0.1, 0.8) * w, rng.uniform(0.1, 0.9) * h
        pts = [(x0 + k * w * 0.02, y0 + math.sin(k) * h * 0.005) for k in range(8)]
        d.line(pts, fill=(40, 60, rng.randint(150, 210)), width=max(2, w // 400))
    img = img.rotate(tilt, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))
    if rng.random() < 0.7:
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.9)))
    a = np.asarray(img, dtype=np.float32)
    tone = rng.uniform(225, 250)  # grey-ish paper, never pure white
    ink = rng.uniform(0, 40)
    a = ink + a * (tone - ink) / 255
    a += np.random.default_rng(rng.randint(0, 2**31)).normal(0, rng.uniform(3, 10), a.shape[:2])[:, :, None]
    noise = np.random.default_rng(rng.randint(0, 2**31)).random(a.shape[:2])
    rate = rng.uniform(0.0005, 0.004)
    a[noise < rate / 2] = 40
    a[noise > 1 - rate / 2] = 255
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    if dpi_out != dpi_in:
        img = img.resize((round(w * dpi_out / dpi_in), round(h * dpi_out / dpi_in)), Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality or rng.randint(35, 80))
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def make_scan(
    pdf_path: Path,
    out: Path,
    rng: random.Random,
    pages: list[int] | None = None,
    images: bool = False,
    dpi: int | None = None,
    quality: int | None = None,
) -> list[Path]:
    pdf = pdfium.PdfDocument(str(pdf_path))
    dpi_in = 300
    dpi_out = dpi or rng.choice((150, 180, 200, 200, 240))
    numbers = pages or list(range(1, len(pdf) + 1))
    tilt_sign = rng.choice((-1, 1))
    scanned = []
    extra_stamp = rng.randrange(len(numbers)) if rng.random() < 0.4 else None
    for i, n in enumerate(numbers):
        page = pdf[n - 1].render(scale=dpi_in / 72).to_pil()
        tilt = tilt_sign * rng.uniform(0.2, 2.5)
        stamp = i == len(numbers) - 1 or i == extra_stamp
        scanned.append(scan_page(page, rng, stamp=stamp, tilt=tilt, dpi_out=dpi_out, dpi_in=dpi_in, quality=quality))
    pdf.close()
    if images:
        paths = []
        for i, img in enumerate(scanned, start=1):
            p = out.with_name(f"{out.stem}_p{i}.jpg")
            img.save(p, "JPEG", quality=85, dpi=(dpi_out, dpi_out))
            paths.append(p)
        return paths
    scanned[0].save(out, "PDF", save_all=True, append_images=scanned[1:], resolution=dpi_out)
    return [out]


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("pdfs", nargs="+")
    ap.add_argument("--variants", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    for src in map(Path, args.pdfs):
        label = src.with_suffix(".json")
        for v in range(args.variants):
            target = out / f"{src.stem}_scan{args.seed}{v}.pdf"
            make_scan(src, target, rng)
            if label.exists():
                data = json.loads(label.read_text(encoding="utf-8"))
                data["x_note"] = (data.get("x_note") or "") + " Scanned by benchmarks/tools/make_scans.py."
                target.with_suffix(".json").write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
            print(target)


if __name__ == "__main__":
    main(sys.argv[1:])
