"""A `cpu` platform for verl 0.9.1, so that `main_ppo` (FSDP2 + gloo) runs without accelerators.

verl resolves its device layer through `verl.plugin.platform`; 0.9.1 ships nvidia, huawei and amd
platforms only, and on a machine without them falls back to nvidia (NCCL). This platform is
registered under the name `cpu` and is selected only by `VERL_PLATFORM=cpu`: its
`is_platform_available` is False, so auto-detection never picks it and installing Sparkle changes
nothing for GPU users.

Choices (verl-notes.md §6.1, §7):
- `current_device()` returns "cpu", not 0: verl passes it straight to `.to()`, `device=` and FSDP.
- `device_module` is `torch.cpu` plus the `torch.cuda`-style calls verl makes through
  `get_torch_device()` (cache and memory queries, RNG state), as no-ops or host equivalents.
- Ray still schedules workers on "GPU" resources (verl's resource pools count only GPU/NPU), so
  the launcher declares fake Ray GPUs (`+ray_kwargs.ray_init.num_gpus=N`); see configs/cpu.yaml.

Two process-wide adjustments are applied when the platform is instantiated, i.e. only in processes
that selected it:
- verl builds the process-group backend as f"cpu:gloo,{device}:{backend}", which on CPU reads
  "cpu:gloo,cpu:gloo" and torch rejects the duplicate; the duplicate is collapsed to "gloo"
  (verl/utils/distributed.py, `initialize_global_process_group*`).
- the FSDP2 reference model is offloaded with `CPUOffloadPolicy(pin_memory=True)`, and pinning
  needs an accelerator; pinning is turned off (verl/workers/engine/fsdp/transformer_impl.py).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import psutil
import torch
import torch.distributed
from torch.distributed.fsdp import CPUOffloadPolicy
from verl.plugin.platform import PlatformBase, PlatformRegistry

PLATFORM_NAME = "cpu"


def _noop(*args: Any, **kwargs: Any) -> None:
    return None


def _zero(*args: Any, **kwargs: Any) -> int:
    return 0


def _mem_get_info(*args: Any, **kwargs: Any) -> tuple[int, int]:
    memory = psutil.virtual_memory()
    return memory.available, memory.total


class _CpuDeviceModule(SimpleNamespace):
    """`torch.cpu` with the extra `torch.cuda`-style functions verl calls via `get_torch_device()`."""

    def __getattr__(self, name: str) -> Any:
        return getattr(torch.cpu, name)


DEVICE_MODULE = _CpuDeviceModule(
    current_device=lambda: "cpu",
    device_count=lambda: 1,
    set_device=_noop,
    synchronize=_noop,
    empty_cache=_noop,
    ipc_collect=_noop,
    set_per_process_memory_fraction=_noop,
    mem_get_info=_mem_get_info,
    memory_allocated=_zero,
    memory_reserved=_zero,
    max_memory_allocated=_zero,
    max_memory_reserved=_zero,
    reset_peak_memory_stats=_noop,
    get_rng_state=lambda *a, **k: torch.get_rng_state(),
    set_rng_state=lambda state, *a, **k: torch.set_rng_state(state),
    manual_seed=torch.manual_seed,
    manual_seed_all=torch.manual_seed,
    get_device_name=lambda *a, **k: "cpu",
    is_available=lambda: True,
)


def _collapse_backend(backend: str | None) -> str | None:
    """ "cpu:gloo,cpu:gloo" -> "gloo"; anything else is returned unchanged."""
    if backend and "," in backend:
        names = {part.split(":")[-1] for part in backend.split(",")}
        if names == {"gloo"}:
            return "gloo"
    return backend


def _apply_process_patches() -> None:
    init = torch.distributed.init_process_group
    if not getattr(init, "_sparkle_cpu", False):

        @functools.wraps(init)
        def init_process_group(*args: Any, backend: str | None = None, **kwargs: Any) -> Any:
            return init(*args, backend=_collapse_backend(backend), **kwargs)

        init_process_group._sparkle_cpu = True  # type: ignore[attr-defined]
        torch.distributed.init_process_group = init_process_group

    if not getattr(CPUOffloadPolicy, "_sparkle_cpu", False):
        original_init = CPUOffloadPolicy.__init__

        @functools.wraps(original_init)
        def __init__(self: CPUOffloadPolicy, *args: Any, **kwargs: Any) -> None:
            original_init(self, *args, **kwargs)
            self.pin_memory = False

        CPUOffloadPolicy.__init__ = __init__
        CPUOffloadPolicy._sparkle_cpu = True


@PlatformRegistry.register(platform=PLATFORM_NAME)
class CpuPlatform(PlatformBase):
    """verl platform for CPU-only machines: gloo collectives, host memory, no profiler."""

    def __init__(self) -> None:
        _apply_process_patches()

    @property
    def device_name(self) -> str:
        return "cpu"

    @property
    def vendor_name(self) -> str:
        return "cpu"

    @property
    def device_module(self) -> Any:
        return DEVICE_MODULE

    def is_available(self) -> bool:
        return True

    def is_platform_available(self, use_smi_check: bool = False) -> bool:
        return False  # never auto-detected: select it with VERL_PLATFORM=cpu

    def current_device(self) -> Any:
        return "cpu"

    def device_count(self) -> int:
        return 1

    def set_device(self, device_index: int) -> None:
        return None

    def synchronize(self, device_index: int | None = None) -> None:
        return None

    def manual_seed(self, seed: int) -> None:
        torch.manual_seed(seed)

    def manual_seed_all(self, seed: int) -> None:
        torch.manual_seed(seed)

    def set_allocator_settings(self, settings: str) -> None:
        return None

    def empty_cache(self) -> None:
        return None

    def get_device_capability(self, device_index: int = 0) -> tuple[int | None, int | None]:
        return None, None

    def communication_backend_name(self) -> str:
        return "gloo"

    def visible_devices_envvar(self) -> str:
        return "CUDA_VISIBLE_DEVICES"

    @contextlib.contextmanager
    def nvtx_range(self, msg: str) -> Iterator[None]:
        yield

    def profiler_start(self) -> None:
        return None

    def profiler_stop(self) -> None:
        return None

    def ray_resource_name(self) -> str:
        return "GPU"

    def ray_noset_envvars(self) -> list[str]:
        return []

    def is_ipc_supported(self) -> bool:
        return False

    def cudart(self) -> Any:
        return None
