"""`GET /api/v1/outlets/{id}/scorecard/?since=`: an outlet's scorecard, its query and response shapes."""

from __future__ import annotations

from datetime import datetime

from rest_framework import serializers

from workbench.provenance.scorecard import OutletScorecard, scorecard_row, since_parse


class ScorecardQuerySerializer(serializers.Serializer):
    since = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        help_text="Only articles published (or stored, when undated) at or after this date or moment (ISO 8601).",
    )

    def validate_since(self, value: str) -> datetime | None:
        try:
            return since_parse(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


class ScorecardOutletSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class ScorecardSerializer(serializers.Serializer):
    outlet = ScorecardOutletSerializer()
    since = serializers.DateTimeField(allow_null=True)
    articles_traced = serializers.IntegerField(help_text="Articles of the outlet whose newest version was traced.")
    claims = serializers.IntegerField(help_text="Their reviewable claims (origin sentences and boilerplate left out).")
    labels = serializers.DictField(child=serializers.IntegerField(), help_text="Claims by engine label.")
    shares = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="Share of claims supported, altered, unsourced and contradicted (null without claims).",
    )
    flags = serializers.DictField(child=serializers.IntegerField(), help_text="Flags by type.")
    flags_per_100_claims = serializers.DictField(
        child=serializers.FloatField(allow_null=True), help_text="Flags per 100 claims by type (null without claims)."
    )
    flags_per_100_claims_total = serializers.FloatField(allow_null=True)
    uncredited_wire_articles = serializers.IntegerField(
        help_text="Articles reproducing wire copy without its credit (credit_missing or credit_changed)."
    )
    corrections_not_carried = serializers.IntegerField(
        help_text="Claims repeating origin wording since corrected or withdrawn."
    )
    verdicts = serializers.DictField(child=serializers.IntegerField(), help_text="Reviewers' verdicts by label.")


def scorecard_body(card: OutletScorecard, since: datetime | None) -> dict:
    row = scorecard_row(card)
    return {
        "outlet": {"id": card.outlet_id, "name": card.name, "kind": card.kind},
        "since": since,
        "articles_traced": card.articles_traced,
        "claims": card.claims,
        "labels": dict(card.labels),
        "shares": card.shares,
        "flags": dict(card.flags),
        "flags_per_100_claims": card.flag_rates,
        "flags_per_100_claims_total": row["flags_per_100"],
        "uncredited_wire_articles": card.uncredited_wire_articles,
        "corrections_not_carried": card.corrections_not_carried,
        "verdicts": dict(card.verdicts),
    }
