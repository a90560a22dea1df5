"""A streaming safetensors writer: tensors are appended piece by piece, never held whole.

`safetensors.torch.save_file` needs every tensor of a file in memory at once; for a 7B model that is the
whole model. The format makes streaming easy, though: a file is an 8-byte little-endian header length,
a JSON header mapping each name to ``{dtype, shape, data_offsets}`` (padded with spaces to a multiple
of 8), then the tensors' raw little-endian bytes back to back, in header order. Since every shape and
dtype is known from the merge plan before any data is read, we write the header first and then append
each tensor's bytes as its pieces arrive (for dim-0 shards, the pieces' bytes in rank order *are* the
tensor's bytes). Counts are checked per tensor and per file, so a short write cannot go unnoticed.

Like `transformers.save_pretrained`, the weights are split into files of at most `max_file_bytes`
(a tensor larger than that gets a file of its own) named ``model-0000i-of-0000n.safetensors`` with a
``model.safetensors.index.json``, or a single ``model.safetensors``.
"""

from __future__ import annotations

import json
import struct
import sys
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import torch

from sparkle.checkpoint.dtypes import SAFETENSORS_TAGS

SINGLE_FILE = "model.safetensors"
INDEX_FILE = "model.safetensors.index.json"
DEFAULT_MAX_FILE_BYTES = 5 * 10**9


@dataclass(frozen=True)
class TensorEntry:
    """A tensor to be written: name, stored dtype and shape."""

    name: str
    dtype: torch.dtype
    shape: tuple[int, ...]

    @property
    def nbytes(self) -> int:
        """Size of the tensor's data."""
        n = torch.empty((), dtype=self.dtype).element_size()
        for size in self.shape:
            n *= size
        return n


def split_into_files(entries: list[TensorEntry], max_file_bytes: int) -> list[list[TensorEntry]]:
    """Group `entries` in order into files of at most `max_file_bytes` (oversized tensors alone)."""
    files: list[list[TensorEntry]] = []
    current: list[TensorEntry] = []
    size = 0
    for entry in entries:
        if current and size + entry.nbytes > max_file_bytes:
            files.append(current)
            current, size = [], 0
        current.append(entry)
        size += entry.nbytes
    if current or not files:
        files.append(current)
    return files


def file_names(count: int) -> list[str]:
    """The weight file names transformers uses for `count` files."""
    if count == 1:
        return [SINGLE_FILE]
    return [f"model-{i:05d}-of-{count:05d}.safetensors" for i in range(1, count + 1)]


def tensor_bytes(tensor: torch.Tensor) -> memoryview:
    """The tensor's raw bytes in row-major order, without a copy when it is contiguous."""
    flat = tensor.detach().contiguous().reshape(-1)
    return memoryview(flat.view(torch.uint8).numpy()).cast("B")


class SafetensorsFile:
    """Write one safetensors file whose tensors are given up front and whose data is appended in order.

    Use as a context manager: `begin(name)`, then `append(tensor)` one or more times with consecutive row
    blocks (or the whole tensor), then the next `begin`. Leaving the block checks that every tensor was
    completed; an exception inside the block leaves a partial file for the caller to delete.
    """

    def __init__(self, path: str | Path, entries: list[TensorEntry], metadata: dict[str, str] | None = None) -> None:
        if sys.byteorder != "little":
            raise RuntimeError("safetensors stores little-endian data; this machine is big-endian")
        self.path = Path(path)
        self.entries = entries
        header: dict[str, object] = {"__metadata__": dict(metadata or {"format": "pt"})}
        offset = 0
        for entry in entries:
            header[entry.name] = {
                "dtype": SAFETENSORS_TAGS[entry.dtype],
                "shape": list(entry.shape),
                "data_offsets": [offset, offset + entry.nbytes],
            }
            offset += entry.nbytes
        raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
        raw += b" " * (-len(raw) % 8)
        self._header = struct.pack("<Q", len(raw)) + raw
        self._next = 0
        self._current: TensorEntry | None = None
        self._written = 0
        self._handle = None

    def __enter__(self) -> SafetensorsFile:
        self._handle = self.path.open("wb")
        self._handle.write(self._header)
        return self

    def begin(self, name: str) -> None:
        """Start the next tensor, which must be `name`."""
        self._finish_current()
        if self._next >= len(self.entries) or self.entries[self._next].name != name:
            expected = self.entries[self._next].name if self._next < len(self.entries) else "nothing"
            raise RuntimeError(f"{self.path.name}: expected tensor {expected}, got {name}")
        self._current = self.entries[self._next]
        self._next += 1
        self._written = 0

    def append(self, tensor: torch.Tensor) -> None:
        """Append a row block of the current tensor (its dtype must be the entry's)."""
        entry = self._current
        if entry is None or self._handle is None:
            raise RuntimeError("append() before begin()")
        if tensor.dtype != entry.dtype:
            raise RuntimeError(f"{entry.name}: got {tensor.dtype}, the header says {entry.dtype}")
        if tensor.numel() == 0:
            return
        data = tensor_bytes(tensor)
        if self._written + data.nbytes > entry.nbytes:
            raise RuntimeError(f"{entry.name}: more data than its shape {entry.shape} holds")
        self._handle.write(data)
        self._written += data.nbytes

    def _finish_current(self) -> None:
        if self._current is not None and self._written != self._current.nbytes:
            raise RuntimeError(f"{self._current.name}: wrote {self._written} of {self._current.nbytes} bytes")
        self._current = None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        handle, self._handle = self._handle, None
        try:
            if exc_type is None:
                self._finish_current()
                if self._next != len(self.entries):
                    raise RuntimeError(f"{self.path.name}: {len(self.entries) - self._next} tensors never written")
        finally:
            if handle is not None:
                handle.close()


def write_index(directory: str | Path, files: list[list[TensorEntry]], names: list[str]) -> Path | None:
    """Write ``model.safetensors.index.json`` for several files (None for a single file)."""
    if len(names) == 1:
        return None
    weight_map = {entry.name: name for name, group in zip(names, files, strict=True) for entry in group}
    total = sum(entry.nbytes for group in files for entry in group)
    path = Path(directory) / INDEX_FILE
    path.write_text(
        json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=2) + "\n", encoding="utf-8"
    )
    return path
