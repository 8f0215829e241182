"""Wire credit: real wire datelines and credits. A republication reproducing a wire story without crediting the wire
is flagged `credit_missing`, one crediting another wire `credit_changed`; faithful credited copies raise nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.engine.clean import prepare
from workbench.engine.credit import origin_wire, wires_named
from workbench.engine.trace import trace_against
from workbench.engine.types import ArticleInput, FlagType

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"
CREDIT_FLAGS = {FlagType.CREDIT_MISSING, FlagType.CREDIT_CHANGED}

REUTERS_ORIGIN = (
    "LONDON, Dec 4 (Reuters) - Britain's biggest water company will cut 1,500 jobs over the next two years as it "
    "tries to fix its finances, the company said on Wednesday. The utility said the cuts would save about 200 million "
    "pounds a year and would mostly affect office staff rather than engineers. Regulators are expected to rule on "
    "its request for higher bills later this month. Shares in the company rose 3% in early trading in London.\n"
    "Reporting by Jane Smith; Editing by Tom Brown"
)
COPIED_SENTENCES = (
    "Britain's biggest water company will cut 1,500 jobs over the next two years as it tries to fix its finances, "
    "the company said on Wednesday. The utility said the cuts would save about 200 million pounds a year and would "
    "mostly affect office staff rather than engineers. Regulators are expected to rule on its request for higher "
    "bills later this month. Shares in the company rose 3% in early trading in London."
)


def seed(prefix: str) -> ArticleInput:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    prepared = prepare(path.read_text(encoding="utf-8"))
    return ArticleInput(key=prefix, text=prepared.text, headline=prepared.headline, byline=prepared.byline)


def credit_flags(origin: ArticleInput, derivative: ArticleInput) -> list:
    _, traced = trace_against(origin, [derivative])
    return [f for s in traced.sentences for f in s.flags if f.type in CREDIT_FLAGS]


def test_datelines_bylines_and_credits_name_their_wire():
    assert origin_wire(ArticleInput(key="r", text=REUTERS_ORIGIN)) == "Reuters"
    assert origin_wire(seed("001")) == "Bloomberg"  # "By Iain Marlow and Andrea Palasciano, Bloomberg News"
    assert origin_wire(ArticleInput(key="x", text="A story.", outlet="Associated Press")) == "Associated Press"
    assert wires_named("WASHINGTON (AP) — The Senate voted.") == ["Associated Press"]
    assert wires_named("PARIS (AFP) - Le gouvernement.") == ["AFP"]
    assert wires_named("TOKYO, Dec 4 (Kyodo) -- Japan's cabinet") == ["Kyodo"]
    assert wires_named("SEOUL, Dec. 4 (Yonhap) -- North Korea") == ["Yonhap"]
    assert wires_named("ROME (ANSA) - Il governo") == ["ANSA"]
    assert wires_named("MADRID (EFE).- El Gobierno") == ["EFE"]
    assert wires_named("BERLIN (dpa) - Die Regierung") == ["dpa"]
    assert wires_named("A spokesman told the PA news agency (PA) on Monday.") == ["PA"]
    assert wires_named("Michael Bloomberg gave a speech. An AP style guide.") == []


@pytest.mark.parametrize("prefix", ["000", "002", "004"])
def test_real_republications_that_credit_bloomberg_raise_nothing(prefix):
    assert credit_flags(seed("001"), seed(prefix)) == []


def test_a_republication_with_the_credit_removed_is_flagged_credit_missing():
    copy = seed("002")
    uncredited = ArticleInput(key="copy", text=copy.text.replace(", Bloomberg reports.", ", officials say."))
    (flag,) = credit_flags(seed("001"), uncredited)
    assert flag.type == FlagType.CREDIT_MISSING
    assert "without crediting Bloomberg" in flag.explanation


def test_a_republication_crediting_another_wire_is_flagged_credit_changed():
    copy = seed("002")
    recredited = ArticleInput(key="copy", text=copy.text.replace("Bloomberg reports", "Reuters reports"))
    (flag,) = credit_flags(seed("001"), recredited)
    assert flag.type == FlagType.CREDIT_CHANGED
    assert "credits Reuters, not Bloomberg" in flag.explanation


def test_reuters_copy_with_and_without_its_dateline():
    origin = ArticleInput(key="reuters", text=REUTERS_ORIGIN)
    credited = ArticleInput(key="a", text="LONDON (Reuters) - " + COPIED_SENTENCES)
    uncredited = ArticleInput(key="b", text=COPIED_SENTENCES)
    afp = ArticleInput(key="c", text="LONDON (AFP) - " + COPIED_SENTENCES)
    assert credit_flags(origin, credited) == []
    assert [f.type for f in credit_flags(origin, uncredited)] == [FlagType.CREDIT_MISSING]
    changed = credit_flags(origin, afp)
    assert [f.type for f in changed] == [FlagType.CREDIT_CHANGED] and changed[0].span == "AFP"


def test_a_story_that_is_not_wire_copy_gets_no_credit_flags():
    origin = ArticleInput(key="paper", text=REUTERS_ORIGIN.replace("(Reuters) ", "").split("\nReporting")[0])
    assert credit_flags(origin, ArticleInput(key="b", text=COPIED_SENTENCES)) == []
