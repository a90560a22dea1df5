"""verl's v1 replay buffer with a short poll interval, for CPU runs whose steps take seconds.

verl 0.9.1's synchronous `ReplayBuffer.sample` checks TransferQueue for finished rollouts and
sleeps `poll_interval` (2 s, not configurable) between checks, so every generation phase lasts a
whole number of polls: on the CPU miniature, where a batch is generated in well under a second,
each step and each validation waited 2 s. verl's hook for a different sampler is
`trainer.v1.sampler.custom_sampler.{path,name}`; the `cpu` preset points it here.

Through that hook verl passes only the base arguments (`custom implementations own their filtering
semantics`), so DAPO group filtering (`algorithm.filter_groups`) is not available with this sampler;
`sparkle train` refuses the combination.
"""

from __future__ import annotations

from typing import Any

from verl.trainer.ppo.v1.replay_buffer import ReplayBuffer

POLL_INTERVAL_SECONDS = 0.05


class QuickPollReplayBuffer(ReplayBuffer):
    """`ReplayBuffer` polling every `POLL_INTERVAL_SECONDS` instead of every 2 s."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("poll_interval", POLL_INTERVAL_SECONDS)
        super().__init__(*args, **kwargs)
