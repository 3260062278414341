"""The pages and their files as browsers fetch them: one script and one stylesheet per page,
named by their content, gzipped once.

What a phone costs the room's Wi-Fi is mostly these files, so they are prepared once per
process from the package's ``static`` folder (read through ``importlib.resources``: the
zipapp serves the same bytes as the source tree):

- each page's HTML gets its ``<link rel="stylesheet">`` tags replaced by one, and its
  ``<script>`` tags by one, for ``/static/pages/<page>.<hash>.css`` and ``.js``: the
  page's own files joined in the order the HTML lists them, without their comments
  (``core/minify.py``; the HTML in ``static/`` stays the source of truth: a page that
  lists a new file gets it in its bundle);
- what a script loads later has a content-hashed name too, listed in ``STATIC_URLS`` at
  the top of each page script: KaTeX (its stylesheet pointing at its woff2 fonts only,
  each by hashed name) and the page's catalog in each language (the texts that page can
  ask for, and as their fallback the English texts a catalog lacks), so a page fetches
  the catalog of the language it shows and no other. A language's texts are its file in
  ``static/i18n`` and the kinds' words in it (``language_catalogs``);
- a hashed name never changes meaning, so browsers keep it for a year (``immutable``)
  and never ask again; the pages themselves and the plain ``/static/<file>`` names are
  revalidated (ETag, then a 304 of a few hundred bytes).

Text is gzipped once (level 9) the first time a browser that accepts gzip asks for it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from ..core.kinds import KINDS, catalog_words
from ..core.minify import strip_script, strip_style

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
HASH_LENGTH = 12  # hex digits of sha256 in a file name: a clash would need ~10^7 files
FALLBACK_LANGUAGE = "en"
# A key-shaped word between quotes: "student.join.heading", 'error'.
QUOTED = re.compile(r"[\"']([\w.-]+)[\"']")
COMPRESSIBLE = ("text/", "application/json", "image/svg+xml")
STYLESHEET = re.compile(r'^[ \t]*<link rel="stylesheet" href="/static/([^"]+)">\n', re.M)
SCRIPT = re.compile(r'^[ \t]*<script src="/static/([^"]+)"></script>\n', re.M)
# KaTeX's @font-face sources: woff2, then woff and ttf fallbacks every browser we serve skips.
FONT_SOURCES = re.compile(r"src:([^;}]*)")
FONT_SOURCE = re.compile(r'url\((fonts/[^)]+\.(woff2|woff|ttf))\)(?: format\("[^"]+"\))?')
KATEX_STYLE = "katex/katex.min.css"
KATEX_SCRIPT = "katex/katex.min.js"
QUESTION_KINDS = "question-kinds.js"
# A part of the kinds scripts, for some pages only: "// @part phone" (static/kinds.js).
PART = re.compile(rb"^// @part ([a-z]+)\n", re.M)
# What a page loads, never a page itself.
SUBRESOURCE_TYPES = ("text/css", "text/javascript", "application/json", "font/woff2")
TYPES = {".html": "text/html", ".css": "text/css", ".js": "text/javascript",  # RFC 9239
         ".json": "application/json", ".svg": "image/svg+xml", ".woff2": "font/woff2"}


def mimetype_of(name: str) -> str:
    """Our own table first: a system's (Windows' registry) may call a script text/plain,
    which a browser refuses under ``nosniff``."""
    suffix = "." + name.rpartition(".")[2]
    mimetype = TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if mimetype.startswith("text/") or mimetype == "image/svg+xml":
        mimetype += "; charset=utf-8"
    return mimetype


@dataclass
class Asset:
    """One file as served: its bytes, its type, a tag for revalidation, its gzip."""

    body: bytes
    mimetype: str
    immutable: bool = False

    @cached_property
    def tag(self) -> str:
        """The ETag's value; weak, as the gzipped bytes share it."""
        return hashlib.sha256(self.body).hexdigest()[:20]

    @property
    def compressible(self) -> bool:
        return self.mimetype.startswith(COMPRESSIBLE)

    @cached_property
    def gzipped(self) -> bytes | None:
        """The body gzipped, or None when gzip would not make it smaller."""
        if not self.compressible:
            return None
        packed = gzip.compress(self.body, compresslevel=9, mtime=0)
        return packed if len(packed) < len(self.body) else None


def question_kinds_script(static: Traversable, part: str | None = None) -> bytes:
    """``kinds.js`` and every ``kinds/*.js`` as one script: a new kind is one file in
    ``static/kinds/`` and no page changes. Renderers come in the order the kinds are
    registered (``core.kinds.KINDS``), the order menus list them in; any other after.

    With ``part`` (``"phone"``, ``"room"``), each file gives only what precedes its first
    ``// @part NAME`` line (what every page uses) and its sections of that part: a phone
    is not sent the projector's charts, nor the projector the phone's controls.

    Last, what core says of each kind that a page needs to know ahead of the server:
    ``buttonsSuffice`` (``Kind.buttons_suffice``), for the editor's phone preview of a
    buttons-only quiz."""
    order = {name: rank for rank, name in enumerate(KINDS)}
    renderers = sorted((entry for entry in static.joinpath("kinds").iterdir()
                        if entry.name.endswith(".js")),
                       key=lambda entry: (order.get(entry.name[:-3], len(order)), entry.name))
    sources = [entry.read_bytes() for entry in [static.joinpath("kinds.js"), *renderers]]
    if part is not None:
        sources = [b"".join(section for name, section in kind_parts(source)
                            if name in (None, part)) for source in sources]
    buttons = json.dumps([name for name, kind in KINDS.items() if kind.buttons_suffice])
    sources.append(f"for (const name of {buttons}) "
                   "if (questionKinds[name]) questionKinds[name].buttonsSuffice = true;\n".encode())
    return b"\n".join(sources)


def kind_parts(source: bytes) -> list[tuple[str | None, bytes]]:
    """A kinds script cut at its ``// @part NAME`` lines: ``(None, what comes before the
    first)``, then ``(NAME, its section)`` for each."""
    pieces = PART.split(source)
    return [(None, pieces[0])] + [(name.decode(), section) for name, section
                                  in zip(pieces[1::2], pieces[2::2], strict=True)]


def question_kinds_parts(static: Traversable) -> set[str]:
    """Every part name the kinds scripts use (``phone``, ``room``)."""
    return {name.decode() for entry in [static.joinpath("kinds.js"),
                                        *static.joinpath("kinds").iterdir()]
            if entry.name.endswith(".js") for name in PART.findall(entry.read_bytes())}


def language_catalogs(static: Traversable) -> dict[str, dict[str, Any]]:
    """Each language's catalog, language code → texts: its file in ``static/i18n`` and
    the kinds' words in that language (``Kind.words``: a kind carries its own words)."""
    catalogs = {}
    for entry in static.joinpath("i18n").iterdir():
        if entry.name.endswith(".json"):
            code = entry.name.removesuffix(".json")
            catalogs[code] = json.loads(entry.read_bytes()) | catalog_words(code)
    return catalogs


def hashed_name(name: str, body: bytes) -> str:
    """``katex/katex.min.js`` → ``katex/katex.min.<hash>.js``."""
    folder, _, base = name.rpartition("/")
    stem, dot, suffix = base.rpartition(".")
    digest = hashlib.sha256(body).hexdigest()[:HASH_LENGTH]
    return f"{folder + '/' if folder else ''}{stem}.{digest}{dot}{suffix}"


class Assets:
    """Every page, bundle and hashed file of one ``static`` folder, prepared at once."""

    def __init__(self, static: Traversable) -> None:
        self._static = static
        # Files made from others, under a plain name too.
        self._extra = {QUESTION_KINDS: Asset(question_kinds_script(static),
                                             mimetype_of(QUESTION_KINDS))}
        for part in question_kinds_parts(static):  # question-kinds.phone.js: a page's share
            self._extra[f"question-kinds.{part}.js"] = Asset(
                question_kinds_script(static, part), mimetype_of(QUESTION_KINDS))
        self._plain: dict[str, Asset] = {}  # plain names asked for, that exist (read once)
        self._hashed: dict[str, Asset] = {}
        self._pages: dict[str, Asset] = {}
        self._sources: dict[str, str] = {}  # our scripts and stylesheets, without comments
        self._katex = {"katexStyle": self._add(KATEX_STYLE, self._katex_style()),
                       "katexScript": self._add(KATEX_SCRIPT, self._read(KATEX_SCRIPT))}
        self._texts = language_catalogs(static)
        for code, texts in self._texts.items():  # /static/i18n/<code>.json: the whole catalog
            self._extra[f"i18n/{code}.json"] = Asset(
                json.dumps(texts, ensure_ascii=False, indent=2).encode() + b"\n",
                mimetype_of(f"{code}.json"))
        for page in sorted(entry.name for entry in static.iterdir()
                           if entry.name.endswith(".html")):
            self._pages[page] = Asset(self._bundle_page(page), mimetype_of(page))

    # ---- what routes ask for ------------------------------------------------------------
    def page(self, name: str) -> Asset | None:
        """A page's HTML (``student.html``), its tags pointing at its two bundles."""
        return self._pages.get(name)

    def file(self, name: str) -> Asset | None:
        """The file at ``/static/<name>``: a hashed name, or a plain file of the folder."""
        asset = self._hashed.get(name) or self._extra.get(name) or self._plain.get(name)
        if asset is not None:
            return asset
        parts = name.split("/")
        if any(part in ("", ".", "..") or "\\" in part for part in parts):
            return None
        resource = self._static.joinpath(*parts)
        if not resource.is_file():
            return None  # misses are not kept: anyone can ask for any path
        asset = self._plain[name] = Asset(resource.read_bytes(), mimetype_of(name))
        return asset

    # ---- building -----------------------------------------------------------------------
    def _read(self, name: str) -> bytes:
        if name in self._extra:
            return self._extra[name].body
        return self._static.joinpath(*name.split("/")).read_bytes()

    def _add(self, name: str, body: bytes) -> str:
        """Keep ``body`` under its hashed name; return the URL a page uses for it."""
        hashed = hashed_name(name, body)
        self._hashed[hashed] = Asset(body, mimetype_of(name), immutable=True)
        return "/static/" + hashed

    def _katex_style(self) -> bytes:
        """KaTeX's stylesheet with each font as its woff2 alone, by hashed name.

        Browsers only fetch a font a page draws with, and every browser that runs our
        pages reads woff2: the woff and ttf fallbacks (not shipped) are dropped."""
        fonts: dict[str, str] = {}

        def woff2_only(sources: re.Match[str]) -> str:
            kept = []
            for source in FONT_SOURCE.finditer(sources.group(1)):
                if source.group(2) == "woff2":
                    path = "katex/" + source.group(1)
                    if path not in fonts:
                        fonts[path] = self._add(path, self._read(path))
                    kept.append(f'url({fonts[path]}) format("woff2")')
            return "src:" + ",".join(kept)

        return FONT_SOURCES.sub(woff2_only, self._read(KATEX_STYLE).decode()).encode()

    def _bundle_page(self, page: str) -> bytes:
        """The page's HTML with one stylesheet and one script: its own, joined, without
        their comments."""
        source = self._read(page).decode()
        stem = page.removesuffix(".html")
        html = _join_tags(source, STYLESHEET, lambda names: '  <link rel="stylesheet" href="'
                          + self._add(f"pages/{stem}.css", "\n".join(
                              self._stripped(name) for name in names).encode()) + '">\n')
        own = SCRIPT.sub("", STYLESHEET.sub("", source))  # the page, not its files' names
        html = _join_tags(html, SCRIPT, lambda names: '  <script src="'
                          + self._page_script(stem, names, own) + '"></script>\n')
        return html.encode()

    def _page_script(self, stem: str, names: list[str], html: str) -> str:
        """The page's scripts joined, after ``STATIC_URLS``: KaTeX's names and the page's
        catalogs, one per language."""
        source = "\n;\n".join(self._stripped(name) for name in names)
        quoted = set(QUOTED.findall(source + html))
        urls = {**self._katex, "catalogs": self._catalogs(stem, quoted)}
        prelude = f'"use strict";\nconst STATIC_URLS = {json.dumps(urls, sort_keys=True)};\n'
        return self._add(f"pages/{stem}.js", (prelude + source).encode())

    def _catalogs(self, stem: str, quoted: set[str]) -> dict[str, str]:
        """The texts this page can ask for, per language: language code → URL.

        A page asks for a text by its key written out (``t("student.join.heading")``,
        ``data-i18n="app.name"``: tests/test_i18n.py holds every page to that), or for
        a server's code by the key's first part (``serverText("error", code)``): a
        string its HTML or scripts quote. Each catalog is
        ``{"catalog": …, "fallback": …}``, the fallback being the English texts it
        lacks (none, when it is complete)."""
        def used(texts: dict[str, Any]) -> dict[str, Any]:
            return {key: text for key, text in texts.items()
                    if key in quoted or key.partition(".")[0] in quoted}

        english = used(self._texts[FALLBACK_LANGUAGE])
        urls = {}
        for code, texts in sorted(self._texts.items()):
            catalog = used(texts)
            fallback = {key: text for key, text in english.items() if key not in catalog}
            body = json.dumps({"catalog": catalog, "fallback": fallback}, ensure_ascii=False,
                              separators=(",", ":")).encode()
            urls[code] = self._add(f"catalogs/{stem}/{code}.json", body)
        return urls

    def _stripped(self, name: str) -> str:
        """One of our scripts or stylesheets without its comments, stripped once for
        every page that lists it."""
        if name not in self._sources:
            strip = strip_script if name.endswith(".js") else strip_style
            self._sources[name] = strip(self._read(name).decode()).rstrip("\n")
        return self._sources[name]


def _join_tags(html: str, tag: re.Pattern[str], joined: Callable[[list[str]], str]) -> str:
    """Replace every ``tag`` line of ``html`` by one, where the first stood."""
    found = list(tag.finditer(html))
    if not found:
        return html
    names = [match.group(1) for match in found]
    pieces, position = [], 0
    for index, match in enumerate(found):
        pieces.append(html[position:match.start()])
        if index == 0:
            pieces.append(joined(names))
        position = match.end()
    return "".join(pieces) + html[position:]


@cache
def package_assets() -> Assets:
    """The installed package's assets (the source tree, or the unpacked zipapp), prepared
    once per process."""
    return Assets(files("trivia_trio").joinpath("static"))
