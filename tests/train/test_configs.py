"""Every stage config, composed exactly as the launch scripts compose it (8 GPUs, vLLM), passes
verl 0.9.1's own checks, and every key Sparkle sets exists in verl's trainer schema."""

from __future__ import annotations

import pytest
import torch
from omegaconf import DictConfig, OmegaConf
from verl.trainer.ppo.utils import need_critic, need_reference_policy
from verl.utils.config import omega_conf_to_dataclass, validate_config
from verl.utils.torch_dtypes import PrecisionType
from verl.workers.config import RolloutConfig

from sparkle.train.configs import CPU_PRESET, REPO_CONFIG_DIR, STAGE_CONFIGS, compose

# Keys Sparkle adds on purpose; everything else must already exist in verl's ppo_trainer.
ADDED_KEYS = {
    "reward.custom_reward_function.reward_kwargs.mode",
    "actor_rollout_ref.model.override_config.attn_implementation",
    "ray_kwargs.ray_init.num_gpus",
    "ray_kwargs.ray_init.runtime_env.env_vars.VERL_PLATFORM",
    "ray_kwargs.ray_init.runtime_env.env_vars.VERL_ENGINE_DEVICE",
    "ray_kwargs.ray_init.runtime_env.env_vars.TOKENIZERS_PARALLELISM",
    "ray_kwargs.ray_init.runtime_env.env_vars.OMP_NUM_THREADS",
    # a field of verl's FSDPEngineConfig that its yaml leaves out
    *(
        f"actor_rollout_ref.actor.fsdp_config.mixed_precision.{k}"
        for k in ("param_dtype", "reduce_dtype", "buffer_dtype")
    ),
    "actor_rollout_ref.ref.fsdp_config.mixed_precision",
}
MODEL = "actor_rollout_ref.model.path=Qwen/Qwen2.5-Math-7B"


def _leaves(node, prefix=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("hydra", "defaults"):
                continue
            yield from _leaves(value, f"{prefix}{key}.")
    else:
        yield prefix[:-1]


def _has(config: DictConfig, dotted: str) -> bool:
    node = config
    for part in dotted.split("."):
        # `in node` is False for a mandatory (???) key; `.keys()` lists it
        if not isinstance(node, DictConfig) or part not in node.keys():  # noqa: SIM118
            return False
        node = node._get_node(part)
    return True


YAMLS = sorted(str(p.relative_to(REPO_CONFIG_DIR).with_suffix("")) for p in REPO_CONFIG_DIR.rglob("*.yaml"))


@pytest.mark.parametrize("yaml_name", YAMLS)
def test_every_key_we_set_exists_in_verls_schema(yaml_name: str) -> None:
    from hydra import compose as hydra_compose
    from hydra import initialize_config_module

    ours = OmegaConf.to_container(OmegaConf.load(REPO_CONFIG_DIR / f"{yaml_name}.yaml"))
    with initialize_config_module(config_module="verl.trainer.config", version_base=None):
        schema = hydra_compose(config_name="ppo_trainer")
    unknown = [key for key in _leaves(ours) if key not in ADDED_KEYS and not _has(schema, key)]
    assert unknown == []


@pytest.mark.parametrize(("stage", "variant"), list(STAGE_CONFIGS))
def test_gpu_configs_pass_verls_validation(stage: str, variant: str | None) -> None:
    config = compose(REPO_CONFIG_DIR, STAGE_CONFIGS[(stage, variant)], [MODEL])
    OmegaConf.resolve(config)
    assert config.trainer.n_gpus_per_node == 8 and config.actor_rollout_ref.rollout.name == "vllm"
    validate_config(config, use_reference_policy=need_reference_policy(config), use_critic=need_critic(config))
    rollout = omega_conf_to_dataclass(config.actor_rollout_ref.rollout, dataclass_type=RolloutConfig)
    assert rollout.val_kwargs.do_sample and rollout.val_kwargs.n == 8 and rollout.n == 32
    omega_conf_to_dataclass(config.algorithm)


def test_stage_values_follow_the_original_recipe() -> None:
    one = compose(REPO_CONFIG_DIR, "stage_one", [MODEL])
    two = compose(REPO_CONFIG_DIR, "stage_two_aug", [MODEL])
    assert (one.actor_rollout_ref.actor.kl_loss_coef, two.actor_rollout_ref.actor.kl_loss_coef) == (0.001, 0.01)
    assert one.reward.custom_reward_function.reward_kwargs.mode == "spk_h"
    assert two.reward.custom_reward_function.reward_kwargs.mode == "spk_h_aug"
    assert two.data.val_files == "data/sparkle_aime2024.parquet"
    assert one.data.train_batch_size == 128 and one.actor_rollout_ref.actor.ppo_mini_batch_size == 64
    assert one.algorithm.adv_estimator == "grpo"


def test_cpu_preset_layers_onto_any_stage() -> None:
    config = compose(REPO_CONFIG_DIR, "stage_two_aug", [CPU_PRESET, MODEL])
    assert config.actor_rollout_ref.rollout.name == "hf"
    assert config.actor_rollout_ref.actor.strategy == "fsdp2"
    assert config.ray_kwargs.ray_init.num_gpus == config.trainer.n_gpus_per_node == 2
    assert config.ray_kwargs.ray_init.runtime_env.env_vars.VERL_PLATFORM == "cpu"
    assert config.actor_rollout_ref.actor.kl_loss_coef == 0.01  # the stage's values survive
    for role in ("actor", "ref"):  # fp32 compute for actor and reference, as verl's engine config reads it
        engine = omega_conf_to_dataclass(config.actor_rollout_ref[role].fsdp_config)
        assert {PrecisionType.to_dtype(v) for v in engine.mixed_precision.values()} == {torch.float32}
