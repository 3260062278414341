"""Quiz import formats: JSON, spreadsheet CSV, Moodle GIFT and Aiken.

Plain synchronous tests: the formats are pure text in, quiz object out.
A quiz is compared as the Quiz that quiz_from_dict builds from it.
"""

from __future__ import annotations

import contextlib
import dataclasses
from importlib.resources import files
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trivia_trio.core.formats import aiken, csv_format, gift, json_format
from trivia_trio.core.kinds import KINDS, TrueFalse
from trivia_trio.core.quiz import Quiz, QuizError, quiz_from_dict
from trivia_trio.store.quiz_files import load_quiz

THREE_QUESTIONS = quiz_from_dict(
    {
        "title": "Example",
        "questions": [
            {
                "text": "Which organelle makes most of a cell's ATP?",
                "options": ["Nucleus", "Mitochondrion", "Ribosome", "Golgi apparatus"],
                "correct": "B",
                "explanation": (
                    "Mitochondria run the citric acid cycle and oxidative phosphorylation."
                ),
            },
            {
                "text": "Sound travels faster in water than in air.",
                "options": ["True", "False"],
                "correct": "A",
                "explanation": "About 1,480 m/s in water against about 343 m/s in air.",
                "time_limit": 15,
            },
            {
                "text": "What is the chemical symbol for gold?",
                "options": ["Go", "Gd", "Au"],
                "correct": "C",
                "explanation": "From the Latin aurum.",
            },
        ],
    }
)

EXAMPLES = [
    (json_format, "demo.json"),
    (csv_format, "template.csv"),
    (gift, "example.gift"),
    (aiken, "example_aiken.txt"),
]


def example_text(name: str) -> str:
    if name == "template.csv":  # made from the kinds' samples, not a file
        return csv_format.template()
    return (files("trivia_trio") / "quizzes" / name).read_bytes().decode("utf-8-sig")


def build(module: ModuleType, text: str, title: str = "Example") -> Quiz:
    return module.parse(text, title=title).quiz()


def without(quiz: Quiz, *fields: str) -> Quiz:
    """The quiz with the per-question fields a format does not carry blanked out."""
    blank = {"explanation": "", "time_limit": None}
    questions = tuple(
        dataclasses.replace(q, **{name: blank[name] for name in fields}) for q in quiz.questions
    )
    return dataclasses.replace(quiz, questions=questions)


def problems_of(module: ModuleType, text: str) -> list[str]:
    with pytest.raises(QuizError) as caught:
        build(module, text)
    return caught.value.problems


# --- round trips and agreement between formats ---------------------------------------------------


@pytest.mark.parametrize(("module", "name"), EXAMPLES)
def test_dump_of_each_example_parses_back_to_the_same_quiz(module: ModuleType, name: str) -> None:
    quiz = build(module, example_text(name))
    assert build(module, module.dump(quiz)) == quiz


def test_the_examples_of_the_same_three_questions_parse_to_the_same_quiz() -> None:
    assert build(json_format, json_format.dump(THREE_QUESTIONS)) == THREE_QUESTIONS
    # The GIFT example starts with the same three questions, its true/false question a
    # true/false kind rather than a choice of two; the CSV template with the first two.
    read = build(gift, example_text("example.gift"))
    expected = without(THREE_QUESTIONS, "time_limit")
    assert read.questions[1].kind == TrueFalse(("True", "False"), True)
    assert dataclasses.replace(read, questions=(
        read.questions[0], expected.questions[1], read.questions[2]
    )) == expected
    template = build(csv_format, example_text("template.csv"))
    assert template.questions[0] == THREE_QUESTIONS.questions[0]
    assert dataclasses.replace(template.questions[1], kind=THREE_QUESTIONS.questions[1].kind
                               ) == THREE_QUESTIONS.questions[1]
    assert build(aiken, example_text("example_aiken.txt")) == without(
        THREE_QUESTIONS, "time_limit", "explanation"
    )


def test_each_format_writes_what_it_can_carry_of_a_quiz_read_elsewhere() -> None:
    for module in (csv_format, gift, aiken):
        dumped = build(module, module.dump(THREE_QUESTIONS))
        assert without(dumped, "time_limit", "explanation") == without(
            THREE_QUESTIONS, "time_limit", "explanation"
        )


def test_the_csv_template_is_each_kinds_sample_under_the_narrow_header() -> None:
    text = csv_format.template()
    assert text.split("\r\n")[0] == (
        "question,kind,A,B,C,D,E,F,correct,tolerance,time_limit,explanation,image")
    questions = [{"kind": name} | dict(kind.sample) for name, kind in KINDS.items()]
    assert build(csv_format, text) == quiz_from_dict({"title": "Example",
                                                      "questions": questions})


# Words with every character the formats treat specially, joined by single spaces (GIFT, like
# Moodle, reads runs of whitespace as one space) and by line breaks.
WORD = st.text(
    alphabet=st.sampled_from("abcXYZ09éß漢😀~=#{}:\\/,;\"'-_>[]."), min_size=1, max_size=8
)
LINE = st.lists(WORD, min_size=1, max_size=4).map(" ".join)
TEXT = st.lists(LINE, min_size=1, max_size=3).map("\n".join)


@st.composite
def quizzes(draw: st.DrawFn, *, with_time_limits: bool) -> Quiz:
    def question(options: list[str]) -> dict:
        item = {
            "text": draw(TEXT),
            "options": options,
            "correct": "ABCD"[draw(st.integers(0, len(options) - 1))],
            "explanation": draw(st.one_of(st.just(""), TEXT)),
        }
        if with_time_limits:
            item["time_limit"] = draw(st.one_of(st.none(), st.integers(5, 600)))
        return item

    option_lists = st.lists(TEXT, min_size=2, max_size=4, unique=True)
    questions = [
        question(options) for options in draw(st.lists(option_lists, min_size=1, max_size=5))
    ]
    return quiz_from_dict({"title": "Example", "questions": questions})


@given(quizzes(with_time_limits=True))
def test_any_quiz_survives_a_csv_round_trip(quiz: Quiz) -> None:
    assert build(csv_format, csv_format.dump(quiz)) == quiz


@pytest.mark.slow
@given(quizzes(with_time_limits=False))
def test_any_quiz_survives_a_gift_round_trip(quiz: Quiz) -> None:
    assert build(gift, gift.dump(quiz)) == quiz


# --- choosing the format -------------------------------------------------------------------------

SAME_QUIZ_IN_EACH_FORMAT = {
    "json": '{"title": "upload", "questions": [{"text": "2+2?", "options": ["3", "4"],'
    ' "correct": "B"}]}',
    "csv": "question,A,B,correct\n2+2?,3,4,B\n",
    "gift": "2+2? {~3 =4}\n",
    "aiken": "2+2?\nA. 3\nB. 4\nANSWER: B\n",
}


@pytest.mark.parametrize(
    "content", SAME_QUIZ_IN_EACH_FORMAT.values(), ids=list(SAME_QUIZ_IN_EACH_FORMAT)
)
def test_an_upload_with_no_useful_name_is_read_by_its_content(content: str) -> None:
    quiz = load_quiz(content.encode(), filename="upload")
    assert quiz.title == "upload"
    assert quiz.questions[0].kind.options == ("3", "4")
    assert quiz.questions[0].kind.correct == "B"


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("quiz.JSON", SAME_QUIZ_IN_EACH_FORMAT["json"]),
        ("Week 3/quiz.csv", SAME_QUIZ_IN_EACH_FORMAT["csv"]),
        ("quiz.gift", SAME_QUIZ_IN_EACH_FORMAT["gift"]),
        ("quiz.aiken", SAME_QUIZ_IN_EACH_FORMAT["aiken"]),
        ("quiz.txt", SAME_QUIZ_IN_EACH_FORMAT["aiken"]),
        ("moodle-export.txt", SAME_QUIZ_IN_EACH_FORMAT["gift"]),
    ],
)
def test_the_file_name_suffix_chooses_the_format(filename: str, content: str) -> None:
    quiz = load_quiz(content.encode(), filename=filename)
    assert quiz.questions[0].kind.options == ("3", "4")


def test_the_title_is_the_file_name_stem_when_the_file_has_none() -> None:
    csv_quiz = load_quiz(b"question,A,B,correct\nQ,x,y,A\n", filename="/tmp/Cell biology.csv")
    untitled_json = b'{"questions": [{"text": "Q", "options": ["x", "y"], "correct": "A"}]}'
    assert csv_quiz.title == "Cell biology"
    assert load_quiz(untitled_json, filename="warm-up.json").title == "warm-up"


def test_a_suffix_forces_its_format_and_the_error_says_which_line() -> None:
    with pytest.raises(QuizError, match=r"^quiz\.json: line 1 column 1: not valid JSON"):
        load_quiz(b"question,A,B,correct\n", filename="quiz.json")


def test_content_of_no_known_format_is_refused_by_name() -> None:
    with pytest.raises(QuizError, match="upload: not a quiz file .*JSON.*CSV.*GIFT.*Aiken"):
        load_quiz(b"just some notes\nabout nothing\n", filename="upload")


# Fragments of every format's syntax, so that random text often comes close to a real file.
SYNTAX = st.sampled_from(
    [*'AB.) \n\r{}=~#%TF:\\/,;"[]<>&-$\x00\ufeff', "ANSWER:", "question", "correct", "::", "[html]"]
    + ["<p>", "####", "//", "{T}", "sep=;"]
)


@pytest.mark.slow
@given(
    st.one_of(st.text(), st.lists(SYNTAX).map("".join)),
    st.sampled_from(["q.json", "q.csv", "q.gift", "q.txt", "upload"]),
)
def test_any_upload_gives_a_quiz_or_a_quiz_error_never_a_crash(text: str, filename: str) -> None:
    with contextlib.suppress(QuizError):
        load_quiz(text.encode(), filename=filename)


def test_oversized_and_overnested_files_are_refused_as_quiz_errors() -> None:
    huge_cell = "question,A,B,correct\nQ,x,y,A\n" + '"' + "x" * 200_000 + '",x,y,A\n'
    with pytest.raises(QuizError, match=r"^big\.csv: line 3: field larger than field limit"):
        load_quiz(huge_cell.encode(), filename="big.csv")
    deep = '{"questions": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(QuizError, match="nested too deeply"):
        load_quiz(deep.encode(), filename="deep.json")


# --- CSV -----------------------------------------------------------------------------------------


def test_csv_as_excel_saves_it_in_a_semicolon_locale() -> None:
    raw = (
        "\ufeffQuestion;A;B;C;D;Correct;Time limit;Explanation\r\n"
        '"Which is ""larger""; 0,5 or 0,25?";0,5;0,25;;;A;30;"Halves:\r\nthink of pizza"\r\n'
        ";;;;;;;\r\n"
        "Capital of France?;Paris;Lyon;Nice;;a;;\r\n"
    ).encode()
    quiz = load_quiz(raw, filename="excel.csv")
    first, second = quiz.questions
    assert first.text == 'Which is "larger"; 0,5 or 0,25?'
    assert first.kind.options == ("0,5", "0,25")
    assert (first.kind.correct, first.time_limit) == ("A", 30)
    assert first.explanation == "Halves:\nthink of pizza"
    assert (second.kind.options, second.kind.correct) == (("Paris", "Lyon", "Nice"), "A")


def test_csv_quoted_cells_hold_commas_quotes_and_line_breaks() -> None:
    text = 'question,A,B,correct\n"Pick ""one"",\nplease",",",";",B\n'
    (question,) = build(csv_format, text).questions
    assert question.text == 'Pick "one",\nplease'
    assert question.kind.options == (",", ";")


def test_csv_excel_sep_hint_line_sets_the_delimiter() -> None:
    text = "sep=;\nquestion;A;B;correct\nQ, with a comma;x;y;B\n"
    assert build(csv_format, text).questions[0].text == "Q, with a comma"


def test_csv_bom_in_a_string_only_the_required_columns_and_empty_trailing_ones() -> None:
    quiz = build(csv_format, "\ufeffQUESTION,a,b,CORRECT,,\n\n2+2?,3,4,B,,\n\n")
    assert quiz.questions[0].kind.options == ("3", "4")


def test_csv_unknown_columns_are_reported_as_skipped_not_dropped_silently() -> None:
    skipped = csv_format.parse("question,A,B,correct,notes\nQ,x,y,A,mine\n").skipped
    assert skipped == ("line 1: column 'notes' is not used",)


def test_csv_option_gap_names_the_row() -> None:
    text = "question,A,B,C,D,correct\nQ1,x,y,z,,A\n\nQ2,x,y,,w,A\n"
    assert problems_of(csv_format, text) == [
        "question 2 (line 4): option C is empty; fill the options from A without gaps"
    ]


def test_csv_collects_every_problem_with_its_line_and_field() -> None:
    text = (
        "question,A,B,C,correct,time_limit\n"
        "Q1,x,,z,A,20\n"
        '"Q2\nspans two lines",x,y,,B,soon\n'
        "Q3,x,y,,A,10,stray\n"
    )
    assert problems_of(csv_format, text) == [
        "question 1 (line 2): option B is empty; fill the options from A without gaps",
        'question 2 (line 3): the time limit "soon" is not a whole number of seconds',
        "question 3 (line 5): 1 more cell(s) than the header has columns (is there an unquoted"
        " delimiter in a cell?)",
    ]


def test_csv_header_problems_name_line_one_and_the_missing_columns() -> None:
    (problem,) = problems_of(csv_format, "text,A,B,answer\nQ,x,y,A\n")
    assert problem.startswith("line 1: the header lacks question, correct (expected question,kind")


def test_csv_bad_values_are_left_to_the_quiz_validator_which_names_the_question() -> None:
    with pytest.raises(QuizError,
                       match=r'question 1 \(line 2\): the answer "E" is not one of A, B'):
        load_quiz(b"question,A,B,correct\nQ,x,y,E\n", filename="q.csv")


# --- GIFT ----------------------------------------------------------------------------------------


def test_gift_escapes_comments_titles_and_categories() -> None:
    text = (
        "// a comment line\n"
        "$CATEGORY: $course$/top/Week 1\n"
        "\n"
        "::Set notation:: In maths \\{1, 2\\} \\= \\{2, 1\\}\\: true? {\n"
        "  // a comment inside the answers\n"
        "  =Yes \\~ order does not matter\n"
        "  ~No\\nnever\n"
        "  ~C\\:\\\\temp\\#1\n"
        "}\n"
    )
    (question,) = build(gift, text).questions
    assert question.text == "In maths {1, 2} = {2, 1}: true?"
    assert question.kind.options == ("Yes ~ order does not matter", "No\nnever", "C:\\temp#1")


def test_gift_feedback_general_feedback_wins_over_the_right_answers_feedback() -> None:
    text = (
        "Q1 {=a #right one ~b #wrong one ####because of a}\n\n"
        "Q2 {=a #right one ~b #wrong one}\n\n"
        "Q3 {=a ~b}\n"
    )
    assert [q.explanation for q in build(gift, text).questions] == ["because of a", "right one", ""]


def test_gift_true_false_in_every_spelling_with_their_feedback() -> None:
    text = "A {T}\n\nB {TRUE}\n\nC {F}\n\nD {FALSE#shown if wrong#shown if right}\n\nE {t####why}\n"
    questions = build(gift, text).questions
    assert {q.kind.name for q in questions} == {"truefalse"}
    assert [q.kind.correct for q in questions] == [True, True, False, False, True]
    assert [q.explanation for q in questions] == ["", "", "", "shown if right", "why"]


def test_gift_missing_word_question_keeps_the_text_after_the_answers() -> None:
    text = "Gandhi's birthday is on {~15th =2nd ~3rd} of October.\n"
    (question,) = build(gift, text).questions
    assert question.text == "Gandhi's birthday is on _____ of October."


def test_gift_markup_prefixes_are_stripped_and_html_becomes_text() -> None:
    text = (
        "::Q1::[html]<p>Is 2 &lt; 3?<br>Think.</p>{\n"
        "  =<b>Yes</b>\n"
        "  ~[plain]<No>\n"
        "  ####<p>Two comes first.</p>\n"
        "}\n\n"
        "::Q2::[markdown]Pick *one* {=a ~b}\n"
    )
    first, second = build(gift, text).questions
    assert (first.text, first.kind.options) == ("Is 2 < 3?\nThink.", ("Yes", "<No>"))
    assert first.explanation == "Two comes first."
    assert second.text == "Pick *one*"


def test_gift_every_question_type_becomes_a_kind_and_only_essay_and_matching_are_skipped(
) -> None:
    text = (
        "::Kept:: Pick {=a ~b}\n\n"
        "::Essay:: Tell a story {}\n\n"
        "::Short:: Two plus two {=four =4}\n\n"
        "::Number:: Pi to two places {#3.14:0.005}\n\n"
        "::Range:: One to five {#1..5}\n\n"
        "::Match:: Pair them {=cat -> meow =dog -> woof}\n\n"
        "::Several:: A prime {=2 =3 ~4}\n\n"
        "::Partial:: Primes {~%50%2 ~%50%3 ~%-100%4}\n\n"
        "::Six:: Six {=a ~b ~c ~d ~e ~f}\n\n"
        "::TF:: The sky is green {F}\n\n"
        "Just some instructions, no answers.\n"
    )
    parsed = gift.parse(text)
    quiz = parsed.quiz()
    assert [(q.kind.name, q.kind.to_dict()) for q in quiz.questions] == [
        ("choice", {"options": ["a", "b"], "correct": "A"}),
        ("text", {"accept": ["four", "4"], "exact": False}),
        ("number", {"correct": 3.14, "tolerance": 0.005}),
        ("number", {"correct": 3, "tolerance": 2}),
        ("choice", {"options": ["2", "3", "4"], "correct": "AB"}),
        ("multi", {"options": ["2", "3", "4"], "correct": "AB", "scoring": "partial"}),
        ("choice", {"options": list("abcdef"), "correct": "A"}),
        ("truefalse", {"correct": False}),
        ("slide", {}),
    ]
    assert parsed.skipped == (
        'question 2 "Essay" (line 3): an essay question: answers are written at length, not'
        " asked live",
        'question 6 "Match" (line 11): a matching question: pairs cannot be asked live',
    )
    assert load_quiz(text.encode(), filename="mixed.gift").skipped == parsed.skipped


def test_gift_with_nothing_to_ask_is_refused_and_says_why() -> None:
    problems = problems_of(gift, "::Essay:: Tell a story {}\n")
    assert problems == [
        "no question that can be asked live",
        'question 1 "Essay" (line 1): an essay question: answers are written at length, not'
        " asked live",
    ]


def test_gift_collects_every_malformed_question_by_number_and_line() -> None:
    text = (
        "// header comment\n"
        "::Open:: Never closed {=a ~b\n\n"
        "::Fine:: Pick {=a ~b}\n\n"
        "::None right:: Pick {~a ~b}\n\n"
        "::Twice:: {=a ~b} and {=c ~d}\n\n"
        "::Broken title Pick {=a ~b}\n\n"
        "::Empty answer:: Pick {=a ~}\n"
    )
    assert problems_of(gift, text) == [
        'question 1 "Open" (line 2): { and } do not pair up (write a literal brace as \\{ or \\})',
        'question 3 "None right" (line 6): no answer is marked correct with = or a weight like'
        " ~%50%",
        'question 4 "Twice" (line 8): more than one answer block {...}',
        "question 5 (line 10): the title has no closing ::",
        'question 6 "Empty answer" (line 12): answer 2 is empty',
    ]


# --- Aiken ---------------------------------------------------------------------------------------


def test_aiken_accepts_both_option_styles_windows_line_endings_and_loose_answer_lines() -> None:
    text = "What is 2+2?\r\nA) 3\r\nB) 4\r\nANSWER: B\r\n\r\n\r\nLong question\r\nin two lines?\r\n"
    text += "A. yes\r\nB. no\r\nC. maybe\r\nanswer:c\r\n"
    first, second = build(aiken, text).questions
    assert (first.kind.options, first.kind.correct) == (("3", "4"), "B")
    assert (second.text, second.kind.correct) == ("Long question in two lines?", "C")


def test_aiken_more_than_six_options_is_skipped_with_its_reason() -> None:
    six = "A. a\nB. b\nC. c\nD. d\nE. e\nF. f\n"
    text = f"Q1\n{six}ANSWER: F\n\nQ2\n{six}G. g\nANSWER: E\n"
    parsed = aiken.parse(text)
    assert [q["correct"] for q in parsed.data["questions"]] == ["F"]
    assert parsed.skipped == ("question 2 (line 10): 7 options; a live question has at most 6",)


def test_aiken_collects_every_problem_by_line() -> None:
    text = (
        "A. orphan option\n"  # 1
        "Q1\n"  # 2
        "A. a\n"  # 3
        "C. c\n"  # 4
        "ANSWER: A\n"  # 5
        "\n"
        "Q2\n"  # 7
        "A. a\n"  # 8
        "B. b\n"  # 9
        "ANSWER: E\n"  # 10
        "\n"
        "Q3 forgot its answer\n"  # 12
        "A. a\n"  # 13
        "B. b\n"  # 14
        "\n"
        "Q4\n"  # 16
        "ANSWER: A\n"  # 17
        "Q5\n"  # 18
        "A. only\n"  # 19
        "ANSWER: A\n"  # 20
        "Q6\n"  # 21
        "A. a\n"  # 22
    )
    assert problems_of(aiken, text) == [
        "line 1: option A comes before any question",
        "question 1 (line 4): option C where B was expected",
        "question 2 (line 10): the answer 'E' is not one of A, B",
        "question 3 (line 12): no ANSWER: line after its options",
        "line 17: ANSWER: with no question and options above it",
        "question 5 (line 18): only one option; a question needs at least two",
        "question 6 (line 21): no ANSWER: line after its options",
    ]


def test_aiken_options_past_z_are_refused_not_a_crash() -> None:
    options = "".join(f"{letter}. x\n" for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZA")
    assert problems_of(aiken, f"Q\n{options}ANSWER: A\n") == [
        "question 1 (line 28): option A where no further option was expected"
    ]


def test_a_moodle_gift_export_with_every_question_type_skips_only_essay_and_matching() -> None:
    path = Path(__file__).parent / "data" / "moodle_export.gift"
    quiz = load_quiz(path)
    assert [(q.text, q.kind.name) for q in quiz.questions] == [
        ("Which organelle makes most of a cell's ATP?", "choice"),
        ("Which of these are prime numbers?", "multi"),
        ("Sound travels faster in water than in air.", "truefalse"),
        ("The Earth is flat.", "truefalse"),
        ("What is the capital of Australia?", "text"),
        ("Pi to two decimal places?", "number"),
        ("A whole number from 1 to 5?", "number"),
        ("How many bones does an adult human have?", "number"),
        ("Part 2: the solar system.", "slide"),
        ("The _____ orbits the Earth.", "choice"),
        ("Which colour has the longest wavelength?", "choice"),
        ("Name a noble gas.", "choice"),
    ]
    fields = [q.kind.to_dict() for q in quiz.questions]
    assert fields[1] == {"options": ["2", "9", "11", "15", "17", "21"], "correct": "ACE",
                         "scoring": "partial"}
    assert [fields[2]["correct"], fields[3]["correct"]] == [True, False]
    assert fields[4] == {"accept": ["Canberra", "Canberra ACT"], "exact": False}
    assert [fields[i] for i in (5, 6, 7)] == [{"correct": 3.14, "tolerance": 0.005},
                                               {"correct": 3, "tolerance": 2},
                                               {"correct": 206, "tolerance": 0}]
    assert (fields[10]["correct"], len(fields[10]["options"])) == ("A", 6)
    assert fields[11]["correct"] == "AB"
    assert quiz.questions[0].explanation == (
        "Mitochondria run the citric acid cycle and oxidative phosphorylation.")
    assert quiz.questions[2].explanation == "About 1,480 m/s in water."
    assert quiz.skipped == (
        'question 9 "Sounds (matching)" (line 50): a matching question: pairs cannot be asked'
        " live",
        'question 10 "Photosynthesis (essay)" (line 57): an essay question: answers are written'
        " at length, not asked live",
    )


LONG = "x" * 2001


@pytest.mark.parametrize(("filename", "text", "expected"), [
    ("q.csv",
     "question,kind,A,B,correct\n"
     "Q1,choice,x,y,A,stray\n"
     "Q2,number,,,three\n"
     "Q3,truefalse,,,maybe\n"
     f"{LONG},choice,x,y,B\n",
     ["question 1 (line 2): 1 more cell(s) than the header has columns (is there an unquoted"
      " delimiter in a cell?)",
      'question 2 (line 3): correct "three" is not a number',
      "question 3 (line 4): the answer of a true/false question must be true or false",
      "question 4 (line 5): the question text is longer than 2000 characters"]),
    ("q.gift",
     "::A:: Broken {=a ~b\n\n"
     "::B:: Fine {=a ~b}\n\n"
     f"::C:: {LONG} {{=a ~b}}\n\n"
     "::D:: Nothing right {~a ~b}\n",
     ['question 1 "A" (line 1): { and } do not pair up (write a literal brace as \\{ or \\})',
      'question 3 "C" (line 5): the question text is longer than 2000 characters',
      'question 4 "D" (line 7): no answer is marked correct with = or a weight like ~%50%']),
    ("q.txt",
     "Q1\nA. a\nC. c\nANSWER: A\n\n"
     f"Q2\nA. {LONG}\nB. b\nANSWER: B\n",
     ["question 1 (line 3): option C where B was expected",
      "question 2 (line 6): option A is longer than 2000 characters"]),
    ("q.json",
     '{"title": "T", "questions": [{"text": "Q1", "options": ["a"], "correct": "A"},'
     ' {"kind": "number", "text": "Q2", "correct": 1, "min": 5, "max": 2}]}',
     ["question 1: needs 2 to 6 options (A to F), it has 1",
      "question 2: min 5 must be less than max 2"]),
])
def test_every_problem_of_a_file_is_listed_in_one_pass_in_the_teachers_terms(
        filename: str, text: str, expected: list[str]) -> None:
    with pytest.raises(QuizError) as caught:
        load_quiz(text.encode(), filename=filename)
    assert caught.value.problems == expected
    assert not any("questions[" in problem for problem in caught.value.problems)
