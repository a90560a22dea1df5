"""Atomic outputs: complete or absent, with the permissions a plain open() would give."""

import os

import pytest

from sparkle.io import atomic_path, write_text_atomic


def test_written_file_has_umask_permissions(tmp_path) -> None:
    target = tmp_path / "out" / "file.txt"
    write_text_atomic(target, "hello")
    mask = os.umask(0)
    os.umask(mask)
    assert target.read_text() == "hello"
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_failure_leaves_the_target_untouched_and_no_temp_file(tmp_path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.txt"]
