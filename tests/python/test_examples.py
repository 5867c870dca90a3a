"""The examples are real programs: run them."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_demo(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLES / "demo.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "replayed=True" in out and "bank code 51" in out and "Settlement report" in out
    assert "4355084355084358" not in out


def test_saved_cards(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLES / "saved_cards.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "Saved 435508******4358 as 'My Visa'" in out and "Deleted; 0 cards left" in out
    assert " 3 x    86.79 =   260.36 TL   3 Taksit 3 x 86,79 = 260,36 TL" in out, out
    assert "4355084355084358" not in out
