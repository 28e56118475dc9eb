"""Options declared once (pipeline/options.py): every CLI option of `run` is exactly one
declared option, and the library, the identity names and the help come from the same table."""

from __future__ import annotations

import typer
from typer.core import TyperOption

from arabic_digest import api, cli
from arabic_digest.pipeline.options import GROUPS, IDENTITY_NAMES, OPTIONS, OPTIONS_LIST
from arabic_digest.pipeline.spec import RunSpec


def _run_command():
    return typer.main.get_command(cli.app).commands["run"]


def test_every_cli_option_of_run_is_exactly_one_declared_option() -> None:
    by_flag = {flag: o for o in OPTIONS_LIST if o.cli for flag in o.flags}
    seen: list[str] = []
    for param in _run_command().params:
        if not isinstance(param, TyperOption) or param.name == "help":
            continue
        owners = {by_flag[f].name for f in param.opts if f in by_flag}
        assert len(owners) == 1, (param.opts, owners)
        o = OPTIONS[owners.pop()]
        assert set(param.opts) == set(o.flags), (param.opts, o.flags)
        assert param.name == o.param
        assert param.help == o.help
        assert param.rich_help_panel == o.group.panel  # the group names its panel
        if o.least is not None:  # the CLI's bounds are the option's
            assert (param.min, param.max) == (o.least, o.most), o.name
        if o.switch:
            assert param.is_flag and param.default is False
        elif o.name not in ("device", "backend", "engine", "translate"):  # Enums on the CLI
            assert param.default == (list(o.default) or None if o.name == "keep_kind"
                                     else o.default), o.name
        seen.append(o.name)
    declared = [o.name for o in OPTIONS_LIST if o.cli]
    assert sorted(seen) == sorted(declared)  # nothing declared twice, nothing left out


def test_each_option_is_in_one_group_and_groups_describe_themselves() -> None:
    assert len({o.name for o in OPTIONS_LIST}) == len(OPTIONS_LIST)
    assert {o.group for o in OPTIONS_LIST} == set(GROUPS)
    assert all(g.about and g.panel for g in GROUPS)


def test_library_keywords_and_bounds_come_from_the_options() -> None:
    assert set(api.OPTIONS) <= set(OPTIONS)
    for name, default in api.OPTIONS.items():
        assert default == OPTIONS[name].default
    # a bound the CLI enforces, the library enforces with the same words
    try:
        api.make_spec(["x.jsonl"], None, None, False, {"segment_tokens": 501})
    except api.UsageProblem as exc:
        assert str(exc) == "segment_tokens must be from 8 to 500, not 501"
    else:
        raise AssertionError("segment_tokens=501 accepted")


def test_every_identity_setting_names_the_option_behind_it() -> None:
    spec = RunSpec(inputs=("a.jsonl",))
    keys = set(spec.requested_identity())
    assert keys <= {k.split(".")[0] for k in IDENTITY_NAMES}
    for o in OPTIONS_LIST:
        if o.identity:
            assert o.long in IDENTITY_NAMES[o.identity] or o.identity in (
                "cleaning", "summarization"), o.name
