"""Data pipeline: the stage-1 set, stage-2 partial-solution augmentation, hard/mix sets and benchmarks.

Each module does one job:

- `prompts`: the exact prompt texts of the original (instruction, plain, augmented, fine-grained).
- `schema`: verl `RLHFDataset` rows and deterministic, atomic parquet + JSONL output.
- `sources`: load a hub id (through `datasets.load_dataset`) or a local .parquet/.jsonl/.json file or folder.
- `validate`: bad-input checks that name the file, row and field.
- `split`: the original's heuristic split of a reference solution into steps.
- `tokens`: prompt lengths in tokens as verl measures them; trimming hints at step boundaries.
- `stage1`, `stage2`, `variants`: the training sets.
- `benchmarks`: the five evaluation sets and the fine-grained `sparkle_preview` loader.
- `sampler`, `mining`: sample a model on problems (hard-problem mining, learning-signal probe).
- `cli`: `sparkle data ...`.
"""
