"""The shipped base model is what base seed 0's pretraining phase starts from and is used only for its recipe."""

import json
from dataclasses import replace

from transformers import AutoConfig, AutoModelForCausalLM

from sparkle.demo.base import (
    RECIPE_FILE,
    SHIPPED_BASE,
    pretrain_base,
    pretraining_recipe,
    problem_split,
    random_demo_model,
    read_pretraining,
    shipped_base,
)
from sparkle.demo.settings import FULL, QUICK


def test_the_default_and_quick_settings_use_the_shipped_base() -> None:
    assert shipped_base(FULL) == SHIPPED_BASE
    assert shipped_base(QUICK) == SHIPPED_BASE  # CI's `--quick` runs from it too
    # what comes after the base (the seed, GRPO, sampling) does not change it
    assert shipped_base(replace(FULL, seed=7, carry_slip=0.5, stage2_steps=3, mine_samples=2)) == SHIPPED_BASE


def test_any_setting_of_the_pretraining_phase_asks_for_a_fresh_base() -> None:
    for change in (
        {"base_seed": 1},
        {"pretrain_steps": 700},
        {"pretrain_carry_slip": 0.6},
        {"hidden_size": 64},
        {"hard_pool": 64},
    ):
        assert shipped_base(replace(FULL, **change)) is None, change


def test_the_recipe_names_the_problems_text() -> None:
    recipe = pretraining_recipe(FULL)
    hard = recipe["examples"][1]
    assert hard["problem"].startswith("Sam has ") and "\nMon " in hard["problem"]
    assert json.loads(json.dumps(recipe)) == recipe  # stored as JSON, compared after a round trip


def test_the_shipped_base_has_base_seed_0s_tokenizer_and_shape(tmp_path) -> None:
    split = problem_split(FULL)
    fresh = random_demo_model(tmp_path / "random", FULL, [*split.easy, *split.hard_warm[:600]])
    assert (SHIPPED_BASE / "tokenizer.json").read_text() == (fresh / "tokenizer.json").read_text()
    shipped_config, fresh_config = (AutoConfig.from_pretrained(path).to_dict() for path in (SHIPPED_BASE, fresh))
    for config in (shipped_config, fresh_config):
        config.pop("_name_or_path")
    assert shipped_config == fresh_config
    model = AutoModelForCausalLM.from_pretrained(SHIPPED_BASE)
    random = AutoModelForCausalLM.from_pretrained(fresh)
    # pretrained, not the initialisation
    assert not all((a == b).all() for a, b in zip(model.parameters(), random.parameters(), strict=True))
    stored = read_pretraining(SHIPPED_BASE)
    assert stored is not None and 0 < stored["final_loss"] < 0.1
    assert read_pretraining(fresh) is None and not (fresh / RECIPE_FILE).exists()


def test_no_pretraining_steps_leave_the_random_model(tmp_path) -> None:
    settings = replace(FULL, pretrain_steps=0)
    assert shipped_base(settings) is None
    model = pretrain_base(tmp_path, settings, problem_split(settings))
    assert model == tmp_path / "random_init" and read_pretraining(model) is None
    assert not (tmp_path / "pretrain").exists()  # no SFT run
