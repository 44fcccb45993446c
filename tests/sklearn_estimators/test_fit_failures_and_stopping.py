"""What the estimators promise about bad values in the data, failed fits, class
weights, partial_fit and when training stops."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

import neuronlab as nl
from neuronlab.sklearn import NetworkClassifier, NetworkRegressor, NotFittedError
from neuronlab.sklearn.estimator import NoImprovement, stopping_epoch

pd = pytest.importorskip("pandas")


def data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, (X[:, 0] > 0).astype(int), X @ [1.0, -2.0, 0.5]


SMALL = dict(hidden_layer_sizes=(4,), epochs=3, random_state=0)


# -- NaN and inf: one line with row and column ------------------------------------------------
@pytest.mark.parametrize("kind", ["numpy", "list", "frame"])
@pytest.mark.parametrize("value, shown", [(np.nan, "NaN"), (np.inf, "inf"), (-np.inf, "-inf")])
def test_non_finite_X_is_reported_on_one_line_with_row_and_column_in_every_method(kind, value, shown):
    X, y, _ = data()
    clf = NetworkClassifier(**SMALL).fit(X, y)
    bad = X.copy()
    bad[4, 2] = value
    bad = {"numpy": bad, "list": bad.tolist(), "frame": pd.DataFrame(bad)}[kind]
    calls = {"fit": lambda: NetworkClassifier(**SMALL).fit(bad, y),
             "partial_fit": lambda: NetworkClassifier(**SMALL).partial_fit(bad, y, classes=[0, 1]),
             "predict": lambda: clf.predict(bad), "predict_proba": lambda: clf.predict_proba(bad),
             "score": lambda: clf.score(bad, y), "regressor fit": lambda: NetworkRegressor(**SMALL).fit(bad, y)}
    for name, call in calls.items():
        with pytest.raises(nl.DataError) as info:
            call()
        msg = str(info.value)
        assert f"X contains {shown} at row 4, column 2;" in msg and "\n" not in msg, name


@pytest.mark.parametrize("kind", ["numpy", "list", "series"])
def test_non_finite_y_is_reported_on_one_line_with_its_row(kind):
    X, _, y = data()
    bad = y.copy()
    bad[7] = np.nan
    bad = {"numpy": bad, "list": bad.tolist(), "series": pd.Series(bad)}[kind]
    for call in (lambda: NetworkRegressor(**SMALL).fit(X, bad), lambda: NetworkRegressor(**SMALL).partial_fit(X, bad),
                 lambda: NetworkRegressor(**SMALL).fit(X, y).score(X, bad)):
        with pytest.raises(nl.DataError, match=r"^y contains NaN at row 7; ") as info:
            call()
        assert "\n" not in str(info.value)


# -- a failed fit leaves nothing half-trained -----------------------------------------------
class Boom(Exception):
    pass


def raising_optimizer_step(monkeypatch, after: int):
    """Make the network raise ``Boom`` after ``after`` epochs (a callback, divergence or Ctrl-C)."""
    import neuronlab.sklearn.estimator as module
    real = module._StopRule.on_epoch_end
    count = {"n": 0}

    def on_epoch_end(self, epoch, logs):
        count["n"] += 1
        if count["n"] > after:
            raise Boom("stopped")
        return real(self, epoch, logs)
    monkeypatch.setattr(module._StopRule, "on_epoch_end", on_epoch_end)


@pytest.mark.parametrize("est", [NetworkClassifier(**SMALL), NetworkRegressor(**SMALL)], ids=["clf", "reg"])
def test_a_failed_first_fit_leaves_the_estimator_unfitted(est, monkeypatch):
    X, yc, yr = data()
    y = yc if isinstance(est, NetworkClassifier) else yr
    raising_optimizer_step(monkeypatch, after=1)
    with pytest.raises(Boom):
        est.fit(X, y)
    with pytest.raises(NotFittedError):
        est.predict(X)
    assert not hasattr(est, "n_features_in_") and not hasattr(est, "loss_curve_")


def test_a_failed_refit_leaves_the_estimator_unfitted_not_half_updated(monkeypatch):
    X, y, _ = data()
    clf = NetworkClassifier(**SMALL).fit(X, y)
    raising_optimizer_step(monkeypatch, after=1)
    with pytest.raises(Boom):
        clf.fit(X[:, :2], y)
    with pytest.raises(NotFittedError):
        clf.predict(X)


def test_a_refit_with_bad_data_found_late_leaves_the_estimator_unfitted():
    X, y, _ = data()
    clf = NetworkClassifier(**SMALL).fit(X, y)
    with pytest.raises(nl.DataError):
        clf.fit(X, y, sample_weight=np.full(len(X) - 1, 1.0))
    with pytest.raises(NotFittedError):
        clf.predict(X)


def test_a_failed_partial_fit_keeps_the_state_before_the_call(monkeypatch):
    X, y, _ = data()
    clf = NetworkClassifier(**SMALL).partial_fit(X, y, classes=[0, 1])
    before = clf.network_.parameters.copy(), clf.predict_proba(X), list(clf.loss_curve_)
    real = nl.Network.fit

    def fit_then_fail(self, *args, **kwargs):        # the weights are updated, then something raises
        real(self, *args, **kwargs)
        raise Boom("stopped")
    monkeypatch.setattr(nl.Network, "fit", fit_then_fail)
    with pytest.raises(Boom):
        clf.partial_fit(X, y)
    np.testing.assert_array_equal(clf.network_.parameters, before[0])
    np.testing.assert_array_equal(clf.predict_proba(X), before[1])
    assert clf.loss_curve_ == before[2] and clf.n_iter_ == 1
    monkeypatch.undo()
    fresh = NetworkClassifier(**SMALL).partial_fit(X, y, classes=[0, 1]).partial_fit(X, y)
    np.testing.assert_array_equal(clf.partial_fit(X, y).predict_proba(X), fresh.predict_proba(X))


def test_a_failed_first_partial_fit_leaves_the_estimator_unfitted():
    X, y, _ = data()
    clf = NetworkClassifier(**SMALL)
    with pytest.raises(nl.DataError):
        clf.partial_fit(X, y, classes=[0, 1], sample_weight=np.ones(3))
    with pytest.raises(NotFittedError):
        clf.predict(X)


# -- class_weight ------------------------------------------------------------------------
def test_class_weight_with_labels_not_in_the_data_is_refused_naming_both():
    X, y, _ = data()
    for call in (lambda: NetworkClassifier(**SMALL, class_weight={0: 1.0, 5: 2.0}).fit(X, y),
                 lambda: NetworkClassifier(**SMALL, class_weight={"a": 1.0}).partial_fit(X, y, classes=[0, 1])):
        with pytest.raises(nl.HyperparameterError, match=r"not classes of y: \[.*\]; the classes are \[0, 1\]"):
            call()


def test_class_weight_dict_weighs_like_sample_weight():
    X, y, _ = data()
    a = NetworkClassifier(**SMALL, class_weight={1: 3.0}).fit(X, y)
    b = NetworkClassifier(**SMALL).fit(X, y, sample_weight=np.where(y == 1, 3.0, 1.0))
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


# -- partial_fit and early stopping ---------------------------------------------------------
def test_partial_fit_trains_exactly_one_epoch_even_with_early_stopping():
    X, y, _ = data()
    clf = NetworkClassifier(**SMALL, early_stopping=True, n_iter_no_change=1)
    for _ in range(4):
        clf.partial_fit(X, y, classes=[0, 1])
    assert clf.n_iter_ == 4 and len(clf.loss_curve_) == 4 and clf.validation_scores_ is None


def test_early_stopping_on_a_dataframe_checks_feature_names_once_without_warnings():
    X, y, _ = data(120)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = NetworkClassifier(hidden_layer_sizes=(4,), epochs=15, early_stopping=True, random_state=0).fit(frame, y)
        clf.predict(frame)
    assert clf.n_iter_ == len(clf.validation_scores_) > 1
    with pytest.warns(UserWarning, match="feature names"):
        clf.predict(X)


def test_early_stopping_with_a_one_sample_class_warns_that_the_hold_out_is_not_stratified():
    X, _, _ = data(40)
    y = np.array([0] * 20 + [1] * 19 + [2])
    with pytest.warns(UserWarning, match=r"not stratified by class, because class 2 has a single sample"):
        NetworkClassifier(**SMALL, early_stopping=True, validation_fraction=0.25).fit(X, y)


# -- the stopping rule is scikit-learn's -------------------------------------------------
def test_the_rule_moves_its_best_value_with_every_strict_improvement():
    rule = NoImprovement(tol=0.1, n_iter_no_change=2, maximize=False)
    assert [rule.update(v) for v in (1.0, 0.95, 0.9, 0.86, 0.5)] == [False, False, False, True, False]


@pytest.mark.parametrize("n_iter_no_change, tol", [(2, 1e-2), (5, 1e-3), (10, 1e-4)])
def test_the_rule_stops_on_the_same_epoch_as_scikit_learns_mlp_on_its_loss_curve(n_iter_no_change, tol):
    X, y, yr = data(200, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        for mlp in (MLPClassifier(hidden_layer_sizes=(8,), max_iter=500, tol=tol, n_iter_no_change=n_iter_no_change, random_state=0,
                                  learning_rate_init=0.01).fit(X, y),
                    MLPRegressor(hidden_layer_sizes=(8,), max_iter=500, tol=tol, n_iter_no_change=n_iter_no_change, random_state=0,
                                 learning_rate_init=0.01).fit(X, yr)):
            assert mlp.n_iter_ < 500
            assert stopping_epoch(mlp.loss_curve_, tol, n_iter_no_change, maximize=False) == mlp.n_iter_


@pytest.mark.parametrize("n_iter_no_change, tol", [(2, 1e-2), (5, 1e-3), (10, 1e-4)])
def test_the_rule_stops_on_the_same_epoch_as_scikit_learns_mlp_on_its_validation_scores(n_iter_no_change, tol):
    X, y, yr = data(300, seed=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SklearnConvergenceWarning)
        for mlp in (MLPClassifier(hidden_layer_sizes=(8,), max_iter=500, tol=tol, n_iter_no_change=n_iter_no_change, random_state=0,
                                  early_stopping=True).fit(X, y),
                    MLPRegressor(hidden_layer_sizes=(8,), max_iter=500, tol=tol, n_iter_no_change=n_iter_no_change, random_state=0,
                                 early_stopping=True, learning_rate_init=0.01).fit(X, yr)):
            assert mlp.n_iter_ < 500
            assert stopping_epoch(mlp.validation_scores_, tol, n_iter_no_change, maximize=True) == mlp.n_iter_


def test_the_estimators_stop_where_the_rule_says_on_their_own_curves():
    X, y, yr = data(200, seed=5)
    clf = NetworkClassifier(hidden_layer_sizes=(8,), epochs=300, learning_rate=0.01, n_iter_no_change=3, tol=1e-3,
                            random_state=0).fit(X, y)
    assert clf.n_iter_ < 300 and stopping_epoch(clf.loss_curve_, 1e-3, 3, maximize=False) == clf.n_iter_
    reg = NetworkRegressor(hidden_layer_sizes=(8,), epochs=300, learning_rate=0.01, early_stopping=True,
                           n_iter_no_change=3, tol=1e-3, random_state=0).fit(X, yr)
    assert reg.n_iter_ < 300 and stopping_epoch(reg.validation_scores_, 1e-3, 3, maximize=True) == reg.n_iter_


def test_partial_fit_trains_on_a_batch_of_one_class_when_classes_lists_them_all():
    from neuronlab.sklearn import NetworkClassifier
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = np.repeat([0, 1, 2], 20)
    clf = NetworkClassifier(hidden_layer_sizes=(8,), random_state=0)
    clf.partial_fit(X[y == 0], y[y == 0], classes=[0, 1, 2])
    before = clf.network_.get_params().copy() if hasattr(clf.network_, "get_params") else None
    clf.partial_fit(X[y == 1], y[y == 1])
    clf.partial_fit(X[y == 2], y[y == 2])
    assert clf.n_iter_ == 3 and list(clf.classes_) == [0, 1, 2]
    assert clf.predict_proba(X).shape == (60, 3)


def test_fit_still_refuses_targets_of_one_class():
    import neuronlab as nl
    from neuronlab.sklearn import NetworkClassifier
    X = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(nl.DataError):
        NetworkClassifier(hidden_layer_sizes=(4,), random_state=0).fit(X, np.zeros(20, dtype=int))
