"""Reports from other desks, for the realistic archive: sport, weather, culture, science, markets and courts, each with
its own vocabulary and sentence shapes, so an unrelated report shares no sentence frame with the news stories
(``benchmarks.corpus``) and little with a report from another desk. A report is a pure function of its random
generator, like everything the corpus makes.
"""

from __future__ import annotations

import random

_SYLLABLES = "ba ko ri ta ne lo mi sa du pe gu ra zo fi ha ve to ni wa se lu do ke ma".split()


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(parts)).capitalize()


def _n(rng: random.Random, lo: int, hi: int) -> str:
    return f"{rng.randint(lo, hi):,}"


_DAYS = ("on Saturday", "on Sunday", "on Friday night", "late on Tuesday", "this weekend", "at the weekend")
_GIVEN = "Tom Aisha Luca Mira Jonas Keiko Ravi Zoe Felix Noor Otto Greta Samir Hana Victor Ida".split()

# Each desk: a vocabulary (slot name -> choices; a callable takes the generator) and sentence shapes over it.
DESKS: dict[str, dict] = {
    "sport": {
        "vocab": {
            "verb": ("beat", "edged past", "thrashed", "held", "stunned", "overcame"),
            "scorer_did": ("headed home", "curled in", "tapped in", "converted a penalty", "volleyed in"),
            "minute": lambda rng: f"{rng.randint(2, 90)}th",
            "stat": ("possession", "shots on target", "corners", "fouls", "clean sheets"),
            "venue_kind": ("Stadium", "Park", "Arena", "Ground"),
        },
        "shapes": (
            "{team} {verb} {team2} {s1}-{s2} {day} to climb to {rank} in the table.",
            "{player} {scorer_did} in the {minute} minute after a run down the left by {player2}.",
            "The visitors had {pct} percent more {stat} but could not find a way past {player}.",
            "A crowd of {crowd} watched at {place} {venue_kind} as the rain eased.",
            "{player2}, who signed from {team2} in the summer, was booked for a late challenge.",
            "{team} manager {person} said the win over {team2} showed the character of a side {rank} in the table.",
            "{team} travel to {place} next week looking for a {rank} straight win.",
            "The defeat leaves {team2} {n_small} points adrift with {n_small} games left.",
        ),
    },
    "weather": {
        "vocab": {
            "front": ("a band of heavy rain", "a cold front", "an area of high pressure", "gusty showers"),
            "warning": ("yellow", "amber", "red"),
            "hazard": ("flooding", "ice", "strong winds", "thunderstorms", "heat"),
            "sky": ("sunny spells", "low cloud", "patchy drizzle", "clear skies", "scattered showers"),
        },
        "shapes": (
            "{front} will sweep across {place} {day}, forecasters at the {org} said.",
            "An {warning} warning for {hazard} is in force until {hour} across the north of {place}.",
            "Temperatures in {place2} could reach {temp} degrees by {hour}.",
            "Drivers were urged to allow extra time as {hazard} made roads around {place2} treacherous.",
            "The outlook for {place2} is {sky}, with winds easing {day2} and highs of {temp} degrees.",
            "Up to {n_small} millimetres of rain could fall on the hills above {place} by {hour}.",
            "{person}, a forecaster at the {org}, said {hazard} was likely again by {day2}.",
        ),
    },
    "culture": {
        "vocab": {
            "work": ("novel", "debut album", "retrospective", "stage adaptation", "documentary", "memoir"),
            "praise": ("luminous", "sprawling", "quietly devastating", "uneven but brave", "playful"),
            "gallery_kind": ("Gallery", "Playhouse", "Museum", "Opera House", "Arts Centre"),
            "medium": ("oil paintings", "photographs", "sculptures", "short stories", "songs"),
        },
        "shapes": (
            "{artist}'s {praise} {work} opens at the {place} {gallery_kind} {day}.",
            "The show gathers {n_small} {medium} made over three decades, many never exhibited before.",
            "Critics in {place2} have called it the most {praise} {work} since {year}.",
            "Tickets, priced from {price}, sold out within hours of going on sale.",
            "{artist} said the {work} began as a sketchbook kept during a winter in {place2}.",
            "The run at the {place} {gallery_kind} has been extended by {n_small} weeks.",
            "Curator {person} described the final room as a conversation between grief and humour.",
        ),
    },
    "science": {
        "vocab": {
            "subject": ("sleep", "gut bacteria", "coral reefs", "migrating birds", "ancient DNA", "soil fungi"),
            "method": ("tracked", "sequenced", "sampled", "modelled", "surveyed"),
            "journal_kind": ("Letters", "Reviews", "Reports", "Communications"),
            "finding": ("was linked to", "appeared to slow", "did not affect", "predicted", "doubled"),
        },
        "shapes": (
            "Researchers at the University of {place} {method} {subject} in {n_small} sites over {years} years.",
            "The study, published in {journal} {journal_kind}, found that {subject} {finding} the outcome measured.",
            "Lead author {person} cautioned that the sample was small and the result needs replicating.",
            "The {place} team {method} {subject2} first, with a method from {journal} {journal_kind}.",
            "Funding came from a {price} grant awarded in {year}.",
            "{person2}, who was not involved, said the {subject} result was careful but not proof of cause.",
            "{person2} plans a trial of {subject} with {n_small} volunteers in {place2} from {year2}.",
        ),
    },
    "markets": {
        "vocab": {
            "index": ("the main index", "the tech-heavy index", "the blue-chip index", "the small-cap index"),
            "move": ("rose", "slipped", "fell", "climbed", "ended flat"),
            "asset": ("Oil", "Gold", "The currency", "Copper", "Bond yields"),
            "sector": ("retailers", "miners", "lenders", "utilities", "chipmakers"),
        },
        "shapes": (
            "{index} {move} {pct} percent {day} as investors weighed the latest inflation figures.",
            "Shares in {company} jumped {pct} percent after it raised its full-year outlook.",
            "{asset} {move} to {price} in late trading.",
            "{sector} led the gains, while {sector2} lagged amid worries about demand.",
            "{company} said quarterly revenue rose to {price}, ahead of analysts' forecasts.",
            "Volumes of {company} shares were {pct} percent below average ahead of a holiday in {place}.",
            "{person}, a strategist, said markets had already priced in one more rate cut.",
        ),
    },
    "courts": {
        "vocab": {
            "charge": ("fraud", "burglary", "dangerous driving", "assault", "tax evasion", "arson"),
            "plea": ("denies", "admitted", "has pleaded not guilty to", "was cleared of"),
            "court_kind": ("Crown Court", "Magistrates Court", "District Court", "High Court"),
            "sentence": ("a suspended sentence", "community service", "a fine", "two years in prison"),
        },
        "shapes": (
            "A {age}-year-old man from {place} {plea} {charge} at {place2} {court_kind}.",
            "The jury heard that the offences took place between {year} and {year2}.",
            "Prosecutor {person} told the court the losses came to {price}.",
            "The defendant, {age}, spoke only to confirm his name and an address in {place}.",
            "Judge {person2} adjourned the case and said {sentence} could not be ruled out.",
            "The trial of the {age}-year-old at {place2} {court_kind} is expected to last {n_small} days.",
            "Detectives in {place2} said enquiries into the {charge} were continuing.",
        ),
    },
}
DESK_NAMES = tuple(DESKS)
# Openings and endings any desk's sentence may take, each naming someone or somewhere of its own: two reports from one
# desk share a shape's words, not its sentences.
_OPENERS = (
    "{day_cap}, ",
    "In {place3}, ",
    "According to {person3}, ",
    "As {person3} of the {place3} {paper} noted, ",
    "For the {ordinal} time since {year3}, ",
    "Speaking in {place3}, {person3} said ",
    "By {person3}'s count, ",
)
_CLOSERS = (
    ", according to {person3}",
    ", {person3} of the {place3} {paper} reported",
    ", as {person3} looked on",
    ", the {ordinal} time since {year3}",
    " in {place3}, {person3} said",
    ", with {n3} people watching from {place3}",
)
_PLAIN_STARTS = frozenset(
    "the a an up temperatures drivers shares tickets rainfall researchers critics funding detectives volumes".split()
)
_PAPERS = ("Courier", "Ledger", "Bulletin", "Record", "Sentinel", "Echo")
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")


def report(rng: random.Random, desk: str | None = None) -> tuple[str, list[str]]:
    """(headline, sentences) of a report from ``desk`` (chosen by ``rng`` when None)."""
    desk = desk or rng.choice(DESK_NAMES)
    spec = DESKS[desk]
    place, place2 = _word(rng, rng.randint(2, 3)), _word(rng, rng.randint(2, 3))
    cast = {
        "team": f"{_word(rng, 2)} {rng.choice(('United', 'Rovers', 'City', 'Athletic', 'Wanderers'))}",
        "team2": f"{_word(rng, 2)} {rng.choice(('Town', 'Albion', 'FC', 'Rangers', 'County'))}",
        "player": f"{rng.choice(_GIVEN)} {_word(rng, 2)}",
        "player2": f"{rng.choice(_GIVEN)} {_word(rng, 3)}",
        "person": f"{rng.choice(_GIVEN)} {_word(rng, 2)}",
        "person2": f"{rng.choice(_GIVEN)} {_word(rng, 3)}",
        "artist": f"{rng.choice(_GIVEN)} {_word(rng, 2)}",
        "company": f"{_word(rng, 2)} {rng.choice(('Holdings', 'Group', 'Systems', 'Foods', 'Energy'))}",
        "org": f"{_word(rng, 2)} Met Office",
        "journal": _word(rng, 2),
        "place": place,
        "place2": place2,
    }

    def fill(shape: str) -> str:
        slots = {
            **cast,
            "day": rng.choice(_DAYS),
            "day2": rng.choice(_DAYS),
            "s1": str(rng.randint(0, 5)),
            "s2": str(rng.randint(0, 4)),
            "rank": rng.choice(("third", "fifth", "second", "seventh")),
            "crowd": _n(rng, 2000, 60000),
            "n_small": str(rng.randint(2, 40)),
            "hour": f"{rng.randint(1, 11)}pm",
            "temp": str(rng.randint(-8, 38)),
            "price": f"${rng.randint(2, 900)} million" if rng.random() < 0.5 else f"${rng.randint(12, 95)}",
            "years": str(rng.randint(2, 20)),
            "year": str(rng.randint(1990, 2023)),
            "year2": str(rng.randint(2000, 2024)),
            "pct": f"{rng.randint(1, 9)}.{rng.randint(0, 9)}",
            "age": str(rng.randint(19, 78)),
            "subject2": rng.choice(DESKS["science"]["vocab"]["subject"]),
            "sector2": rng.choice(DESKS["markets"]["vocab"]["sector"]),
        }
        for name, choices in spec["vocab"].items():
            slots[name] = choices(rng) if callable(choices) else rng.choice(choices)
        slots |= {
            "day_cap": rng.choice(_DAYS).capitalize(),
            "place3": _word(rng, rng.randint(2, 3)),
            "person3": f"{rng.choice(_GIVEN)} {_word(rng, rng.randint(2, 3))}",
            "paper": rng.choice(_PAPERS),
            "ordinal": rng.choice(_ORDINALS),
            "year3": str(rng.randint(1980, 2023)),
            "n3": _n(rng, 20, 9000),
        }
        text = shape.format(**slots).rstrip(".")
        if rng.random() < 0.6:
            first, _, rest = text.partition(" ")
            if first.lower() in _PLAIN_STARTS:
                text = first.lower() + " " + rest
            text = rng.choice(_OPENERS).format(**slots) + text
        if rng.random() < 0.5:
            text += rng.choice(_CLOSERS).format(**slots)
        return text[0].upper() + text[1:] + "."

    shapes = list(spec["shapes"])
    # A brief from the desk: some of its shapes, once each, in any order (two briefs from one desk share a few
    # habits, not a report's worth of sentences).
    sentences = [fill(shape) for shape in rng.sample(shapes, rng.randint(4, 6))]
    headline = fill(rng.choice(shapes)).rstrip(".")
    return headline, sentences
