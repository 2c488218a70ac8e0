"""`govcrawl demo` argument handling (the full run is the e2e tests' business)."""

from __future__ import annotations

from govcrawl.cli import build_parser, main


def test_demo_command_is_registered():
    args = build_parser().parse_args(["demo", "--as-of", "2024-06-20", "--scale", "e2e", "-s", "A=1"])
    assert args.command == "demo" and args.scale == "e2e" and args.set == ["A=1"]
    assert build_parser().parse_args(["demo"]).scale == "demo"


def test_bad_as_of_is_one_line_and_exit_2(capsys):
    assert main(["demo", "--as-of", "2024-13-40"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--as-of" in err
