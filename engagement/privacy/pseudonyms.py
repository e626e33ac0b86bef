"""Replacement for de-identification: typed placeholders or pseudonyms, keyed by a salted hash.

:class:`Pseudonymiser` is the run's register of replacements; :func:`load_salt` reads (or, on
first use, creates) the project salt it keys them with. Only salted hashes are ever recorded.

Example:
    >>> p = Pseudonymiser(b"k" * 32)
    >>> from engagement.privacy.detector import Hit
    >>> p.replace(Hit(0, 5, "PERSON", "known_name", "Sarah"))[0]
    '[PERSON_1]'
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from engagement.privacy import patterns as pp
from engagement.errors import ConfigError

if TYPE_CHECKING:   # Hit is only an annotation here; the two modules need not import each other
    from engagement.privacy.detector import Hit


class Pseudonymiser:
    """The run's register: salted keys -> placeholders (or pseudonyms), numbered by first appearance.

    The register key of a value is HMAC-SHA256(salt, ``TYPE:normalised value``), where a known
    participant's first name and full name share one normalised value. The number a value gets
    depends only on the order values are met, never on the salt; a pseudonym (``pseudonyms=True``)
    is chosen from built-in lists by the key and is never the real value.

    Args:
        salt: the project salt (:func:`load_salt`).
        pseudonyms: realistic stand-ins instead of ``[TYPE_n]`` placeholders.
        avoid: name tokens (folded) a pseudonym must not use, e.g. every known participant name.
    """

    def __init__(self, salt: bytes, pseudonyms: bool = False, avoid: Iterable[str] = ()):
        if not isinstance(salt, (bytes, bytearray)) or len(salt) < 16:
            raise ConfigError("the de-identification salt must be at least 16 bytes")
        self._salt = bytes(salt)
        self.pseudonyms = bool(pseudonyms)
        self.avoid = {pp.fold(a) for a in avoid}
        self._register: dict[str, str] = {}
        self._counts: dict[str, int] = {}

    def __repr__(self) -> str:  # never show the salt
        return f"Pseudonymiser(pseudonyms={self.pseudonyms}, values={len(self._register)})"

    def key(self, kind: str, normalised: str) -> str:
        """HMAC-SHA256(salt, ``kind:normalised``) as 64 hex characters."""
        return hmac.digest(self._salt, f"{kind}:{normalised}".encode("utf-8"), hashlib.sha256).hex()

    def value_hash(self, kind: str, value: str) -> str:
        """The salted hash recorded for a value as written (normalised; never the value itself)."""
        return self.key(kind, pp.normalise(kind, value))

    @property
    def register(self) -> dict[str, str]:
        """Register key -> replacement text, for every value met so far (a copy)."""
        return dict(self._register)

    def replace(self, hit: Hit) -> tuple[str, str]:
        """``(replacement, value_hash)`` for a hit; registers the value on first sight."""
        value_hash = self.value_hash(hit.type, hit.value)
        reg = self.key(hit.type, hit.canonical) if hit.canonical else value_hash
        if reg not in self._register:
            if hit.type.startswith("AGE_OVER_"):
                self._register[reg] = f"[{hit.type}]"
            else:
                self._counts[hit.type] = n = self._counts.get(hit.type, 0) + 1
                self._register[reg] = f"[{hit.type}_{n}]"
        placeholder = self._register[reg]
        if self.pseudonyms:
            placeholder = self._pseudonym(hit, int(reg[:16], 16))
        return placeholder, value_hash

    def _pseudonym(self, hit: Hit, k: int) -> str:
        kind, real = hit.type, {pp.fold(t) for t in re.findall(r"\w+", hit.value)}
        if kind == "PERSON":
            for step in range(len(pp.PSEUDO_FIRST)):
                first = pp.PSEUDO_FIRST[(k + step) % len(pp.PSEUDO_FIRST)]
                last = pp.PSEUDO_LAST[(k // 97 + step) % len(pp.PSEUDO_LAST)]
                if not ({pp.fold(first), pp.fold(last)} & (real | self.avoid)):
                    break
            return f"{first} {last}" if len(hit.value.split()) > 1 else first
        if kind == "PHONE":
            return f"07700 900{k % 1000:03d}"
        if kind == "EMAIL":
            return f"{pp.PSEUDO_FIRST[k % 48].lower()}.{pp.PSEUDO_LAST[k // 48 % 32].lower()}@example.com"
        if kind == "NHS_NUMBER":
            for step in range(20):
                digits = f"999{(k + step) % 1_000_000:06d}"
                for check in range(10):
                    if pp.nhs_check_ok(digits + str(check)):
                        return f"{digits[:3]} {digits[3:6]} {digits[6:]}{check}"
        if kind == "POSTCODE":
            letters = "ABDEFGHJLNPQRSTUWXYZ"
            return f"ZZ99 {k % 10}{letters[k // 10 % 20]}{letters[k // 200 % 20]}"
        if kind == "ADDRESS":
            return f"{k % 90 + 1} {pp.PSEUDO_STREETS[k // 90 % 16]} {('Road', 'Close', 'Lane', 'Way')[k // 1440 % 4]}"
        if kind == "DATE_OF_BIRTH":
            months = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December")
            return f"{k % 28 + 1} {months[k // 28 % 12]} {1935 + k // 336 % 60}"
        if kind.startswith("AGE_OVER_"):
            return f"over {kind.rsplit('_', 1)[-1]}"
        if kind == "LOCATION":
            return pp.PSEUDO_PLACES[k % len(pp.PSEUDO_PLACES)]
        return self._register.get(self.key(kind, pp.normalise(kind, hit.value)), f"[{kind}]")


def load_salt(cfg) -> bytes:
    """The project salt from ``cfg.salt_file``; created (mode 0600, 32 random bytes) if missing.

    The salt is never printed or written anywhere else.

    Raises:
        ConfigError: the salt file exists but does not hold at least 16 bytes of hex.
    """
    path = Path(cfg.salt_file)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass   # another process created it first: use theirs
        else:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_hex(32) + "\n")
    try:
        salt = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (ValueError, UnicodeDecodeError):
        raise ConfigError("the salt file is not hex; delete it only if no earlier run must stay comparable",
                          path=path) from None
    if len(salt) < 16:
        raise ConfigError("the salt file holds fewer than 16 bytes", path=path)
    return salt
