"""The estimators take a pandas DataFrame and remember its column names."""
import pytest

pytest.importorskip("sklearn")
pd = pytest.importorskip("pandas")

from sklearn.datasets import make_classification  # noqa: E402

import neuronlab as nl  # noqa: E402
from neuronlab.sklearn import NetworkClassifier  # noqa: E402


def test_pandas_input_sets_feature_names_in():
    X, y = make_classification(n_samples=120, n_features=6, n_informative=4, n_redundant=0, n_classes=3,
                               n_clusters_per_class=1, class_sep=2.0, random_state=0)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    est = NetworkClassifier(hidden_layer_sizes=(4,), epochs=3, random_state=0).fit(frame, pd.Series(y))
    assert est.feature_names_in_.tolist() == list(frame.columns) and est.n_features_in_ == 6
    assert est.network_.metadata["feature_names"] == list(frame.columns)
    with pytest.raises(nl.ShapeError, match="feature names"):
        est.predict(frame[frame.columns[::-1]])
