"""The merge's parts on their own: chunk arithmetic, the streaming safetensors writer, the reader window."""

from __future__ import annotations

import json
import struct

import pytest
import torch
from ckpt_helpers import actor, reference
from safetensors import safe_open
from safetensors.torch import load_file

from sparkle.checkpoint.dtypes import output_dtype
from sparkle.checkpoint.merge import write_weights
from sparkle.checkpoint.model_spec import load_model_spec
from sparkle.checkpoint.plan import build_plan, chunk_bounds
from sparkle.checkpoint.safetensors_writer import SafetensorsFile, TensorEntry, split_into_files
from sparkle.checkpoint.shards import ShardReader, find_shard_files


@pytest.mark.parametrize("size", [0, 1, 2, 5, 7, 64, 173, 419])
@pytest.mark.parametrize("chunks", [1, 2, 3, 4, 8])
def test_chunk_bounds_match_torch_chunk(size, chunks) -> None:
    pieces = torch.arange(size).chunk(chunks) if size else ()
    expected = [(int(p[0]), len(p)) for p in pieces]
    got = [chunk_bounds(size, chunks, i) for i in range(chunks)]
    assert [g for g in got if g[1]] == expected
    assert sum(length for _, length in got) == size


def test_writer_round_trips_pieces_of_every_dtype(tmp_path) -> None:
    tensors = {
        "a.bf16": torch.randn(5, 3).to(torch.bfloat16),
        "b.fp16": torch.randn(4).to(torch.float16),
        "c.fp32": torch.randn(2, 3, 4),
        "d.int64": torch.arange(6, dtype=torch.int64).reshape(2, 3),
        "e.scalar": torch.tensor(3.5),
        "f.empty": torch.zeros(0, 4),
        "g.bool": torch.tensor([True, False, True]),
    }
    entries = [TensorEntry(k, v.dtype, tuple(v.shape)) for k, v in tensors.items()]
    path = tmp_path / "x.safetensors"
    with SafetensorsFile(path, entries) as handle:
        for name, value in tensors.items():
            handle.begin(name)
            if value.dim() >= 1 and value.shape[0] > 1:
                for block in value.split(2):  # appended as row blocks, like dim-0 shards
                    handle.append(block)
            else:
                handle.append(value)
    loaded = load_file(path)
    assert set(loaded) == set(tensors)
    for name, value in tensors.items():
        assert loaded[name].dtype == value.dtype and torch.equal(loaded[name], value), name
    with safe_open(path, "pt") as handle:
        assert handle.metadata() == {"format": "pt"}
    header_len = struct.unpack("<Q", path.read_bytes()[:8])[0]
    assert header_len % 8 == 0
    json.loads(path.read_bytes()[8 : 8 + header_len])


def test_writer_refuses_wrong_order_short_and_long_writes(tmp_path) -> None:
    entries = [TensorEntry("a", torch.float32, (2, 2)), TensorEntry("b", torch.float32, (2,))]
    with pytest.raises(RuntimeError, match="expected tensor a, got b"), SafetensorsFile(tmp_path / "1", entries) as h:
        h.begin("b")
    with pytest.raises(RuntimeError, match="a: wrote 8 of 16 bytes"), SafetensorsFile(tmp_path / "2", entries) as h:
        h.begin("a")
        h.append(torch.zeros(1, 2))
        h.begin("b")
    with pytest.raises(RuntimeError, match="more data than its shape"), SafetensorsFile(tmp_path / "3", entries) as h:
        h.begin("a")
        h.append(torch.zeros(3, 2))
    with pytest.raises(RuntimeError, match="1 tensors never written"), SafetensorsFile(tmp_path / "4", entries) as h:
        h.begin("a")
        h.append(torch.zeros(2, 2))
    with pytest.raises(RuntimeError, match="the header says"), SafetensorsFile(tmp_path / "5", entries) as h:
        h.begin("a")
        h.append(torch.zeros(2, 2, dtype=torch.float16))


def test_split_into_files_keeps_order_and_puts_oversized_tensors_alone() -> None:
    entries = [TensorEntry(str(i), torch.uint8, (n,)) for i, n in enumerate([4, 4, 10, 1, 1, 1])]
    groups = split_into_files(entries, max_file_bytes=8)
    assert [[e.name for e in g] for g in groups] == [["0", "1"], ["2"], ["3", "4", "5"]]


def test_reader_window_unmaps_files_and_the_result_is_unchanged(experiments, tmp_path) -> None:
    """With a 1-byte window every piece closes its file; the merge re-opens them and still matches."""
    files = find_shard_files(actor(experiments.fsdp2_untied))
    spec = load_model_spec(actor(experiments.fsdp2_untied) / "huggingface", files.actor_dir)
    reader = ShardReader(files, window_bytes=1)
    plan = build_plan(reader, spec)
    reader.release()
    reader.reopens = 0
    write_weights(plan, reader, tmp_path, output_dtype("fp32"), max_file_bytes=10**9)
    assert reader.reopens >= len(plan.tensors)  # each tensor re-opened at least one rank file
    got = load_file(tmp_path / "model.safetensors")
    ref = reference(experiments.fsdp2_untied)
    assert all(torch.equal(got[k], ref[k]) for k in ref)


def test_plan_of_uneven_dim0_shards(experiments) -> None:
    files = find_shard_files(actor(experiments.fsdp2))
    spec = load_model_spec(actor(experiments.fsdp2) / "huggingface", files.actor_dir)
    plan = {t.name: t for t in build_plan(ShardReader(files), spec).tensors}
    assert "lm_head.weight" not in plan  # tied alias of the embedding
    gate = plan["model.layers.0.mlp.gate_proj.weight"]  # 173 rows over 2 ranks: 87 + 86
    assert [(p.rank, p.offset, p.shape) for p in gate.pieces] == [(0, (0, 0), (87, 64)), (1, (87, 0), (86, 64))]
    assert gate.streams_in_order and gate.distributed
