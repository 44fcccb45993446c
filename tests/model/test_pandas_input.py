"""A pandas DataFrame is accepted like its values."""
import numpy as np
import pytest

pd = pytest.importorskip("pandas")

from bad_input import X, clf  # noqa: E402


def test_a_pandas_frame_is_accepted_like_its_values():
    net = clf()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    np.testing.assert_array_equal(net.predict_proba(frame), net.predict_proba(X))
