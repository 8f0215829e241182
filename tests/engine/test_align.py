from __future__ import annotations

from workbench.engine.align import align_claim, features, idf_table


def test_paraphrase_aligns_to_the_right_sentence():
    origin = [
        features(t)
        for t in [
            "The council approved the new budget on Monday after a long debate.",
            "Officials said the bridge would probably reopen next spring.",
        ]
    ]
    claim = features("The bridge will reopen next spring, officials said.")
    al = align_claim(claim, origin, idf_table(origin + [claim]))
    assert al is not None and al.origin_indices[0] == 1


def test_merged_claim_aligns_to_two_sentences():
    origin = [
        features(t)
        for t in [
            "Reuters was unable to review a copy of the letter.",
            "The staff who wrote the letter did not respond to requests for comment.",
            "Weather was fine.",
        ]
    ]
    claim = features(
        "Reuters could not review the letter, and the staff who wrote it did not respond to requests for comment."
    )
    al = align_claim(claim, origin, idf_table(origin + [claim]))
    assert al is not None and set(al.origin_indices) == {0, 1}
