"""Quiz bundles: a .zip holding ``quiz.json`` (or another quiz file) at its root and the
pictures it names beside it.

Nothing is ever extracted to disk: files are read from the archive into
memory by the exact name the quiz gives, so a name such as ``../../x`` (zip
slip) finds nothing. Every read is bounded by what it may hold, whatever the
archive's headers claim, so a zip bomb stops at the bound.
"""

from __future__ import annotations

import io
import lzma
import struct
import zipfile
import zlib

from .pictures import MAX_PICTURE_BYTES, MAX_QUIZ_PICTURE_BYTES, Pictures, relative_parts

ZIP_MAGIC = b"PK\x03\x04"
QUIZ_NAMES = ("quiz.json", "quiz.csv", "quiz.gift", "quiz.txt")
MAX_ENTRIES = 2000
# The central directory lists each file in 46 bytes plus its name and extras: 1 KB
# each is plenty for a bundle's names, and bounds what opening the archive parses.
MAX_DIRECTORY_BYTES = MAX_ENTRIES * 1024
END_OF_DIRECTORY = b"PK\x05\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_END_OF_DIRECTORY = b"PK\x06\x06"
# What reading a damaged archive raises: a bad header or CRC, a method or version we do
# not have, an offset before the start (ValueError) or a name that is not UTF-8
# (UnicodeDecodeError, a ValueError), a truncated or corrupt deflate, bzip2 (OSError) or
# LZMA stream.
UNREADABLE = (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError,
              zlib.error, lzma.LZMAError)


class BundleError(ValueError):
    """A bundle that cannot be read; the message says why in plain words."""


def is_bundle(raw: bytes) -> bool:
    return raw.startswith(ZIP_MAGIC)


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The entry's bytes, reading at most ``limit + 1`` of them whatever its header says."""
    if info.flag_bits & 0x1:
        raise LookupError("it is encrypted")
    with archive.open(info) as entry:
        data = entry.read(limit + 1)
    if len(data) > limit:
        raise LookupError(f"it is larger than {limit // 2**20} MB")
    return data


class PicturesInBundle(Pictures):
    """Pictures read from the bundle, by the path the quiz gives, from the bundle's root."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        super().__init__()
        self.archive = archive
        self.entries = {info.filename: info for info in archive.infolist()
                        if not info.is_dir()}

    def fetch(self, path: str) -> bytes:
        parts = relative_parts(path)
        info = self.entries.get("/".join(parts)) if parts else None
        if info is None:
            raise LookupError("no such file in the bundle")
        try:
            return _read(self.archive, info, MAX_PICTURE_BYTES)
        except UNREADABLE as exc:
            raise LookupError(f"cannot be read from the bundle ({exc})") from None


def directory_size(raw: bytes) -> tuple[int, int]:
    """(files listed, central directory bytes) as the archive's end-of-central-directory
    record (or its zip64 form) says, read before anything else; BundleError without one.

    ``zipfile`` parses the whole directory when it opens an archive: this is how much
    that would be, known in constant time. A zip64 record is looked for where the
    locator points and just before the locator, where ``zipfile`` reads it whatever the
    locator says; the larger figures count, so a decoy at either place hides nothing.
    """
    end = raw.rfind(END_OF_DIRECTORY, max(0, len(raw) - 22 - 0xFFFF))
    if end < 0 or len(raw) < end + 22:
        raise BundleError("not a readable .zip file (it has no end of central directory)")
    entries, size = struct.unpack_from("<HI", raw, end + 10)
    locator = end - 20
    if locator >= 0 and raw[locator:locator + 4] == ZIP64_LOCATOR:
        (start,) = struct.unpack_from("<Q", raw, locator + 8)
        found = [struct.unpack_from("<QQ", raw, at + 32) for at in {start, locator - 56}
                 if at >= 0 and raw[at:at + 4] == ZIP64_END_OF_DIRECTORY
                 and len(raw) >= at + 56]
        if found:
            entries, size = max(e for e, _ in found), max(s for _, s in found)
    return entries, size


def open_bundle(raw: bytes, quiz_max_bytes: int) -> tuple[str, bytes, PicturesInBundle]:
    """(the quiz file's name, its bytes, the bundle's pictures); BundleError if unusable.

    The bounds are checked before the archive is parsed: its size, then the number of
    files and the size of the list of them that its last record declares.
    """
    if len(raw) > MAX_QUIZ_PICTURE_BYTES + quiz_max_bytes + 2**20:
        raise BundleError("the bundle is larger than its quiz and 50 MB of pictures")
    entries, listed_bytes = directory_size(raw)
    if entries > MAX_ENTRIES:
        raise BundleError(f"the bundle holds {entries:,} files; at most {MAX_ENTRIES:,}")
    if listed_bytes > MAX_DIRECTORY_BYTES:
        raise BundleError(f"the bundle's list of files takes {listed_bytes / 2**20:.1f} MB;"
                          f" at most {MAX_DIRECTORY_BYTES / 2**20:.1f} MB")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        infos = archive.infolist()
    except UNREADABLE as exc:
        raise BundleError(f"not a readable .zip file ({exc})") from None
    if len(infos) > MAX_ENTRIES:  # more than its last record said
        raise BundleError(f"the bundle holds more than {MAX_ENTRIES:,} files")
    pictures = PicturesInBundle(archive)
    name = next((n for n in QUIZ_NAMES if n in pictures.entries), None)
    if name is None:
        raise BundleError("no quiz.json at the root of the bundle")
    try:
        quiz = _read(archive, pictures.entries[name], quiz_max_bytes)
    except LookupError as exc:
        raise BundleError(f"{name} cannot be read: {exc.args[0]}") from None
    except UNREADABLE as exc:
        raise BundleError(f"{name} cannot be read ({exc})") from None
    return name, quiz, pictures
