"""``neuronlab train``'s defaults follow the size of the data: small sets train for many epochs on all
their rows, large ones for few epochs with a validation set for early stopping."""
import argparse
import json

import pytest

from neuronlab.cli.train import (AUTO_MAX_EPOCHS, AUTO_MAX_VAL_SPLIT, AUTO_MIN_EPOCHS, AUTO_MIN_VAL_ROWS, AUTO_VAL_SPLIT,
                                 _resolve_sizes)

from command_line import QUICK, ok, run


def _sizes(n_train, **given):
    ns = argparse.Namespace(val_split=None, epochs=None, batch_size=32)
    vars(ns).update(given)
    line = _resolve_sizes(ns, n_train)
    return ns, line


def test_small_data_keeps_every_training_row_for_learning_and_trains_the_most_epochs():
    ns, line = _sizes(120)
    assert ns.val_split == 0.0 and ns.epochs == AUTO_MAX_EPOCHS
    assert "no validation rows" in line and "120 training rows" in line


def test_a_validation_set_is_held_out_once_it_can_have_enough_rows():
    rows = int(AUTO_MIN_VAL_ROWS / AUTO_MAX_VAL_SPLIT)
    assert round(rows * _sizes(rows)[0].val_split) == AUTO_MIN_VAL_ROWS
    assert _sizes(rows - 1)[0].val_split == 0.0


def test_the_validation_split_grows_to_reach_its_fewest_rows_and_never_passes_its_bounds():
    for rows in (350, 400, 500, 699, 700, 5000, 10**6):
        split = _sizes(rows)[0].val_split
        assert AUTO_VAL_SPLIT <= split <= AUTO_MAX_VAL_SPLIT
        assert round(rows * split) >= AUTO_MIN_VAL_ROWS


def test_large_data_trains_few_epochs_but_at_least_the_minimum():
    ns, _ = _sizes(1_000_000)
    assert ns.epochs == AUTO_MIN_EPOCHS and ns.val_split == AUTO_VAL_SPLIT


@pytest.mark.parametrize("rows", [10, 150, 1437, 5000, 60000])
def test_the_default_epochs_stay_within_their_bounds(rows):
    assert AUTO_MIN_EPOCHS <= _sizes(rows)[0].epochs <= AUTO_MAX_EPOCHS


def test_values_given_on_the_command_line_are_kept_and_nothing_is_announced():
    ns, line = _sizes(120, val_split=0.25, epochs=7)
    assert (ns.val_split, ns.epochs, line) == (0.25, 7, None)


def test_iris_with_the_defaults_reaches_a_test_accuracy_of_at_least_0_93_over_three_seeds(tmp_path):
    accuracies = []
    for seed in (0, 1, 2):
        r = ok(run("train", "--data", "iris", "--seed", seed, "--out", tmp_path / "m.nlz", "--json", *QUICK))
        accuracies.append(json.loads(r.stdout)["test"]["accuracy"])
    assert sum(accuracies) / 3 >= 0.93, accuracies


def test_the_chosen_defaults_are_printed(tmp_path):
    r = ok(run("train", "--data", "iris", "--out", tmp_path / "m.nlz", *QUICK))
    assert "defaults for 120 training rows: up to 200 epochs (4 steps each), no validation rows" in r.stdout
