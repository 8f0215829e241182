"""Cleaning, sentence splitting and attribution take time linear in their input, whatever its shape: a long single
line of quotes, dots, capitals or brackets must not hold a worker (a 296 KB line once took a minute to split).

The bound on operations is a CPU-time budget enforced by the kernel (RLIMIT_CPU) on a child process that processes
each generated input: a few seconds per megabyte, where quadratic work needs hours for the same 5 MB.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import textwrap

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.engine.attribute import find_attribution
from workbench.engine.clean import is_boilerplate, prepare
from workbench.engine.segment import split_sentences

CPU_BUDGET_S_PER_MB = 8
CPU_BUDGET_BASE_S = 10
MAX_INPUT_BYTES = 5 * 1024 * 1024
# The pieces long lines were made of when splitting went quadratic, and others in the same vein.
PIECES = [
    "\u201cHe said. ",
    '"A. "B. ',
    "Reuters Bloomberg AFP Minister ",
    "A.B.C.",
    "U.S. ",
    "according to the people familiar with ",
    "(Reuters) - ",
    "x.Y",
    ", said ",
    "... ",
    "$4.5 billion (",
    "\u00abQuote\u00bb ",
    "The minister said on Tuesday. ",
    "\u2019s ",
    " ",
]

CHILD = textwrap.dedent(
    """
    import json, sys
    from workbench.engine.attribute import find_attribution
    from workbench.engine.clean import is_boilerplate, prepare
    from workbench.engine.segment import split_sentences
    spec = json.loads(sys.stdin.read())
    text = (spec["unit"] * (spec["size"] // len(spec["unit"]) + 1))[: spec["size"]]
    prepared = prepare(text)
    sentences = split_sentences(prepared.text)
    for sentence in sentences:
        find_attribution(sentence.text)
        is_boilerplate(sentence.text)
    print(len(sentences))
    """
)


def _within_cpu_budget(unit: str, size: int) -> subprocess.CompletedProcess:
    budget_s = CPU_BUDGET_BASE_S + CPU_BUDGET_S_PER_MB * size // (1024 * 1024)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (budget_s, budget_s + 1))

    return subprocess.run(
        [sys.executable, "-c", CHILD],
        input=json.dumps({"unit": unit, "size": size}),
        capture_output=True,
        text=True,
        preexec_fn=limit,
        timeout=budget_s * 20,  # wall clock, for a machine busy with other work; the CPU budget is the bound
    )


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    unit=st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join),
    size=st.integers(min_value=1024 * 1024, max_value=MAX_INPUT_BYTES),
)
def test_long_single_lines_are_processed_within_a_linear_cpu_budget(unit, size):
    done = _within_cpu_budget(unit, size)
    assert done.returncode == 0, f"{size:,} bytes of {unit!r} overran its CPU budget: {done.stderr[-500:]}"
    assert done.stdout.strip().isdigit(), done.stdout


@settings(max_examples=60, deadline=None)
@given(unit=st.lists(st.sampled_from(PIECES), min_size=1, max_size=8).map("".join), repeat=st.integers(1, 400))
def test_splitting_a_long_line_keeps_every_sentence_in_order_and_inside_the_text(unit, repeat):
    text = prepare(unit * repeat).text
    sentences = split_sentences(text)
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert all(a.end <= b.start for a, b in zip(sentences, sentences[1:], strict=False))
    for sentence in sentences:
        find_attribution(sentence.text)
        is_boilerplate(sentence.text)
