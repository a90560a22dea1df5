"""The lm-eval side of the analysis tasks (``eval/tasks/sparkle/sparkle_preview_*.yaml``).

`eval/tasks/sparkle/utils.py` forwards these hooks to lm-eval; the sampling, the keep-all filter and
the avg@k / pass@k / maj@k scoring are the standard tasks' (`sparkle.eval.tasks`).

- `problem_docs` / `subproblem_docs` (``process_docs``): the dataset as lm-eval hands it over, either
  the hub's one-row-per-subproblem rows (§10.2) or the grouped lines of ``sparkle_preview.jsonl``, turned
  into one doc per problem (vanilla, plan, knowledge) or one doc per subproblem in chain order
  (subproblems). Rows are grouped and checked by `sparkle.data.benchmarks.group_fine_grained`; a bad
  row is an error here (`sparkle analyze --skip-invalid` can leave such problems out beforehand).
- `doc_to_text_plan`, `doc_to_text_knowledge`, `doc_to_text_subproblem`: the original's
  ``doc_to_text_plan`` / ``_knowledge`` / ``_subproblem`` (§10.4) via `sparkle.data.prompts`. The
  vanilla task uses the standard `doc_to_text` (the plain training prompt, §3.2).
- `process_results_subproblem`: each sample graded by `sparkle.reward` against ``subproblem_answer``
  (the original compared with the problem's ``answer``, §10.3), the usual per-row metrics, plus the
  row's `sparkle.analysis.chain.StepOutcome` under ``chain_success``, which the `chain_success`
  aggregation turns into the chain metric (see `sparkle.analysis.chain`).
"""

from __future__ import annotations

from typing import Any

from sparkle.analysis.chain import StepOutcome, chain_success
from sparkle.data.benchmarks import FineGrainedProblem, group_fine_grained, strip_dollars
from sparkle.data.prompts import knowledge_prompt, plan_prompt, subproblem_prompt
from sparkle.data.sources import Records
from sparkle.eval.metrics import problem_metrics
from sparkle.eval.tasks import responses_of, score_samples

__all__ = [
    "chain_success",
    "doc_to_target_subproblem",
    "doc_to_text_knowledge",
    "doc_to_text_plan",
    "doc_to_text_subproblem",
    "problem_docs",
    "process_results_subproblem",
    "subproblem_docs",
]


def problems_of(rows: list[dict[str, Any]], label: str = "sparkle_preview") -> list[FineGrainedProblem]:
    """Problems from hub rows (grouped and checked) or from grouped lines (``subproblems`` present)."""
    if rows and "subproblems" in rows[0]:
        return [FineGrainedProblem.from_dict(row) for row in rows]
    problems, _ = group_fine_grained(Records(label, rows))
    return problems


def _shared(problem: FineGrainedProblem) -> dict[str, Any]:
    return {
        "problem_key": problem.key,
        "problem_id": problem.problem_id,
        "source": problem.source,
        "difficulty_level": problem.difficulty_level,
        "domains": list(problem.domains),
        "total_subproblems": len(problem.subproblems),
    }


def problem_doc(problem: FineGrainedProblem) -> dict[str, Any]:
    """One doc per problem: what the vanilla, plan and knowledge prompts and the grader need."""
    return {
        **_shared(problem),
        "problem": problem.problem,
        "answer": list(problem.answer),
        "planning": problem.planning,
        "knowledge": problem.knowledge,
    }


def subproblem_docs_of(problem: FineGrainedProblem) -> list[dict[str, Any]]:
    """One doc per subproblem, in chain order."""
    return [
        {
            **_shared(problem),
            "subproblem_id": step.subproblem_id,
            "subproblem_sequence": step.sequence,
            "subproblem_question": step.question,
            "subproblem_answer": step.answer,
            "augmented_problem": step.augmented_problem,
        }
        for step in problem.subproblems
    ]


def problem_docs(dataset: Any) -> Any:
    """``process_docs`` of the vanilla, plan and knowledge tasks: one doc per problem."""
    import datasets

    return datasets.Dataset.from_list([problem_doc(p) for p in problems_of(dataset.to_list())])


def subproblem_docs(dataset: Any) -> Any:
    """``process_docs`` of the subproblems task: one doc per subproblem, problems in order, steps in order."""
    import datasets

    docs = [doc for p in problems_of(dataset.to_list()) for doc in subproblem_docs_of(p)]
    return datasets.Dataset.from_list(docs)


def doc_to_text_plan(doc: dict[str, Any]) -> str:
    return plan_prompt(doc["problem"], doc["planning"])


def doc_to_text_knowledge(doc: dict[str, Any]) -> str:
    return knowledge_prompt(doc["problem"], doc["knowledge"])


def doc_to_text_subproblem(doc: dict[str, Any]) -> str:
    return subproblem_prompt(doc["augmented_problem"])


def doc_to_target_subproblem(doc: dict[str, Any]) -> str:
    """The subproblem's gold answer (one pair of enclosing ``$`` removed, as for the benchmark answers)."""
    return strip_dollars(str(doc["subproblem_answer"]).strip())


def process_results_subproblem(doc: dict[str, Any], results: list[Any]) -> dict[str, Any]:
    """lm-eval hook of a subproblem row: avg@n, pass@k, maj@k against its answer, and its chain step."""
    accs, preds = score_samples(responses_of(results), doc_to_target_subproblem(doc))
    step = StepOutcome(doc["problem_key"], int(doc["subproblem_sequence"]), int(doc["total_subproblems"]), tuple(accs))
    return {**problem_metrics(accs, preds), "chain_success": step.as_item()}
