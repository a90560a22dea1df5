"""The reward loads and runs through verl 0.9.1's own custom-reward loader (no stand-ins)."""

from omegaconf import OmegaConf
from verl.trainer.ppo.reward import get_custom_reward_fn

CONTINUATION = "more work\n</think>\n<answer>\n\\boxed{179}\n</answer>"


def _load(mode: str | None):
    hook = {"path": "pkg://sparkle.reward", "name": "compute_score"}
    if mode:
        hook["reward_kwargs"] = {"mode": mode}
    return get_custom_reward_fn(OmegaConf.create({"reward": {"custom_reward_function": hook}}))


def test_mode_comes_from_reward_kwargs_and_extra_info_reaches_the_scorer() -> None:
    stage_two = _load("spk_h_aug")
    hinted = {"split": "train", "index": "3_2", "thinking_level": 2, "total_thinking_levels": 4, "augmented": True}
    result = stage_two(data_source="sparkle_hardmath", solution_str=CONTINUATION, ground_truth="179", extra_info=hinted)
    assert result["score"] == 2.0 and result["acc"] == 1.0
    level0 = {"split": "train", "index": "3_0", "thinking_level": 0, "augmented": False}
    result = stage_two(data_source="sparkle_hardmath", solution_str=CONTINUATION, ground_truth="179", extra_info=level0)
    assert result["score"] == 1.0  # correct, but a level-0 response must open <think> itself


def test_default_mode_is_spk_h() -> None:
    stage_one = _load(None)
    result = stage_one(data_source="sparkle_dsr40k", solution_str=CONTINUATION, ground_truth="179", extra_info={})
    assert result["score"] == 1.0
