"""Every class in tui/ that declares key bindings is known to the keymap, so `[keymap]`
can rebind each of its ids and `boxoffice keys` lists them."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.binding import Binding

import tui
from tui.keys import _binding_classes


def test_every_class_with_binding_ids_is_in_the_keymap() -> None:
    known = set(_binding_classes())
    missing = []
    for module_info in pkgutil.walk_packages(tui.__path__, "tui."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            own = cls.__dict__.get("BINDINGS", [])
            if any(isinstance(b, Binding) and b.id for b in own) and cls not in known:
                # a private base is covered when every public subclass is listed
                subclasses = cls.__subclasses__()
                if cls.__name__.startswith("_") and subclasses and all(
                        sub in known for sub in subclasses):
                    continue
                missing.append(f"{module.__name__}.{cls.__name__}")
    assert missing == []
