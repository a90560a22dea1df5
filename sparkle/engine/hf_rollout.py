"""The `hf` rollout backend for verl 0.9.1: the in-worker adapter and the replica that starts servers.

verl resolves a rollout name twice (verl-notes.md §5): `_ROLLOUT_REGISTRY[(name, "async")]` gives the
adapter that lives inside each hybrid actor worker (weight sync, sleep/wake), and
`RolloutReplicaRegistry` gives the replica that launches the generation servers the agent loop
talks to. `register()` adds both under the name `hf`; nothing else in verl changes.

Layout: one server per replica (tensor parallel size 1: one replica per trainer rank). The server is
a named Ray actor with `num_cpus=0` placed on its worker's node. Weight sync follows verl's naive
checkpoint engine: each trainer rank iterates the full (all-gathered) tensors the FSDP engine yields,
and the replica's rank 0 sends them to its server in one call.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import ray
import torch
from verl.workers.rollout.base import _ROLLOUT_REGISTRY, BaseRollout
from verl.workers.rollout.replica import RolloutReplica, RolloutReplicaRegistry

from sparkle.engine.hf_server import HFRolloutServer

ROLLOUT_NAME = "hf"


def server_name(replica_rank: int, suffix: str = "") -> str:
    """The Ray actor name of a replica's server."""
    return f"sparkle_hf_server_{replica_rank}{suffix}"


class HFServerAdapter(BaseRollout):
    """Adapter inside a trainer worker: forwards synced weights to its replica's server."""

    def __init__(self, config: Any, model_config: Any, device_mesh: Any, replica_rank: int = -1) -> None:
        super().__init__(config, model_config, device_mesh)
        rank = int(os.environ.get("RANK", "0"))
        world = (
            self.config.tensor_model_parallel_size
            * self.config.data_parallel_size
            * self.config.pipeline_model_parallel_size
        )
        self.replica_rank = rank // world if replica_rank < 0 else replica_rank
        self.is_server_rank = rank % world == 0
        self._server: Any = None

    def _server_handle(self) -> Any:
        if self._server is None:
            self._server = ray.get_actor(server_name(self.replica_rank))
        return self._server

    async def resume(self, tags: list[str]) -> None:
        return None  # nothing is released on CPU

    async def release(self) -> None:
        return None

    async def update_weights(
        self, weights: Iterable[tuple[str, torch.Tensor]], wire_format: str = "named_tensors", **kwargs: Any
    ) -> None:
        """Collect the full tensors and load them into this replica's server (rank 0 of the replica).

        Every rank must drain the generator: producing a full tensor is a collective all-gather.
        """
        if wire_format != "named_tensors":
            raise NotImplementedError(f"the hf rollout supports wire_format='named_tensors', not {wire_format!r}")
        state = {}
        for name, tensor in weights:
            full = tensor.full_tensor() if hasattr(tensor, "full_tensor") else tensor
            if self.is_server_rank:
                state[name] = full.detach().to("cpu", dtype=torch.float32, copy=True)
        if self.is_server_rank:
            server = self._server_handle()
            await server.load_weights.remote(state)
            await server.set_global_steps.remote(kwargs.get("global_steps"))


class HFReplica(RolloutReplica):
    """Starts one `HFRolloutServer` actor per replica."""

    async def launch_servers(self) -> None:
        node_id = None
        if self.workers:
            node_id = await self.workers[0].__ray_call__.remote(lambda _: ray.get_runtime_context().get_node_id())
        options: dict[str, Any] = {
            "name": server_name(self.replica_rank, self.name_suffix),
            "num_cpus": 0,
            "max_concurrency": self.max_concurrency,
        }
        if node_id is not None:
            options["scheduling_strategy"] = ray.util.scheduling_strategies.NodeAffinitySchedulingStrategy(
                node_id=node_id, soft=False
            )
        server = (
            ray.remote(HFRolloutServer)
            .options(**options)
            .remote(config=self.config, model_config=self.model_config, replica_rank=self.replica_rank)
        )
        self.servers = [server]
        self._server_handle = server
        self._server_address = f"hf://{server_name(self.replica_rank, self.name_suffix)}"


def register() -> None:
    """Make `actor_rollout_ref.rollout.name=hf` resolvable in this process."""
    _ROLLOUT_REGISTRY[(ROLLOUT_NAME, "async")] = f"{HFServerAdapter.__module__}.{HFServerAdapter.__qualname__}"
    RolloutReplicaRegistry.register(ROLLOUT_NAME, lambda: HFReplica)
