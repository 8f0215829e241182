"""A small archive with known scorecard figures: outlets republishing one wire story, built with factories."""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils import timezone

from tests import factories


def archive() -> dict:
    """Wire Service publishes the origin (4 origin sentences). Daily Paper republishes it twice: its newest article
    version has 5 claims (3 supported, two of them flagged credit_missing and correction_not_carried; 1 altered with
    a number_changed and an added_detail flag; 1 unsourced) and one boilerplate line; an older version of the same
    article has claims that must not count. Gazette, published in January 2024, has 2 claims (1 altered with a
    hedge_dropped flag, 1 contradicted). Verdicts: one `altered` and one `supported` on Daily Paper's claims."""

    now = timezone.now()
    wire = factories.OutletFactory(name="Wire Service", kind="wire")
    paper = factories.OutletFactory(name="Daily Paper")
    gazette = factories.OutletFactory(name="Gazette")
    factories.OutletFactory(name="Quiet Times")  # nothing traced
    origin = factories.ArticleFactory(outlet=wire, published_at=now)
    origin_v = factories.ArticleVersionFactory(article=origin, number=1)
    for i in range(4):
        factories.ClaimFactory(version=origin_v, position=i, label="origin", traced_at=now)

    copy = factories.ArticleFactory(outlet=paper, published_at=now)
    old_v = factories.ArticleVersionFactory(article=copy, number=1)
    for i in range(3):
        factories.ClaimFactory(version=old_v, position=i, label="contradicted", traced_at=now)
    new_v = factories.ArticleVersionFactory(article=copy, number=2, clean_text="The corrected copy.")
    labels = ["supported", "supported", "supported", "altered", "unsourced", "boilerplate"]
    claims = [
        factories.ClaimFactory(version=new_v, position=i, label=label, traced_at=now) for i, label in enumerate(labels)
    ]
    factories.DivergenceFactory(claim=claims[3], type="number_changed")
    factories.DivergenceFactory(claim=claims[3], type="added_detail")
    factories.DivergenceFactory(claim=claims[1], type="credit_missing")
    factories.DivergenceFactory(claim=claims[2], type="correction_not_carried")
    factories.VerdictFactory(claim=claims[3], label="altered")
    factories.VerdictFactory(claim=claims[0], label="supported")

    second = factories.ArticleFactory(outlet=paper, published_at=now)
    untraced_v = factories.ArticleVersionFactory(article=second, number=1)
    factories.ClaimFactory(version=untraced_v, position=0, label="", traced_at=None)

    old = factories.ArticleFactory(outlet=gazette, published_at=datetime(2024, 1, 10, tzinfo=UTC))
    old_gv = factories.ArticleVersionFactory(article=old, number=1)
    g1 = factories.ClaimFactory(version=old_gv, position=0, label="altered", traced_at=now)
    factories.ClaimFactory(version=old_gv, position=1, label="contradicted", traced_at=now)
    factories.DivergenceFactory(claim=g1, type="hedge_dropped")
    return {"wire": wire, "paper": paper, "gazette": gazette}
