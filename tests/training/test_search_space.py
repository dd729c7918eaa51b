"""Search spaces parsed from text without eval, or taken from a dict."""

from __future__ import annotations

import pytest

from matih_workbench.errors import InvalidInput
from matih_workbench.services.training.search_space import parse_search_space, search_space_from_dict


def test_text_forms() -> None:
    space = parse_search_space(
        "lr=loguniform(1e-4,1e-1) depth=choice(4,8,16), n=randint(1,10) x=uniform(0, 1) g=grid('a', \"b,c\")"
    )
    assert {k: (v.kind, v.values) for k, v in space.items()} == {
        "lr": ("loguniform", [1e-4, 1e-1]),
        "depth": ("choice", [4, 8, 16]),
        "n": ("randint", [1, 10]),
        "x": ("uniform", [0, 1]),
        "g": ("grid", ["a", "b,c"]),
    }


def test_hint_names_the_closest_function() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_search_space("lr=loguniformm(1e-4, 1)")
    assert info.value.hint == "did you mean loguniform()?"


def test_dict_forms() -> None:
    space = search_space_from_dict(
        {"lr": "loguniform(1e-3, 1e-1)", "d": [1, 2], "m": {"kind": "grid", "values": [1]}}
    )
    assert [v.kind for v in space.values()] == ["loguniform", "choice", "grid"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lr=loguniform(0, 1)", "low > 0"),
        ("lr=loguniformm(1e-4, 1)", "Unknown search space function 'loguniformm'"),
        ("lr=uniform(1, 0)", "low < high"),
        ("n=randint(1.5, 3)", "integers"),
        ("x=choice(__import__('os').system('echo hi'))", "literal"),
        ("x=choice()", "at least one"),
        ("lr loguniform(1, 2)", "Cannot read"),
        ("lr=uniform(0, 1", "Missing"),
        ("a=grid(1) a=grid(2)", "twice"),
    ],
)
def test_mistakes(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_search_space(text)
