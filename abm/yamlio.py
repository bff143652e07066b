"""Safe YAML loading that also rejects duplicate keys, and names the file in every error."""

from __future__ import annotations

from pathlib import Path

import yaml


class YamlError(ValueError):
    pass


class _UniqueKeyLoader(yaml.SafeLoader):
    pass


def _mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def read_text(path: Path | str, what: str = "file") -> str:
    """A file's text as UTF-8; raises YamlError naming the file (and the first bad byte) if it cannot be read."""
    path = Path(path)
    if path.is_dir():
        raise YamlError(f"{path} is a folder, not a {what}")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise YamlError(f"{path}: {what} not found") from None
    except OSError as exc:
        raise YamlError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise YamlError(f"{path}: not UTF-8 text: byte {exc.start} (line {line}) is 0x{raw[exc.start]:02x}; "
                        "save the file as UTF-8") from None


def load_yaml(path: Path | str, what: str = "file") -> dict:
    """Parse a YAML mapping with the safe loader; duplicate keys and python tags are errors."""
    path = Path(path)
    text = read_text(path, what)
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        # the parser knows only the text; name the file instead of "<unicode string>"
        for mark in (getattr(exc, "context_mark", None), getattr(exc, "problem_mark", None)):
            if mark is not None:
                mark.name = str(path)
        if isinstance(exc, yaml.reader.ReaderError):
            exc.name = str(path)
        raise YamlError(f"{path}: not valid YAML: {exc}") from None
    if data is None:
        raise YamlError(f"{path}: the file is empty; expected a mapping of keys to values")
    if not isinstance(data, dict):
        raise YamlError(f"{path}: expected a mapping of keys to values at the top level, "
                        f"not a {type(data).__name__}")
    return data
