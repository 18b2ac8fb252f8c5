"""The text recognition model: image crops of single text lines → characters with their certainty.

The model is PP-OCRv4's recogniser (``ch_PP-OCRv4_rec_infer.onnx``, Apache-2.0) as shipped inside the
``rapidocr-onnxruntime`` wheel, run on the CPU by onnxruntime. Only the model file is taken from that
package (its Python code needs the full OpenCV, which needs a desktop's GL libraries): the package is
located without being imported. Nothing is downloaded at run time.

The recogniser reads a crop 48 pixels high, left to right, in steps of 8 pixels; every step gives a
probability for each of its 6,623 characters and for "nothing here" (CTC blank). Decoding keeps, for
every character read, its peak probability, the strongest other character at that step (so a "0" that
might be an "O" or a "D" is seen as such) and where it stands in the crop; and for the whole crop, the
strongest character seen at a step that was read as nothing (a character possibly missed). What is
certain enough is decided by the reader, not here.
"""

from __future__ import annotations

import importlib.util
import math
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HEIGHT = 48
STEP = 8  # input pixels per output step
# The recogniser was trained on crops at least this wide (PaddleOCR's 48×320 with aspect ratio 6.67);
# narrower crops are padded to it, as PaddleOCR does.
MIN_WIDTH = 160
MAX_WIDTH = 3200
# Crops of one batch are padded to the widest; this many pixels of input per batch at most.
BATCH_PIXELS = 48 * 320 * 24
MODEL_PACKAGE = "rapidocr_onnxruntime"
MODEL_FILE = "ch_PP-OCRv4_rec_infer.onnx"

# Glyphs drawn the same as a digit in print (a lone "0" is as much an "o" or "O" to the model, a
# lone "1" an "l", "I" or "丨"), and full-width digits. Letters that only resemble a digit (D, S, B,
# Z, G) are not twins: read as such, the figure is doubtful.
DIGIT_TWINS = {
    "0": "0oO〇○０",
    "1": "1lI|丨１ｌＩ",
    "2": "2２",
    "3": "3３",
    "4": "4４",
    "5": "5５",
    "6": "6６",
    "7": "7７",
    "8": "8８",
    "9": "9９",
    ".": ".．",
}

MISSING_MODEL = "未安装文字识别模型（rapidocr-onnxruntime），无法识别扫描件；请按 README 安装依赖后重试"


class ModelMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Glyph:
    """One character read from a crop."""

    text: str
    prob: float  # peak probability of the character
    alt: str  # the strongest other character at that step ("" for none)
    alt_prob: float
    x0: float  # extent in the crop's pixels, from the steps that read it
    x1: float
    # Read as a figure: the most likely digit, its probability counting the glyphs drawn the same
    # (DIGIT_TWINS), and the probability of the most likely other digit counted the same way.
    digit: str = ""
    digit_prob: float = 0.0
    rival_prob: float = 0.0


@dataclass(frozen=True)
class Reading:
    glyphs: tuple[Glyph, ...]
    # Strongest probability of any character at a step read as nothing, away from the characters
    # read (a character the decoding may have dropped, or a doubled one merged).
    doubt: float

    @property
    def text(self) -> str:
        return "".join(g.text for g in self.glyphs)

    @property
    def prob(self) -> float:
        return min((g.prob for g in self.glyphs), default=0.0)


def model_dir() -> Path:
    """The folder holding the ONNX models of the installed ``rapidocr-onnxruntime`` (not imported)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing(MISSING_MODEL)
    folder = Path(next(iter(spec.submodule_search_locations))) / "models"
    if not (folder / MODEL_FILE).is_file():
        raise ModelMissing(MISSING_MODEL)
    return folder


class Recognizer:
    """The recognition model, loaded once per process (onnxruntime sessions are safe to share across threads)."""

    _instance: Recognizer | None = None
    _lock = threading.Lock()

    def __init__(self, path: Path | None = None, threads: int | None = None) -> None:
        import onnxruntime as ort

        path = path or model_dir() / MODEL_FILE
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or _threads()
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Threads that wait for work sleep instead of spinning: on a shared 2-core server a spinning
        # pool burns the other process's time.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.input = self.session.get_inputs()[0].name
        chars = self.session.get_modelmeta().custom_metadata_map["character"].splitlines()
        self.charset = ["", *chars, " "]  # index 0 is the CTC blank; the last class is a space
        index = {c: i for i, c in enumerate(self.charset) if c}
        self.twins = [(d, [index[c] for c in twins if c in index]) for d, twins in DIGIT_TWINS.items()]

    @classmethod
    def shared(cls) -> Recognizer:
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def read(self, crops: list[np.ndarray], squeeze: list[float] | None = None) -> list[Reading]:
        """Read each crop (a 2-D uint8 grey image of one text line, dark on light).

        ``squeeze`` narrows a crop by that factor before reading (a line of Chinese reads as well at
        two-thirds of its width, for two-thirds of the time); positions come back unsqueezed.
        """
        prepared = [_prepare(c, squeeze[i] if squeeze else 1.0) for i, c in enumerate(crops)]
        order = sorted(range(len(crops)), key=lambda i: prepared[i][0].shape[1])
        out: list[Reading | None] = [None] * len(crops)
        batch: list[int] = []
        for i in order:
            width = max(MIN_WIDTH, prepared[i][0].shape[1])
            if batch and width * HEIGHT * (len(batch) + 1) > BATCH_PIXELS:
                self._run(batch, prepared, out)
                batch = []
            batch.append(i)
        if batch:
            self._run(batch, prepared, out)
        return out  # type: ignore[return-value]

    def _run(self, batch: list[int], prepared: list[tuple[np.ndarray, float]], out: list[Reading | None]) -> None:
        width = max(MIN_WIDTH, max(prepared[i][0].shape[1] for i in batch))
        x = np.zeros((len(batch), 3, HEIGHT, width), dtype=np.float32)
        for n, i in enumerate(batch):
            img = prepared[i][0]
            x[n, :, :, : img.shape[1]] = img[None, :, :]
        probs = self.session.run(None, {self.input: x})[0]
        for n, i in enumerate(batch):
            img, ratio = prepared[i]
            steps = min(probs.shape[1], math.ceil(img.shape[1] / STEP) + 1)
            out[i] = _decode(probs[n, :steps], ratio, self.charset, self.twins)


def _threads() -> int:
    try:
        return max(1, int(os.environ.get("NIANBAO_OCR_THREADS", "")))
    except ValueError:
        return max(1, min(2, os.cpu_count() or 1))


def _prepare(crop: np.ndarray, squeeze: float = 1.0) -> tuple[np.ndarray, float]:
    """The crop resized to the model's height, normalised to [-1, 1]; and the horizontal resize ratio."""
    from PIL import Image

    h, w = crop.shape[:2]
    ratio = HEIGHT / max(h, 1) * squeeze
    new_w = int(min(MAX_WIDTH, max(1, math.ceil(w * ratio))))
    ratio = new_w / max(w, 1)
    img = Image.fromarray(crop).resize((new_w, HEIGHT), Image.Resampling.BILINEAR)
    arr = np.asarray(img, dtype=np.float32) / 127.5 - 1.0
    return arr, ratio


def _decode(probs: np.ndarray, ratio: float, charset: list[str], twins: list[tuple[str, list[int]]]) -> Reading:
    """CTC greedy decoding that keeps each character's certainty and position."""
    best = probs.argmax(axis=1)
    peak = probs[np.arange(len(best)), best]
    glyphs: list[Glyph] = []
    runs: list[tuple[int, int]] = []
    t = 0
    n = len(best)
    while t < n:
        k = best[t]
        end = t
        while end + 1 < n and best[end + 1] == k:
            end += 1
        if k != 0:
            runs.append((t, end))
        t = end + 1
    near = np.zeros(n, dtype=bool)  # steps next to a character read: its own probability spills there
    for a, b in runs:
        near[max(0, a - 1) : b + 2] = True
    for a, b in runs:
        k = int(best[a])
        at = a + int(np.argmax(peak[a : b + 1]))
        row = probs[at].copy()
        row[k] = 0.0
        row[0] = 0.0
        alt = int(np.argmax(row))
        masses = sorted(((float(probs[at, idx].sum()), d) for d, idx in twins), reverse=True)
        glyphs.append(
            Glyph(
                text=charset[k] if k < len(charset) else "",
                prob=float(peak[at]),
                alt=charset[alt] if alt < len(charset) else "",
                alt_prob=float(row[alt]),
                x0=a * STEP / ratio,
                x1=(b + 1) * STEP / ratio,
                digit=masses[0][1],
                digit_prob=masses[0][0],
                rival_prob=masses[1][0],
            )
        )
    blank_steps = (best == 0) & ~near
    doubt = float(probs[blank_steps, 1:].max()) if blank_steps.any() else 0.0
    for a, b in runs:
        if b - a >= 2:  # a dip towards "nothing" inside one character's steps: perhaps two of them
            doubt = max(doubt, float(probs[a + 1 : b, 0].max()))
    return Reading(tuple(glyphs), doubt)
