"""``multi``: tick every right option; all-or-nothing, or partial credit."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .base import BadAnswer, ChoiceLike, Report, check_letters, check_options

SCORINGS = ("all", "partial")


# The words its renderer shows, in each language of static/i18n: served in every
# catalog as ``kind.<name>.<word>`` (base.Kind.words).
WORDS = {
    "hint": {
        "ar": "اختر كل الإجابات المناسبة، ثم أرسلها.",
        "de": "Kreuze alle passenden Antworten an und sende sie dann ab.",
        "en": "Tick every answer that fits, then submit.",
        "es": "Marca todas las respuestas correctas y envía.",
        "fr": "Cochez toutes les réponses qui conviennent, puis envoyez.",
        "it": "Spunta tutte le risposte giuste, poi invia.",
        "ja": "当てはまる答えをすべて選んでから送信してください。",
        "nl": "Vink alle antwoorden aan die kloppen en verstuur ze.",
        "pl": "Zaznacz wszystkie pasujące odpowiedzi i wyślij.",
        "pt-BR": "Marque todas as respostas certas e depois envie.",
        "tr": "Uyan tüm yanıtları işaretle, sonra gönder.",
        "zh-CN": "勾选所有符合的答案，然后提交。",
    },
    "none_ticked": {
        "ar": "اختر إجابة واحدة على الأقل.",
        "de": "Kreuze mindestens eine Antwort an.",
        "en": "Tick at least one answer.",
        "es": "Marca al menos una respuesta.",
        "fr": "Cochez au moins une réponse.",
        "it": "Spunta almeno una risposta.",
        "ja": "少なくとも1つ選んでください。",
        "nl": "Vink minstens één antwoord aan.",
        "pl": "Zaznacz co najmniej jedną odpowiedź.",
        "pt-BR": "Marque pelo menos uma resposta.",
        "tr": "En az bir yanıt işaretle.",
        "zh-CN": "请至少勾选一个答案。",
    },
    "board": {
        "ar": "قد تكون هناك أكثر من إجابة صحيحة: اختر كل ما يناسب.",
        "de": "Mehrere Antworten können richtig sein: Kreuze alle passenden an.",
        "en": "Several answers may be right: tick all that fit.",
        "es": "Puede haber varias respuestas correctas: márcalas todas.",
        "fr": "Plusieurs réponses peuvent être justes : cochez toutes celles qui conviennent.",
        "it": "Possono essere giuste più risposte: spuntale tutte.",
        "ja": "正解は複数あるかもしれません。当てはまるものをすべて選んでください。",
        "nl": "Er kunnen meerdere antwoorden goed zijn: vink ze allemaal aan.",
        "pl": "Poprawnych odpowiedzi może być kilka: zaznacz wszystkie pasujące.",
        "pt-BR": "Pode haver mais de uma resposta certa: marque todas.",
        "tr": "Birden fazla yanıt doğru olabilir: uyanların hepsini işaretle.",
        "zh-CN": "可能有多个正确答案：请勾选所有符合的选项。",
    },
    "name": {
        "ar": "اختيار متعدد",
        "de": "Mehrfachauswahl",
        "en": "multiple select",
        "es": "selección múltiple",
        "fr": "choix multiples",
        "it": "scelta multipla",
        "ja": "複数選択",
        "nl": "meerdere antwoorden",
        "pl": "wielokrotny wybór",
        "pt-BR": "múltipla seleção",
        "tr": "çoklu seçim",
        "zh-CN": "多选",
    },
}
# One question of this kind as a quiz file gives it: its row of the CSV template.
SAMPLE = {
    "text": "Which of these are prime numbers? Tick every one.",
    "options": ["2", "9", "11", "15", "17", "21"],
    "correct": "ACE",
    "explanation": "9 = 3 x 3, 15 = 3 x 5 and 21 = 3 x 7.",
    "time_limit": 30,
}


@dataclass(frozen=True)
class Multi(ChoiceLike):
    name = "multi"
    words = WORDS
    sample = SAMPLE
    shuffles_options = True
    file_fields = ("scoring",)
    correct: str  # sorted letters
    scoring: str = "all"

    @classmethod
    def from_file(cls, raw: Mapping[str, Any], report: Report) -> Multi | None:
        options = check_options(raw, report)
        scoring = raw.get("scoring", "all")
        if scoring not in SCORINGS:
            report(f"scoring {json.dumps(scoring)} is not one of {', '.join(SCORINGS)}")
        if not options:
            return None
        correct = check_letters(raw.get("correct"), Multi(options, "").letters, report,
                                several=True)
        if not (correct and all(options)) or scoring not in SCORINGS:
            return None
        return cls(options, correct, scoring)

    def to_dict(self) -> dict[str, Any]:
        return {"options": list(self.options), "correct": self.correct,
                "scoring": self.scoring}

    def normalise(self, answer: object) -> str:
        if not isinstance(answer, str) or not answer or len(set(answer)) != len(answer) \
                or any(letter not in self.letters for letter in answer):
            raise BadAnswer(f"answer must be distinct letters of {', '.join(self.letters)}")
        return "".join(sorted(answer))

    def credit(self, stored: str) -> float:
        if self.scoring == "all":
            return 1.0 if stored == self.correct else 0.0
        right = sum(letter in self.correct for letter in stored)
        wrong = len(stored) - right
        return max(0.0, (right - wrong) / len(self.correct))

    def reveal(self) -> str:
        return self.correct
