"""A refusal's proof: an image uploaded with the refusal, checked before any call.

The platform takes the proof as a file part of a ``multipart/form-data`` request
(the SDKs' ``FileItem``: ``getMultipartParas() == ['refuse_proof']`` in the Python
SDK's ``RefundRefuseRequest`` and ``RpReturngoodsRefuseRequest``), outside the
signature. What it accepts (TOP-PROOF, from the API documents; research notes
``taobao_rules.md`` §2.4):

- an image: GIF, JPEG or PNG, recognised by its first bytes (a name can lie);
- at most 130,000 bytes for ``taobao.refund.refuse`` and 5 MB (5,242,880 bytes) for
  ``taobao.rp.returngoods.refuse``;
- required on Tmall (``taobao.refund.refuse``'s document: "天猫必传"; the returned
  goods' refusal always).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

import attrs

from ..core._errors import InvalidInput

__all__ = ["PROOF_LIMITS", "PROOF_RULE", "Proof", "ProofRefused", "read_proof"]

PROOF_RULE = "TOP-PROOF"

#: Method -> the largest proof it takes, in bytes (TOP-PROOF).
PROOF_LIMITS: Mapping[str, int] = {
    "taobao.refund.refuse": 130_000,
    "taobao.rp.returngoods.refuse": 5 * 1024 * 1024,
}

#: Magic bytes -> media type: the image formats the platform takes.
_MAGIC = (
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


class ProofRefused(InvalidInput):
    """The file is no proof the platform takes; the message says why and what is allowed."""


def media_type(content: bytes) -> str | None:
    """``image/gif``, ``image/jpeg`` or ``image/png`` by the first bytes, else None."""
    for magic, media in _MAGIC:
        if content.startswith(magic):
            return media
    return None


@attrs.frozen
class Proof:
    """An image to upload with a refusal. ``repr`` and :meth:`describe` never show its bytes."""

    name: str
    content: bytes = attrs.field(repr=False)
    media: str

    @classmethod
    def of(cls, content: bytes, name: str = "proof") -> Proof:
        """A proof from bytes; :class:`ProofRefused` unless GIF, JPEG or PNG."""
        media = media_type(content)
        if media is None:
            raise ProofRefused(
                f"{name} is not a GIF, JPEG or PNG image (by its first bytes); the platform "
                "takes only those as a refusal's proof"
            )
        return cls(name, content, media)

    @property
    def size(self) -> int:
        return len(self.content)

    def describe(self) -> str:
        """What the casebook keeps of it: name, size, type, digest (never the bytes)."""
        digest = hashlib.sha256(self.content).hexdigest()[:16]
        return f"{self.name} ({self.size} bytes, {self.media}, sha256 {digest})"

    def fits(self, method: str) -> None:
        """:class:`ProofRefused` when larger than ``method`` takes."""
        most = PROOF_LIMITS[method]
        if self.size > most:
            raise ProofRefused(
                f"{self.name} is {self.size:,} bytes; {method} takes a proof of at most "
                f"{most:,} bytes"
            )
        if self.size == 0:
            raise ProofRefused(f"{self.name} is empty")


def read_proof(path: Path) -> Proof:
    """The proof in ``path``; :class:`ProofRefused` when it cannot be read or is no image."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ProofRefused(f"{path}: {exc.strerror or exc}") from None
    return Proof.of(content, path.name)
