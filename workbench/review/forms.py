from __future__ import annotations

from django import forms

from workbench.review.models import Verdict


class VerdictForm(forms.Form):
    """The reviewer's fields. `revision` is the revision the reviewer opened; the service refuses a stale one."""

    label = forms.ChoiceField(choices=Verdict.Label.choices)
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    corrected_wording = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="What the article should have said."
    )
    evidence_links = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="One URL per line."
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            "label": data["label"],
            "rationale": data["rationale"],
            "corrected_wording": data["corrected_wording"],
            "evidence_links": [line for line in data["evidence_links"].splitlines() if line.strip()],
        }
