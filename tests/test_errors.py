"""The error vocabulary: every error says what is wrong and how to fix it, and is also the
built-in exception a caller would catch (ValueError, TypeError, ImportError)."""
import pytest

import neuronlab as nl
from neuronlab._util.registry import unknown_name


def test_an_unknown_name_suggests_the_close_one_and_lists_the_known_ones():
    msg = str(unknown_name("activation", "relue", ["tanh", "relu"]))
    assert msg == "unknown activation 'relue' — did you mean 'relu'? Known activations: relu, tanh"


def test_an_unknown_name_without_a_close_match_is_still_a_sentence():
    msg = str(unknown_name("loss", "hinge", ["mse", "mae"]))
    assert msg == "unknown loss 'hinge'. Known losses: mae, mse"


@pytest.mark.parametrize("cls, builtin", [(nl.ShapeError, ValueError), (nl.DataError, ValueError),
                                          (nl.UnknownNameError, ValueError),
                                          (nl.HyperparameterError, ValueError),
                                          (nl.MissingExtraError, ImportError)])
def test_every_error_is_a_neuronlab_error_and_a_builtin_one(cls, builtin):
    assert issubclass(cls, nl.NeuronLabError) and issubclass(cls, builtin)


def _bad_input_corpus():
    """Every case of every concept's ``test_bad_input.py`` (see ``bad_input.py``)."""
    import importlib.util
    from pathlib import Path
    corpus = []
    for path in sorted(Path(__file__).parent.glob("*/test_bad_input.py")):
        spec = importlib.util.spec_from_file_location(f"_corpus_{path.parent.name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        corpus += module.CASES
    return corpus


def test_the_bad_input_corpus_is_large_and_its_ids_are_distinct():
    corpus = _bad_input_corpus()
    ids = [c[0] for c in corpus]
    assert len(ids) >= 45 and len(set(ids)) == len(ids)
    assert len({c[2] for c in corpus}) >= 7            # every error class is exercised
