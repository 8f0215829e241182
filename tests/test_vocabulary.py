"""Labels and flag types are defined once, in the engine; the database choices and the queue's severities follow."""

from __future__ import annotations

from workbench.claims.models import Claim
from workbench.engine.types import FLAG_INFO, FlagType, Label
from workbench.provenance.models import Divergence
from workbench.review.selectors import DIVERGENCE_SEVERITY


def test_divergence_type_choices_are_the_engine_s_flag_types():
    assert [value for value, _ in Divergence.Type.choices] == [t.value for t in FlagType]
    assert dict(Divergence.Type.choices) == {t.value: t.display_name for t in FlagType}


def test_claim_label_choices_are_the_engine_s_labels():
    assert {value for value, _ in Claim._meta.get_field("label").choices if value} == {label.value for label in Label}


def test_every_flag_type_has_a_severity_and_the_queue_uses_it():
    assert set(FLAG_INFO) == set(FlagType)
    assert DIVERGENCE_SEVERITY == {t.value: FLAG_INFO[t].severity for t in FlagType}


def test_only_a_reversed_polarity_contradicts():
    assert {t for t in FlagType if t.contradicts} == {FlagType.POLARITY_REVERSED}
    assert FlagType.POLARITY_REVERSED.severity == 3
