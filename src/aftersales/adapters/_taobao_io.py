"""Reading export files: the adapter's only I/O, kept apart from the parsing."""

from __future__ import annotations

from pathlib import Path

from ..core._document import DocumentError, json_document
from ._taobao_records import PayloadError

__all__ = ["read_exports"]


def read_exports(path: Path) -> list[tuple[str, object]]:
    """``(name, parsed JSON)`` for a file, or for every ``.json`` file in a folder
    (sorted, not recursive). A file that cannot be read gives a :class:`PayloadError`
    in place of its content, so the import reports it and goes on."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix == ".json")
        base = path
    elif path.is_file():
        files, base = [path], path.parent
    else:
        raise FileNotFoundError(f"no export file or folder at {path}")
    exports: list[tuple[str, object]] = []
    for file in files:
        name = file.relative_to(base).as_posix()
        try:
            # Floats stay floats on purpose: integers stay exact (19-digit IDs)
            # and a float stays a float, so the import can refuse it as money.
            payload: object = json_document(file.read_bytes(), name, exact=False)
        except OSError as exc:
            payload = PayloadError(f"cannot read {name}: {exc}")
        except DocumentError as exc:
            payload = PayloadError(f"cannot read {exc}")
        exports.append((name, payload))
    return exports
