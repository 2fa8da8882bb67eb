"""One source of truth: what the registry declares is what make_coder, the classes, the command
line and the docs say."""

import inspect

import pytest

import codesim as cs
from codesim.coders import CLASSES, registry
from codesim.commands import build_parser


@pytest.mark.parametrize("spec", registry.CODERS, ids=lambda s: s.name)
def test_each_coder_takes_exactly_the_options_the_registry_declares(spec):
    parameters = [p for p in inspect.signature(CLASSES[spec.name].__init__).parameters
                  if p not in ("self", "q")]
    assert tuple(parameters) == spec.options


@pytest.mark.parametrize("spec", registry.CODERS, ids=lambda s: s.name)
def test_the_coders_table_in_the_docs_names_each_coder_and_its_options(spec):
    rows = [line for line in cs.coders.__doc__.splitlines() if line.startswith(spec.name + " ")]
    assert rows, spec.name
    assert all(option in rows[0] for option in spec.options), rows[0]


def test_every_whole_number_option_has_one_flag_on_the_command_line():
    helps = build_parser().format_help()
    compare = [a for a in build_parser()._subparsers._group_actions[0].choices["compare"]._actions]
    flags = {s for a in compare for s in a.option_strings}
    assert {o.flag for o in registry.OPTIONS.values()} <= flags
    assert "compare" in helps


def test_capabilities_are_what_the_coders_do():
    q2 = [[0.5, 0.5], [0.9, 0.1]]
    for name in registry.names():
        spec = registry.spec(name)
        if spec.per_position:
            assert cs.make_coder(name, q2).per_position
        else:
            with pytest.raises(cs.CodesimError):
                cs.make_coder(name, q2)
    assert set(registry.names(context=True)) == set(cs.coders.context.CONTEXT_CODERS)
    assert registry.names(adaptive=True) == ("arithmetic",)
