"""scikit-learn's bundled data sets load with their shapes, tasks and names; the built-in digits equal
scikit-learn's."""
import json

import numpy as np
import pytest

pytest.importorskip("sklearn")

import sklearn.datasets as sk  # noqa: E402

from neuronlab import datasets as ds  # noqa: E402


@pytest.mark.parametrize("name,shape,k", [("iris", (150, 4), 3), ("digits", (1797, 64), 10),
                                           ("wine", (178, 13), 3), ("breast_cancer", (569, 30), 2)])
def test_real_sets(name, shape, k):
    d = ds.load(name)
    assert d.X.shape == shape and d.n_classes == k and d.task == "classification"
    assert len(d.feature_names) == shape[1]
    json.dumps(d.target_names)                       # labels are plain, JSON-able values


def test_diabetes_is_regression():
    d = ds.load("diabetes")
    assert d.task == "regression" and d.y.dtype == np.float64 and d.X.shape == (442, 10)


def test_fast_digits_equal_sklearn():
    d = ds.load("digits")
    ref = sk.load_digits()
    np.testing.assert_array_equal(d.X, ref.data)
    np.testing.assert_array_equal(d.y, ref.target)
    assert d.feature_names == list(ref.feature_names) and d.target_names == list(range(10))
