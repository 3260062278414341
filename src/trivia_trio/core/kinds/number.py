"""``number``: a number, right within a tolerance; a slider when ``min`` and ``max`` are set."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .base import BadAnswer, Report, Typed, is_number

NumberValue = int | float


# The words its renderer shows, in each language of static/i18n: served in every
# catalog as ``kind.<name>.<word>`` (base.Kind.words).
WORDS = {
    "less": {
        "ar": "أقل",
        "de": "Weniger",
        "en": "Less",
        "es": "Menos",
        "fr": "Moins",
        "it": "Meno",
        "ja": "減らす",
        "nl": "Minder",
        "pl": "Mniej",
        "pt-BR": "Menos",
        "tr": "Azalt",
        "zh-CN": "减少",
    },
    "more": {
        "ar": "أكثر",
        "de": "Mehr",
        "en": "More",
        "es": "Más",
        "fr": "Plus",
        "it": "Più",
        "ja": "増やす",
        "nl": "Meer",
        "pl": "Więcej",
        "pt-BR": "Mais",
        "tr": "Artır",
        "zh-CN": "增加",
    },
    "invalid": {
        "ar": "أدخل عددًا، مثل {whole} أو {decimal}.",
        "de": "Gib eine Zahl ein, zum Beispiel {whole} oder {decimal}.",
        "en": "Enter a number, for example {whole} or {decimal}.",
        "es": "Escribe un número, por ejemplo {whole} o {decimal}.",
        "fr": "Saisissez un nombre, par exemple {whole} ou {decimal}.",
        "it": "Scrivi un numero, per esempio {whole} o {decimal}.",
        "ja": "数値を入力してください（例：{whole}、{decimal}）。",
        "nl": "Vul een getal in, bijvoorbeeld {whole} of {decimal}.",
        "pl": "Wpisz liczbę, na przykład {whole} albo {decimal}.",
        "pt-BR": "Digite um número, por exemplo {whole} ou {decimal}.",
        "tr": "Bir sayı gir, örneğin {whole} ya da {decimal}.",
        "zh-CN": "请输入一个数字，例如 {whole} 或 {decimal}。",
    },
    "range": {
        "ar": "من {low} إلى {high}",
        "de": "{low} bis {high}",
        "en": "{low} to {high}",
        "es": "de {low} a {high}",
        "fr": "de {low} à {high}",
        "it": "da {low} a {high}",
        "ja": "{low}～{high}",
        "nl": "{low} tot {high}",
        "pl": "od {low} do {high}",
        "pt-BR": "de {low} a {high}",
        "tr": "{low} ile {high} arası",
        "zh-CN": "{low} 到 {high}",
    },
    "board": {
        "ar": "أجب برقم على هاتفك.",
        "de": "Antworte mit einer Zahl auf deinem Handy.",
        "en": "Answer with a number on your phone.",
        "es": "Responde con un número en tu móvil.",
        "fr": "Répondez par un nombre sur votre téléphone.",
        "it": "Rispondi con un numero sul telefono.",
        "ja": "スマートフォンで数値を答えてください。",
        "nl": "Antwoord met een getal op je telefoon.",
        "pl": "Odpowiedz liczbą na telefonie.",
        "pt-BR": "Responda com um número no celular.",
        "tr": "Telefonundan bir sayıyla yanıtla.",
        "zh-CN": "请在手机上用数字作答。",
    },
    "board_between": {
        "ar": "أجب على هاتفك برقم بين {min} و{max}.",
        "de": "Antworte auf deinem Handy mit einer Zahl zwischen {min} und {max}.",
        "en": "Answer with a number between {min} and {max} on your phone.",
        "es": "Responde en tu móvil con un número entre {min} y {max}.",
        "fr": "Répondez sur votre téléphone par un nombre entre {min} et {max}.",
        "it": "Rispondi sul telefono con un numero tra {min} e {max}.",
        "ja": "スマートフォンで{min}から{max}までの数値を答えてください。",
        "nl": "Antwoord op je telefoon met een getal tussen {min} en {max}.",
        "pl": "Odpowiedz na telefonie liczbą od {min} do {max}.",
        "pt-BR": "Responda no celular com um número entre {min} e {max}.",
        "tr": "Telefonundan {min} ile {max} arasında bir sayıyla yanıtla.",
        "zh-CN": "请在手机上输入 {min} 到 {max} 之间的数字。",
    },
    "summary": {
        "ar": "الإجابات المقدَّمة: {values}",
        "de": "Gegebene Antworten: {values}",
        "en": "Answers given: {values}",
        "es": "Respuestas dadas: {values}",
        "fr": "Réponses données : {values}",
        "it": "Risposte date: {values}",
        "ja": "回答の分布：{values}",
        "nl": "Gegeven antwoorden: {values}",
        "pl": "Udzielone odpowiedzi: {values}",
        "pt-BR": "Respostas dadas: {values}",
        "tr": "Verilen yanıtlar: {values}",
        "zh-CN": "作答分布：{values}",
    },
    "summary_item": {
        "ar": "{answer} × {count}",
        "de": "{answer} × {count}",
        "en": "{answer} × {count}",
        "es": "{answer} × {count}",
        "fr": "{answer} × {count}",
        "it": "{answer} × {count}",
        "ja": "{answer} × {count}",
        "nl": "{answer} × {count}",
        "pl": "{answer} × {count}",
        "pt-BR": "{answer} × {count}",
        "tr": "{answer} × {count}",
        "zh-CN": "{answer} × {count}",
    },
    "summary_accepted": {
        "ar": "{answer} × {count} (مقبولة)",
        "de": "{answer} × {count} (akzeptiert)",
        "en": "{answer} × {count} (accepted)",
        "es": "{answer} × {count} (aceptada)",
        "fr": "{answer} × {count} (acceptée)",
        "it": "{answer} × {count} (accettata)",
        "ja": "{answer} × {count}（正解）",
        "nl": "{answer} × {count} (goed)",
        "pl": "{answer} × {count} (akceptowana)",
        "pt-BR": "{answer} × {count} (aceita)",
        "tr": "{answer} × {count} (kabul edildi)",
        "zh-CN": "{answer} × {count}（正确）",
    },
    "name": {
        "ar": "رقم",
        "de": "Zahl",
        "en": "number",
        "es": "número",
        "fr": "nombre",
        "it": "numero",
        "ja": "数値",
        "nl": "getal",
        "pl": "liczba",
        "pt-BR": "número",
        "tr": "sayı",
        "zh-CN": "数字",
    },
}
# One question of this kind as a quiz file gives it: its row of the CSV template.
SAMPLE = {
    "text": "How many bones does an adult human have?",
    "correct": 206,
    "tolerance": 0,
    "explanation": "Babies are born with about 300; some fuse as they grow.",
}


@dataclass(frozen=True)
class Number(Typed):
    name = "number"
    words = WORDS
    sample = SAMPLE
    file_fields = ("min", "max", "step")
    correct: NumberValue
    tolerance: NumberValue = 0
    min: NumberValue | None = None
    max: NumberValue | None = None
    step: NumberValue | None = None

    @classmethod
    def from_file(cls, raw: Mapping[str, Any], report: Report) -> Number | None:
        fields: dict[str, Any] = {}
        for field in ("correct", "tolerance", "min", "max", "step"):
            value = raw.get(field)
            if value is None:
                continue
            if not is_number(value):
                report(f"{field} {json.dumps(value)} is not a number")
            else:
                fields[field] = value
        problems = []
        correct, low, high = fields.get("correct"), fields.get("min"), fields.get("max")
        if raw.get("correct") is None:
            problems.append("needs the correct number")
        if fields.get("tolerance", 0) < 0:
            problems.append("the tolerance must not be negative")
        if fields.get("step", 1) <= 0:
            problems.append("the step must be more than 0")
        if low is not None and high is not None and low >= high:
            problems.append(f"min {low} must be less than max {high}")
        elif correct is not None and ((low is not None and correct < low)
                                      or (high is not None and correct > high)):
            problems.append(f"the correct number {correct} lies outside min..max")
        for problem in problems:
            report(problem)
        given = sum(raw.get(f) is not None for f in ("correct", "tolerance", "min", "max", "step"))
        return None if problems or len(fields) < given else cls(**fields)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"correct": self.correct, "tolerance": self.tolerance}
        for field in ("min", "max", "step"):
            if getattr(self, field) is not None:
                data[field] = getattr(self, field)
        return data

    def public(self) -> dict[str, Any]:
        return {field: getattr(self, field) for field in ("min", "max", "step")
                if getattr(self, field) is not None}

    def normalise(self, answer: object) -> str:
        if not is_number(answer) or abs(answer) > 1e15:  # type: ignore[arg-type]
            raise BadAnswer("answer must be a number")
        return json.dumps(answer)

    def wire_answer(self, stored: str) -> Any:
        return json.loads(stored)

    def credit(self, stored: str) -> float:
        # A little slack so 0.1 + 0.2 is 0.3 within a tolerance of 0.
        slack = 1e-9 * max(1.0, abs(self.correct))
        return 1.0 if abs(json.loads(stored) - self.correct) <= self.tolerance + slack else 0.0

    def reveal(self) -> dict[str, Any]:
        return {"value": self.correct, "tolerance": self.tolerance}
