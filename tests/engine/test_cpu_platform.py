"""The cpu platform: registered through verl's plugin hook, never auto-detected, gloo-only."""

import subprocess
import sys

import torch
from verl.plugin.platform import PlatformRegistry

from sparkle.engine.cpu_platform import CpuPlatform, _collapse_backend


def test_plugin_is_loaded_by_verl_itself_and_inert_by_default() -> None:
    code = (
        "import verl\n"
        "from verl.plugin.platform import PlatformRegistry, get_platform\n"
        "from verl.workers.rollout.base import _ROLLOUT_REGISTRY\n"
        "from verl.workers.rollout.replica import RolloutReplicaRegistry\n"
        "print(PlatformRegistry.get('cpu').__name__, _ROLLOUT_REGISTRY[('hf', 'async')],"
        " RolloutReplicaRegistry.get('hf').__name__, get_platform().device_name)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "VERL_LOGGING_LEVEL": "ERROR"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.split() == ["CpuPlatform", "sparkle.engine.hf_rollout.HFServerAdapter", "HFReplica", "cuda"]
    selected = subprocess.run(
        [sys.executable, "-c", "import verl; from verl.utils.device import get_device_name; print(get_device_name())"],
        capture_output=True,
        text=True,
        env={**env, "VERL_PLATFORM": "cpu"},
        check=True,
    ).stdout
    assert selected.strip() == "cpu"


def test_platform_reports_cpu_devices_and_gloo() -> None:
    platform = CpuPlatform()
    assert PlatformRegistry.get("cpu") is CpuPlatform
    assert not platform.is_platform_available(use_smi_check=True)
    assert platform.current_device() == "cpu"
    assert platform.communication_backend_name() == "gloo"
    assert torch.zeros(2).to(platform.current_device()).device.type == "cpu"
    free, total = platform.device_module.mem_get_info()
    assert 0 < free <= total
    state = platform.device_module.get_rng_state()
    first = torch.rand(1)
    platform.device_module.set_rng_state(state)
    assert torch.equal(torch.rand(1), first)


def test_backend_string_collapses_only_duplicate_gloo() -> None:
    assert _collapse_backend("cpu:gloo,cpu:gloo") == "gloo"
    assert _collapse_backend("cpu:gloo,cuda:nccl") == "cpu:gloo,cuda:nccl"
    assert _collapse_backend("gloo") == "gloo"
    assert _collapse_backend(None) is None


def test_offload_policy_never_pins_memory_once_the_platform_is_active() -> None:
    from torch.distributed.fsdp import CPUOffloadPolicy

    CpuPlatform()
    assert CPUOffloadPolicy(pin_memory=True).pin_memory is False
