"""Sparkle: two-stage GRPO for mathematical reasoning on verl.

Reproduces and extends SPARKLE (Wang et al. 2025, "Beyond Accuracy: Dissecting Mathematical
Reasoning for LLMs Under Reinforcement Learning"): a rule-based math reward, GRPO on a large math
set, a second stage on hard problems scaffolded with partial solutions, and the fine-grained analysis.
"""

__version__ = "0.1.0"
