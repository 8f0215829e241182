"""Outlet scorecards: how faithfully each outlet repeats the stories it republishes, across all stories.

One reader for the admin page, the API and the CSV, so the three agree. Counted are the claims of each article's
newest version that the engine traced, of articles published (or, without a date, stored) since the chosen moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from workbench.claims.models import Claim
from workbench.engine.types import REVIEWABLE_LABELS, FlagType, Label
from workbench.provenance.models import Divergence
from workbench.review.models import Verdict
from workbench.sources.models import ArticleVersion, Outlet

# The label shares a scorecard shows; `other_source` claims count among the claims but get no column of their own.
SCORED_LABELS = (Label.SUPPORTED, Label.ALTERED, Label.UNSOURCED, Label.CONTRADICTED)
PER_CLAIMS = 100
UNCREDITED_FLAGS = (FlagType.CREDIT_MISSING, FlagType.CREDIT_CHANGED)


@dataclass(frozen=True)
class OutletScorecard:
    """One outlet's figures. Shares are fractions of `claims` (None when it has no claims); flag rates are flags per
    100 claims (None likewise)."""

    outlet_id: int
    name: str
    kind: str
    articles_traced: int
    claims: int
    labels: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)
    verdicts: dict[str, int] = field(default_factory=dict)
    uncredited_wire_articles: int = 0

    def share(self, label: str) -> float | None:
        return round(self.labels.get(label, 0) / self.claims, 4) if self.claims else None

    def flags_per_100(self, flag_type: str) -> float | None:
        return round(PER_CLAIMS * self.flags.get(flag_type, 0) / self.claims, 2) if self.claims else None

    @property
    def shares(self) -> dict[str, float | None]:
        return {str(label): self.share(label) for label in SCORED_LABELS}

    @property
    def flag_rates(self) -> dict[str, float | None]:
        return {str(t): self.flags_per_100(t) for t in FlagType}

    @property
    def flags_total(self) -> int:
        return sum(self.flags.values())

    @property
    def corrections_not_carried(self) -> int:
        """Claims still repeating origin wording since corrected or withdrawn."""
        return self.flags.get(FlagType.CORRECTION_NOT_CARRIED, 0)


def since_parse(value: str) -> datetime | None:
    """An ISO 8601 date (from midnight UTC) or moment (UTC when it names no zone); None for blank. Raises ValueError
    with a sentence a person can act on."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"'{value[:40]}' is not an ISO 8601 date or moment, such as 2024-12-01 or 2024-12-01T08:00:00Z."
        ) from None
    if len(value) == 10:
        moment = datetime.combine(moment.date(), time.min)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _scored_claims(since: datetime | None):
    """Reviewable, traced claims of each article's newest version (published or stored since ``since``)."""
    newest = ArticleVersion.objects.filter(article=OuterRef("version__article")).order_by("-number").values("pk")[:1]
    claims = Claim.objects.filter(
        label__in=[str(label) for label in REVIEWABLE_LABELS],
        traced_at__isnull=False,
        version_id=Subquery(newest),
        version__article__outlet__isnull=False,
    )
    if since is not None:
        claims = claims.alias(
            appeared=Coalesce(F("version__article__published_at"), F("version__article__created_at"))
        ).filter(appeared__gte=since)
    return claims


def outlet_scorecards(*, since: datetime | None = None, outlet_ids: list[int] | None = None) -> list[OutletScorecard]:
    """A scorecard for every outlet (or those of ``outlet_ids``), by name; outlets with nothing traced get zeros.
    Five grouped queries whatever the number of outlets. Reads only."""
    outlets = Outlet.objects.order_by("name")
    if outlet_ids is not None:
        outlets = outlets.filter(pk__in=outlet_ids)
    outlets = list(outlets)
    ids = [o.pk for o in outlets]
    claims = _scored_claims(since).filter(version__article__outlet_id__in=ids)
    outlet_of = F("version__article__outlet_id")
    totals = {
        row["outlet"]: row
        for row in claims.annotate(outlet=outlet_of)
        .values("outlet")
        .annotate(claims=Count("pk"), articles=Count("version__article_id", distinct=True))
    }
    labels: dict[int, dict[str, int]] = {}
    for row in claims.annotate(outlet=outlet_of).values("outlet", "label").annotate(n=Count("pk")):
        labels.setdefault(row["outlet"], {})[row["label"]] = row["n"]
    flags: dict[int, dict[str, int]] = {}
    flag_rows = (
        Divergence.objects.filter(claim__in=claims.values("pk"))
        .annotate(outlet=F("claim__version__article__outlet_id"))
        .values("outlet", "type")
        .annotate(n=Count("pk"))
    )
    for row in flag_rows:
        flags.setdefault(row["outlet"], {})[row["type"]] = row["n"]
    uncredited = dict(
        Divergence.objects.filter(claim__in=claims.values("pk"), type__in=UNCREDITED_FLAGS)
        .annotate(outlet=F("claim__version__article__outlet_id"))
        .values("outlet")
        .annotate(n=Count("claim__version__article_id", distinct=True))
        .values_list("outlet", "n")
    )
    verdicts: dict[int, dict[str, int]] = {}
    verdict_rows = (
        Verdict.objects.filter(claim__in=claims.values("pk"))
        .annotate(outlet=F("claim__version__article__outlet_id"))
        .values("outlet", "label")
        .annotate(n=Count("pk"))
    )
    for row in verdict_rows:
        verdicts.setdefault(row["outlet"], {})[row["label"]] = row["n"]
    return [
        OutletScorecard(
            outlet_id=o.pk,
            name=o.name,
            kind=o.kind,
            articles_traced=totals.get(o.pk, {}).get("articles", 0),
            claims=totals.get(o.pk, {}).get("claims", 0),
            labels=labels.get(o.pk, {}),
            flags=flags.get(o.pk, {}),
            verdicts=verdicts.get(o.pk, {}),
            uncredited_wire_articles=uncredited.get(o.pk, 0),
        )
        for o in outlets
    ]


def scorecard_columns() -> list[tuple[str, str]]:
    """(key, heading) of every column of the table and the CSV, in order."""
    columns = [("name", "Outlet"), ("kind", "Kind"), ("articles_traced", "Articles traced"), ("claims", "Claims")]
    columns += [(f"share_{label}", f"{label.display_name} share") for label in SCORED_LABELS]
    columns += [
        ("uncredited_wire_articles", "Uncredited wire copy (articles)"),
        ("corrections_not_carried", "Corrections not carried"),
        ("flags_per_100", "Flags per 100 claims"),
    ]
    columns += [(f"flags_per_100_{t}", f"{t.display_name} per 100") for t in FlagType]
    columns += [(f"verdicts_{value}", f"Verdicts: {name.lower()}") for value, name in Verdict.Label.choices]
    return columns


def scorecard_row(card: OutletScorecard) -> dict[str, object]:
    """The card as one flat row keyed by ``scorecard_columns``."""
    row: dict[str, object] = {
        "name": card.name,
        "kind": card.kind,
        "articles_traced": card.articles_traced,
        "claims": card.claims,
    }
    row.update({f"share_{label}": card.share(label) for label in SCORED_LABELS})
    row["uncredited_wire_articles"] = card.uncredited_wire_articles
    row["corrections_not_carried"] = card.corrections_not_carried
    row["flags_per_100"] = round(PER_CLAIMS * card.flags_total / card.claims, 2) if card.claims else None
    row.update({f"flags_per_100_{t}": card.flags_per_100(t) for t in FlagType})
    row.update({f"verdicts_{value}": card.verdicts.get(value, 0) for value in Verdict.Label.values})
    return row
