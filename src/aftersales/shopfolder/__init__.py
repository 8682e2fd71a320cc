"""A shop's folder of files (``aftersales.shopfolder``), read into cases, watches and follow-ups.

The board and the casebook's ingest read a folder the same way: platform exports,
saved cases, scenario files and review files, each recognised by its shape. A file
or record that cannot be used becomes a reported problem; the rest still loads.
"""

from ._load import LibraryFile, ShopData, library_file_kind, load_shop

__all__ = ["LibraryFile", "ShopData", "library_file_kind", "load_shop"]
