"""A probe reward for the end-to-end training test: Sparkle's real `compute_score`, plus a record of
every call and a tiny response-dependent tie-breaker.

The tiny random model never answers correctly, so every real score in a group is equal and GRPO's
advantages would all be zero. Adding 0.001 * (len(response) % 5) gives groups variance, so the test
can check verl's group normalisation against the recorded scores. Loaded by verl through
`reward.custom_reward_function.path=<this file>`; `record_to` comes from `reward_kwargs`.
"""

import json

from sparkle.reward import compute_score as sparkle_compute_score

HINT_KEYS = ("index", "thinking_level", "total_thinking_levels", "augmented", "global_steps")


def compute_score(data_source, solution_str, ground_truth, extra_info=None, record_to=None, **kwargs):
    result = sparkle_compute_score(data_source, solution_str, ground_truth, extra_info, **kwargs)
    result["score"] += 0.001 * (len(solution_str) % 5)
    if record_to:
        info = {k: extra_info.get(k) for k in HINT_KEYS if extra_info and k in extra_info}
        record = {"mode": kwargs.get("mode"), "score": result["score"], "extra_info": info}
        with open(record_to, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, default=str) + "\n")
    return result
