"""Run the SPARKLE lm-eval tasks for every model x task through lm-eval's Python API.

For each model, the model is loaded once (`lm_eval.api.registry.get_model`: ``hf`` or ``vllm``) and
every task still to do is evaluated with `lm_eval.simple_evaluate` as the original's script did:
chat template applied, samples logged. Each finished model x task pair is written to
``DIR/<model name>/<task>/``:

- ``samples.jsonl``: lm-eval's logged samples (prompt, all sampled responses, per-problem metrics);
- ``results.json``: lm-eval's results dict (aggregates, task configs, versions, environment), plus a
  ``sparkle`` block with the settings that define the pair and the wall time. It is written last and
  atomically, so its presence marks the pair as finished.

A pair whose ``results.json`` has the same settings (model path, task, samples per problem, limit,
max_gen_toks, seed) is skipped; one with different settings is an error unless ``rerun`` (the
original's skip check looked for a path lm-eval never writes, so it never skipped, §9.1).

The number of samples per problem overrides the task's ``repeats`` (and the metric list follows), and
``max_gen_toks`` its generation budget. Before generating, every chat-templated prompt is checked to
fit beside ``max_gen_toks`` in the model's context: lm-eval would otherwise cut the prompt from the
left without failing. With the ``hf`` backend, ``top_k=0`` and ``repetition_penalty=1.0`` are passed
so that a ``generation_config.json`` cannot add sampling rules the task does not state (vLLM ignores
it). vLLM runs each model in a fresh process, so GPU memory is returned between models.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from sparkle.errors import UserError
from sparkle.eval.metrics import SAMPLE_METRIC, metric_names
from sparkle.eval.tasks import ENV_VAR, HUB_TASKS, LOCAL_SUFFIX, LOCAL_TASKS, METADATA_KEY, local_file
from sparkle.io import atomic_path

RESULTS_FILE = "results.json"
SAMPLES_FILE = "samples.jsonl"
FILTER = "all_samples"
TASK_SETS = {"all": HUB_TASKS, "all_local": LOCAL_TASKS}
REPO_TASKS_DIR = Path(__file__).resolve().parents[2] / "eval" / "tasks"
DEFAULT_BENCHMARKS_DIR = Path("data") / "eval"


@dataclass(frozen=True)
class ModelSpec:
    """A model to evaluate: its row name in the tables and its path (local directory or hub id)."""

    name: str
    path: str


@dataclass(frozen=True)
class EvalSettings:
    """What a pair's results depend on; a finished pair is reused only if these match."""

    samples: int = 8
    limit: int | None = None
    max_gen_toks: int | None = None
    """None keeps the task's value (3,000)."""
    seed: int = 1234


@dataclass(frozen=True)
class Engine:
    """How to run the model; results do not depend on it (beyond sampling noise)."""

    backend: str = "hf"
    dtype: str = "auto"
    device: str | None = None
    batch_size: str = "auto"
    tensor_parallel_size: int = 1
    data_parallel_size: int = 1
    gpu_memory_utilization: float = 0.9
    max_model_len: int | None = None


@dataclass
class TaskSource:
    """Where the task YAMLs and the local benchmark files are."""

    include_path: Path = REPO_TASKS_DIR
    benchmarks_dir: Path | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def task_manager(self) -> Any:
        from lm_eval.tasks import TaskManager

        metadata = dict(self.metadata)
        if self.benchmarks_dir is not None:
            metadata[METADATA_KEY] = str(self.benchmarks_dir)
        return TaskManager(include_path=str(self.include_path), include_defaults=False, metadata=metadata)


def resolve_tasks(names: Sequence[str]) -> tuple[str, ...]:
    """Expand ``all`` (hub tasks) / ``all_local`` and comma lists; reject unknown names."""
    known = (*HUB_TASKS, *LOCAL_TASKS)
    tasks: list[str] = []
    for item in names:
        for name in filter(None, (part.strip() for part in item.split(","))):
            expanded = TASK_SETS.get(name, (name,))
            for task in expanded:
                if task not in known:
                    raise UserError(f"unknown task {task!r}; known: all, all_local, {', '.join(known)}")
                if task not in tasks:
                    tasks.append(task)
    if not tasks:
        raise UserError("no tasks given")
    return tuple(tasks)


def model_specs(models: Sequence[str], names: Sequence[str] | None = None) -> list[ModelSpec]:
    """Name each model (``--names``, else the last path component) and resolve local paths."""
    if names is not None and len(names) != len(models):
        raise UserError(f"--names gives {len(names)} names for {len(models)} models")
    specs = []
    for i, model in enumerate(models):
        local = Path(model).expanduser()
        is_local = local.exists() or model.startswith((".", "/", "~")) or model.count("/") != 1
        if is_local and not local.is_dir():
            raise UserError(f"{model}: not a model directory (a hub id is OWNER/NAME)")
        path = str(local.resolve()) if is_local else model
        name = names[i] if names is not None else Path(path).name
        if not name or "/" in name or name in (".", ".."):
            raise UserError(f"model name {name!r} cannot be a directory name; pass --names")
        specs.append(ModelSpec(name, path))
    seen: dict[str, str] = {}
    for spec in specs:
        if spec.name in seen and seen[spec.name] != spec.path:
            raise UserError(
                f"two models are both named {spec.name!r} ({seen[spec.name]} and {spec.path}); name them with --names"
            )
        seen[spec.name] = spec.path
    return specs


def pair_dir(output: Path, model: ModelSpec, task: str) -> Path:
    return output / model.name / task


def pair_key(model: ModelSpec, task: str, settings: EvalSettings) -> dict[str, Any]:
    """The settings recorded in (and compared against) a pair's ``results.json``."""
    return {"model": model.path, "task": task, **asdict(settings)}


def read_results(directory: Path) -> dict[str, Any] | None:
    """A pair's ``results.json``, or None if it is absent or unreadable (then the pair is redone)."""
    path = directory / RESULTS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, json.JSONDecodeError):
        print(f"note: {path} is unreadable; evaluating the pair again")
        return None
    return data if isinstance(data, dict) else None


def is_finished(directory: Path, key: dict[str, Any], *, rerun: bool = False) -> bool:
    """True if the pair in `directory` was finished with the settings `key`.

    Finished with other settings: a `UserError` naming the differences, unless `rerun` (then False).
    """
    data = read_results(directory)
    if data is None:
        return False
    recorded = (data.get("sparkle") or {}).get("settings")
    if recorded == key:
        return not rerun
    if rerun:
        return False
    if not isinstance(recorded, dict):
        raise UserError(
            f"{directory / RESULTS_FILE} was not written by `sparkle eval`; use --rerun or another --output"
        )
    diffs = ", ".join(
        f"{name} {recorded.get(name)!r} (now {key.get(name)!r})" for name in key if recorded.get(name) != key.get(name)
    )
    raise UserError(f"{directory / RESULTS_FILE} was made with {diffs}; use --rerun to replace it or another --output")


def task_config(task_manager: Any, task: str, samples: int) -> dict[str, Any]:
    """The task's YAML config with ``repeats`` and the metric list set for `samples` per problem."""
    from lm_eval.tasks._yaml_loader import load_yaml

    entry = task_manager.task_index.get(task)
    if entry is None or not entry.yaml_path:
        raise UserError(f"task {task!r} is not in the task folder")
    config = load_yaml(entry.yaml_path, resolve_func=True)
    config["repeats"] = samples
    # the per-sample-count metrics follow `samples`; any other metric of the task (the analysis tasks'
    # chain_success) keeps its own entry
    others = [m for m in config.get("metric_list") or [] if not SAMPLE_METRIC.match(str(m.get("metric")))]
    config["metric_list"] = [
        {"metric": name, "aggregation": "mean", "higher_is_better": True} for name in metric_names(samples)
    ] + others
    return config


def load_task(task_manager: Any, task: str, samples: int) -> Any:
    """Build the lm-eval task with `samples` repeats; a dataset that cannot be read is a `UserError`."""
    config = task_config(task_manager, task, samples)
    try:
        return task_manager.load([config])["tasks"][task]
    except (OSError, ValueError) as err:
        hint = "" if task.endswith(LOCAL_SUFFIX) else "; without hub access, use the *_local tasks"
        raise UserError(f"{task}: cannot load its data ({type(err).__name__}: {err}){hint}") from err


def check_prompt_budget(lm: Any, task: Any, limit: int | None, max_gen_toks: int) -> int:
    """Fail if a chat-templated prompt does not fit beside `max_gen_toks` in the model's context.

    Returns the longest prompt's length in tokens.
    """
    budget = int(lm.max_length) - max_gen_toks
    docs = list(task.eval_docs)[: limit if limit is not None else None]
    too_long = []
    longest = 0
    for index, doc in enumerate(docs):
        chat = lm.apply_chat_template([{"role": "user", "content": task.doc_to_text(doc)}])
        length = len(lm.tok_encode(chat))
        longest = max(longest, length)
        if length > budget:
            too_long.append((length, index))
    if too_long:
        length, index = max(too_long)
        raise UserError(
            f"{task.config.task}: {len(too_long)} of {len(docs)} prompts are longer than the {budget} tokens left "
            f"beside max_gen_toks={max_gen_toks} in the model's {lm.max_length}-token context (longest: {length} "
            f"tokens, problem {index}); lm-eval would cut them from the left. Lower --max-gen-toks "
            "(or raise --max-model-len where the model allows it)"
        )
    return longest


def model_args(model: ModelSpec, engine: Engine, seed: int) -> dict[str, Any]:
    """lm-eval model arguments for the backend."""
    if engine.backend == "hf":
        args: dict[str, Any] = {"pretrained": model.path, "dtype": engine.dtype}
        if engine.max_model_len:
            args["max_length"] = engine.max_model_len
        return args
    args = {
        "pretrained": model.path,
        "dtype": engine.dtype,
        "tensor_parallel_size": engine.tensor_parallel_size,
        "data_parallel_size": engine.data_parallel_size,
        "gpu_memory_utilization": engine.gpu_memory_utilization,
        "seed": seed,
    }
    if engine.max_model_len:
        args["max_model_len"] = engine.max_model_len
    return args


def load_lm(model: ModelSpec, engine: Engine, seed: int) -> Any:
    from lm_eval.api.registry import get_model

    batch_size: int | str = int(engine.batch_size) if engine.batch_size.isdigit() else engine.batch_size
    try:
        return get_model(engine.backend).create_from_arg_obj(
            model_args(model, engine, seed), {"batch_size": batch_size, "device": engine.device}
        )
    except (OSError, ValueError) as err:  # missing or unreadable files, hub unreachable
        raise UserError(f"cannot load model {model.path} ({type(err).__name__}: {err})") from err


def generation_overrides(settings: EvalSettings, engine: Engine) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    if settings.max_gen_toks is not None:
        overrides["max_gen_toks"] = settings.max_gen_toks
    if engine.backend == "hf":
        overrides.update(top_k=0, repetition_penalty=1.0)
    return overrides


def write_pair(directory: Path, results: dict[str, Any], task: str, sparkle: dict[str, Any]) -> None:
    """Write the samples, then ``results.json`` (the completion marker), each atomically."""
    from lm_eval.utils import handle_non_serializable

    samples = (results.pop("samples", None) or {}).get(task, [])
    with atomic_path(directory / SAMPLES_FILE) as tmp, tmp.open("w", encoding="utf-8") as out:
        for sample in samples:
            out.write(json.dumps(sample, default=handle_non_serializable, ensure_ascii=False) + "\n")
    results["sparkle"] = sparkle
    text = json.dumps(results, indent=2, default=handle_non_serializable, ensure_ascii=False)
    with atomic_path(directory / RESULTS_FILE) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")


def run_model(
    model: ModelSpec,
    tasks: Sequence[str],
    output: Path,
    settings: EvalSettings,
    engine: Engine,
    source: TaskSource,
) -> dict[str, float]:
    """Load `model` once and evaluate it on `tasks`; return the seconds each task took."""
    import lm_eval

    task_manager = source.task_manager()
    loaded = {task: load_task(task_manager, task, settings.samples) for task in tasks}
    lm = load_lm(model, engine, settings.seed)
    overrides = generation_overrides(settings, engine)
    seconds = {}
    for task in tasks:
        task_obj = loaded[task]
        max_gen_toks = int(overrides.get("max_gen_toks", task_obj.config.generation_kwargs["max_gen_toks"]))
        longest = check_prompt_budget(lm, task_obj, settings.limit, max_gen_toks)
        print(f"{model.name} x {task}: {settings.samples} samples per problem, up to {max_gen_toks} new tokens")
        start = time.perf_counter()
        results = lm_eval.simple_evaluate(
            model=lm,
            tasks=[task_obj],
            task_manager=task_manager,
            limit=settings.limit,
            apply_chat_template=True,
            log_samples=True,
            gen_kwargs=overrides or None,
            random_seed=settings.seed,
            numpy_random_seed=settings.seed,
            torch_random_seed=settings.seed,
            fewshot_random_seed=settings.seed,
        )
        seconds[task] = time.perf_counter() - start
        sparkle = {
            "settings": pair_key(model, task, settings),
            "model_name": model.name,
            "engine": asdict(engine),
            "max_gen_toks": max_gen_toks,
            "longest_prompt_tokens": longest,
            "seconds": round(seconds[task], 3),
        }
        write_pair(pair_dir(output, model, task), results, task, sparkle)
        print(f"{model.name} x {task}: done in {seconds[task]:.1f} s -> {pair_dir(output, model, task)}")
    return seconds


def local_data_name(task_manager: Any, task: str) -> str | None:
    """The file a ``*_local`` task reads (``dataset_kwargs.benchmark`` of its YAML); None if it has none."""
    from lm_eval.tasks._yaml_loader import load_yaml

    entry = task_manager.task_index.get(task)
    if entry is None or not entry.yaml_path:
        return None
    kwargs = load_yaml(entry.yaml_path, resolve_func=False).get("dataset_kwargs") or {}
    return kwargs.get("benchmark")


def check_local_data(tasks: Sequence[str], source: TaskSource) -> None:
    """Fail early if a ``*_local`` task's file is missing."""
    local = [t for t in tasks if t.endswith(LOCAL_SUFFIX)]
    if not local:
        return
    if source.benchmarks_dir is None:
        env = os.environ.get(ENV_VAR)
        source.benchmarks_dir = Path(env).expanduser().resolve() if env else DEFAULT_BENCHMARKS_DIR.resolve()
    task_manager = source.task_manager()
    for task in local:
        name = local_data_name(task_manager, task)
        if name is None:
            continue  # not a task of the folder: load_task names it
        try:
            local_file(source.benchmarks_dir, name)
        except FileNotFoundError as err:
            raise UserError(str(err)) from err


def run_eval(
    models: Sequence[ModelSpec],
    tasks: Sequence[str],
    output: Path,
    settings: EvalSettings,
    engine: Engine,
    source: TaskSource,
    *,
    rerun: bool = False,
    isolate: bool | None = None,
) -> dict[tuple[str, str], str]:
    """Evaluate every model x task not yet finished in `output`; return each pair's status.

    Statuses: ``skipped`` (finished before with the same settings) or ``done``. With `isolate` (default:
    for vLLM) each model runs in a fresh spawned process; errors, `UserError` included, come back here.
    """
    if isolate is None:
        isolate = engine.backend == "vllm"
    if not (source.include_path / "sparkle").is_dir() and not any(source.include_path.glob("*.yaml")):
        raise UserError(f"{source.include_path}: no lm-eval task folder here; pass --include-path eval/tasks")
    check_local_data(tasks, source)
    status: dict[tuple[str, str], str] = {}
    for model in models:
        pending = []
        for task in tasks:
            if is_finished(pair_dir(output, model, task), pair_key(model, task, settings), rerun=rerun):
                status[(model.name, task)] = "skipped"
                print(f"{model.name} x {task}: finished before, skipped")
            else:
                pending.append(task)
        if not pending:
            continue
        if isolate:
            # A fresh process per model: vLLM does not reliably give GPU memory back when deleted.
            with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
                pool.submit(run_model, model, pending, output, settings, engine, source).result()
        else:
            run_model(model, pending, output, settings, engine, source)
        status.update({(model.name, task): "done" for task in pending})
    return status
