"""One vocabulary: the engine's labels and flag types (workbench.engine.types) are the only lists. The database
choices, the API schema, the ClaimReview rating, the queue's severities and the terminal colours follow them, so a
label or flag type added to the engine appears everywhere or a test here says where it is missing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from workbench.claims.models import Claim
from workbench.engine.types import FLAG_INFO, LABEL_INFO, REVIEWABLE_LABELS, FlagType, Label
from workbench.provenance.models import Divergence
from workbench.provenance.reporting import ANSI, LABEL_COLOUR
from workbench.review.claimreview import BEST_RATING, RATING_SCALE, WORST_RATING
from workbench.review.models import Verdict
from workbench.review.selectors import DIVERGENCE_SEVERITY, QUEUE_CLAIM_LABELS

NEEDS_MORE_WORK = "needs_more_work"  # the reviewer's answer that only the database knows


def field_choices(model, name: str) -> list[str]:
    return [value for value, _ in model._meta.get_field(name).choices]


@pytest.fixture(scope="module")
def schema_enums() -> dict[str, list[str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {name: c["enum"] for name, c in schema["components"]["schemas"].items() if "enum" in c}


def test_every_label_and_flag_type_has_its_engine_info():
    assert set(LABEL_INFO) == set(Label)
    assert set(FLAG_INFO) == set(FlagType)
    assert {info.severity for info in FLAG_INFO.values()} <= {1, 2, 3}


def test_the_database_choices_are_the_engine_vocabulary():
    assert field_choices(Claim, "label") == list(Label)
    assert field_choices(Divergence, "type") == list(FlagType)
    assert field_choices(Verdict, "label") == [*REVIEWABLE_LABELS, NEEDS_MORE_WORK]
    assert Label.ORIGIN not in REVIEWABLE_LABELS and Label.BOILERPLATE not in REVIEWABLE_LABELS


def test_the_database_labels_read_as_the_engine_names_them():
    assert dict(Claim._meta.get_field("label").choices) == {label.value: label.display_name for label in Label}
    assert dict(Divergence._meta.get_field("type").choices) == {flag.value: flag.display_name for flag in FlagType}


def test_the_api_schema_enums_are_the_engine_vocabulary(schema_enums):
    assert schema_enums["ClaimLabelEnum"] == list(Label)
    assert schema_enums["DivergenceTypeEnum"] == list(FlagType)
    assert schema_enums["VerdictLabelEnum"] == [*REVIEWABLE_LABELS, NEEDS_MORE_WORK]


def test_every_reviewable_label_has_a_claimreview_rating_on_the_five_point_scale():
    assert set(RATING_SCALE) == set(REVIEWABLE_LABELS)
    assert (WORST_RATING, BEST_RATING) == (1, 5)
    assert len(set(RATING_SCALE.values())) == len(RATING_SCALE)  # no two labels share a rating


def test_the_queue_ranks_every_flag_type_by_its_engine_severity_and_shows_every_reviewable_label():
    assert DIVERGENCE_SEVERITY == {flag.value: FLAG_INFO[flag].severity for flag in FlagType}
    assert set(QUEUE_CLAIM_LABELS) == set(REVIEWABLE_LABELS)


def test_the_terminal_report_has_a_colour_for_every_label():
    assert set(LABEL_COLOUR) == set(Label)
    assert set(LABEL_COLOUR.values()) <= set(ANSI)
    assert LABEL_COLOUR[Label.SUPPORTED] != LABEL_COLOUR[Label.CONTRADICTED]


@pytest.mark.django_db
def test_the_derived_choices_need_no_new_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_only_a_reversed_polarity_contradicts_and_it_ranks_high():
    assert {flag for flag in FlagType if flag.contradicts} == {FlagType.POLARITY_REVERSED}
    assert FlagType.POLARITY_REVERSED.severity == 3
