"""Free text of the synthetic database: contact notes, report descriptions, alerts.

Clean text carries no digits at all (so nothing in it looks like a PHN or a
phone number), no '?', no NUL, and always stays below its column's limit.
Notes are rendered lazily from a :class:`NoteSpec` when their chunk is written,
so a large database never holds all its note text in memory.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = [
    "NoteSpec",
    "alert_text",
    "description",
    "note_subject",
    "pii_sentence",
    "truncated_description",
]

_OPENERS = {
    "visit": (
        "Worker attended the family home for a scheduled visit with {adult} and {child}.",
        "Unannounced home visit completed; {adult} answered the door and invited the worker in.",
        "Home visit with {child} and {adult} at the family residence.",
    ),
    "phone": (
        "Worker received a call from {adult} regarding {child}.",
        "Telephone contact with {adult} to follow up on the safety plan.",
        "Returned a message left by {adult} earlier in the week.",
    ),
    "assessment": (
        "Safety assessment completed following the report received by the intake team.",
        "Worker completed the vulnerability assessment with information from collaterals.",
        "Assessment of the family's protective capacities was reviewed with the team leader.",
    ),
    "court": (
        "Worker attended the Provincial Court registry for the scheduled hearing regarding {child}.",
        "Court hearing held; counsel for {adult} requested an adjournment.",
        "Presentation hearing completed and the interim order was granted.",
    ),
    "conference": (
        "Case conference held with the team leader, the resource worker and {adult}.",
        "Family group conference facilitated at the community office.",
        "Integrated case management meeting held with school and health partners.",
    ),
    "memo": (
        "Memo to file regarding the plan of care for {child}.",
        "Consultation with the team leader about next steps for {child}.",
        "File review completed ahead of the transfer to the new worker.",
    ),
}

_BODY = (
    "{child} appeared well cared for and was dressed appropriately for the weather.",
    "The home was tidy and there was adequate food in the fridge and cupboards.",
    "{adult} reported that things have been going better since the last visit.",
    "{adult} described ongoing stress related to housing and income.",
    "Worker reviewed the safety plan with {adult}, who agreed to continue following it.",
    "{child} spoke with the worker privately and said they feel safe at home.",
    "{child} was reluctant to talk at first but engaged once the worker explained why they were there.",
    "School staff report that attendance has improved over the past month.",
    "The public health nurse confirmed that immunizations are up to date.",
    "{adult} has been attending the parenting program and finds the group helpful.",
    "Worker discussed the concerns raised in the report and {adult} acknowledged them.",
    "{adult} denied the allegations and was upset that a report had been made.",
    "The worker observed positive interactions between {adult} and {child}.",
    "There were no visible injuries and {child} did not report any harm.",
    "The worker will consult with the team leader about the level of response required.",
    "{adult} agreed to a referral for counselling and signed the consent form.",
    "A family member has offered to provide respite on weekends.",
    "Collateral contact with the family doctor did not raise any new concerns.",
    "Concerns remain about supervision of {child} in the evenings.",
    "{adult} identified the grandmother as a support and gave permission to contact her.",
    "Worker explained the role of the ministry and the family's rights under the Act.",
    "The Indigenous child and family service agency was notified and invited to participate.",
    "{child} is connected with the community through cultural programming on weekends.",
    "The caregiver reports that {child} is settling in and sleeping through the night.",
    "Worker provided bus tickets and information about the local food bank.",
    "The next visit was scheduled and {adult} was given the after hours number for the office.",
    "{adult} has been sober according to the outreach worker and is keeping appointments.",
    "Police attended the residence last weekend after a noise complaint; no charges were laid.",
    "The resource worker will arrange a visit with the foster parents next week.",
    "Worker reminded {adult} that the ministry may return without notice.",
    "{child} showed the worker their room and some drawings from school.",
    "The plan is to continue monthly visits and review the case at the end of the quarter.",
)

_CLOSERS = (
    "Plan: continue to monitor and follow up with collaterals.",
    "No immediate safety concerns were identified at this time.",
    "Worker will complete the assessment and consult with the team leader.",
    "Follow up visit to be scheduled within the month.",
    "Documentation to be completed and shared with the resource team.",
)

_SUBJECTS = {
    "visit": ("Home visit", "Home visit with family", "Unannounced home visit"),
    "phone": ("Phone call with parent", "Call from caregiver", "Returned call"),
    "assessment": ("Safety assessment", "Vulnerability assessment", "Assessment review"),
    "court": ("Court hearing", "Presentation hearing", "Protection hearing"),
    "conference": ("Case conference", "Family group conference", "Team meeting"),
    "memo": ("Memo to file", "Team leader consultation", "File review"),
}

_REPORT = (
    "Caller reports concerns about {child} being left alone for long periods.",
    "Reporter states that {child} came to school hungry and tired several days this week.",
    "Police attended the home after a disturbance and reported that {child} was present.",
    "A neighbour is concerned about yelling and crying coming from the home at night.",
    "The hospital social worker reports that {adult} appeared intoxicated during a visit.",
    "Reporter observed bruising on the arm of {child} and asked about its cause.",
    "{adult} called asking for help as they are struggling to manage {child}'s behaviour.",
    "Caller reports that the family is living in a vehicle since being evicted.",
    "Reporter is worried about the safety of {child} due to ongoing conflict between the adults.",
    "School counsellor reports that {child} disclosed being afraid to go home.",
    "Reporter did not wish to be identified and was advised of confidentiality.",
    "Intake worker gathered background information and checked for prior involvement.",
)

_ALERTS = (
    "Worker safety: large dog on the property, attend in pairs.",
    "Do not disclose the placement address to {adult}.",
    "History of aggression toward staff; meet at the office only.",
    "Protection order in place; contact police if {adult} attends.",
    "Medical alert: severe allergy, epinephrine kept in the home.",
)

_FILLER = (
    "The worker documented the family's circumstances, including the supports available",
    "Discussion covered housing, income assistance, school attendance and extended family",
    "Information gathered from collaterals was considered alongside the family's own account",
    "Considerable uncertainty remained about the arrangements for overnight supervision",
    "The reporter described circumstances consistent with earlier reports on the household",
)


def _fill(rng: random.Random, template: str, child: str, adult: str) -> str:
    text = template.format(child=child, adult=adult)
    return "T" + text[1:] if text.startswith("the ") else text


def _sentences(rng: random.Random, kind: str, child: str, adult: str, target: int) -> list[str]:
    out = [_fill(rng, rng.choice(_OPENERS[kind]), child, adult)]
    size = len(out[0])
    while size < target:
        sentence = _fill(rng, rng.choice(_BODY), child, adult)
        out.append(sentence)
        size += len(sentence) + 1
    out.append(rng.choice(_CLOSERS))
    return out


def note_subject(rng: random.Random, kind: str) -> str:
    return rng.choice(_SUBJECTS[kind])


def pii_sentence(rng: random.Random, phn: str, phone: str) -> str:
    """A sentence with a PHN or a phone number typed into it (D22)."""
    if rng.random() < 0.5:
        spaced = f"{phn[:4]} {phn[4:7]} {phn[7:]}"
        return f"Mother gave the PHN as {spaced if rng.random() < 0.5 else phn} for the medical referral."
    return f"Caregiver can be reached at {phone} after work."


@dataclass(frozen=True)
class NoteSpec:
    """A contact note, rendered on demand: same spec, same text."""

    seed: str
    kind: str
    child: str
    adult: str
    target: int
    inject: str | None = None  # a sentence to insert (D22), or "\x00" (D13)

    def render(self) -> str:
        rng = random.Random(self.seed)
        sentences = _sentences(rng, self.kind, self.child, self.adult, self.target)
        paragraphs: list[str] = []
        current: list[str] = []
        for sentence in sentences:
            current.append(sentence)
            if len(current) >= rng.randint(3, 6):
                paragraphs.append(" ".join(current))
                current = []
        if current:
            paragraphs.append(" ".join(current))
        if self.inject and self.inject != "\x00":
            paragraphs.insert(rng.randint(1, len(paragraphs)), self.inject)
        text = "\n\n".join(paragraphs)
        if self.inject == "\x00":  # after the first sentence: always inside the text
            text = (
                text.replace(". ", ".\x00 ", 1) if ". " in text else text.replace(".", ".\x00", 1)
            )
        return text


def description(
    rng: random.Random, child: str, adult: str, *, limit: int, low: int = 200, high: int = 1800
) -> str:
    """A report description of ``low``..``high`` characters, always shorter than ``limit``."""
    target = rng.randint(low, min(high, limit - 200))
    out: list[str] = []
    size = 0
    while size < target:
        sentence = _fill(rng, rng.choice(_REPORT + _BODY), child, adult)
        if size + len(sentence) + 1 >= limit - 1:
            break
        out.append(sentence)
        size += len(sentence) + 1
    return " ".join(out)


def truncated_description(rng: random.Random, child: str, adult: str, *, limit: int) -> str:
    """Text exactly ``limit`` characters long whose last word is cut (D14)."""
    base = description(rng, child, adult, limit=limit, low=limit - 260, high=limit - 200)
    words = ". ".join(_FILLER).split()
    for start in range(len(words)):
        text, i = base, start
        while len(text) <= limit:
            text += " " + words[i % len(words)]
            i += 1
        if text[limit - 2].isalpha() and text[limit - 1].isalpha() and text[limit].isalpha():
            return text[:limit]
    return (base + " " + "considerably" * 30)[:limit]


def alert_text(rng: random.Random, adult: str) -> str:
    return _fill(rng, rng.choice(_ALERTS), "", adult)
