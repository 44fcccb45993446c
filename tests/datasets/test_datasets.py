"""neuronlab.datasets: generated sets, CSV, .npz, IDX, split, scaling, and the preprocessing that travels
in a model's metadata (scikit-learn's bundled sets: ``test_real_sets.py``)."""
import gzip
import json

import numpy as np
import pytest

import neuronlab as nl
from neuronlab import datasets as ds

GENERATED = ["xor", "circles", "moons", "spirals", "blobs"]


# -- generated 2-D sets ----------------------------------------------------------------------

@pytest.mark.parametrize("name", GENERATED)
def test_generated_shapes_and_determinism(name):
    a = ds.load(name, n=120, noise=0.1, seed=3)
    b = ds.load(name, n=120, noise=0.1, seed=3)
    c = ds.load(name, n=120, noise=0.1, seed=4)
    assert a.X.shape == (120, 2) and a.y.shape == (120,)
    assert a.X.dtype == np.float64 and a.y.dtype == np.int64
    assert a.task == "classification" and a.feature_names == ["x1", "x2"]
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)
    assert set(a.y.tolist()) == set(range(a.n_classes))
    counts = np.bincount(a.y)
    assert counts.max() - counts.min() <= 1          # balanced classes
    assert np.isfinite(a.X).all()


def test_generated_noise_zero_is_exact_geometry():
    d = ds.circles(n=100, noise=0.0, seed=0, factor=0.5)
    r = np.hypot(d.X[:, 0], d.X[:, 1])
    np.testing.assert_allclose(r[d.y == 0], 1.0)
    np.testing.assert_allclose(r[d.y == 1], 0.5)
    x = ds.xor(n=40, noise=0.0, seed=0)
    np.testing.assert_array_equal(x.y, (np.sign(x.X[:, 0]) != np.sign(x.X[:, 1])).astype(int))


def test_generated_options_and_bad_values():
    assert ds.load("spirals", n=90, classes=3).n_classes == 3
    assert ds.load("blobs", n=40, centers=4).n_classes == 4
    with pytest.raises(nl.HyperparameterError):
        ds.load("moons", n=1)
    with pytest.raises(nl.HyperparameterError):
        ds.load("moons", noise=-1.0)
    with pytest.raises(nl.HyperparameterError, match="moons"):
        ds.load("moons", colour="red")


def test_unknown_name_suggests_a_close_match():
    with pytest.raises(nl.UnknownNameError, match="did you mean 'moons'"):
        ds.load("moon")
    assert "digits" in ds.names() and "xor" in ds.names()


# -- without scikit-learn ---------------------------------------------------------------------

def test_missing_sklearn_names_the_extra(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("no sklearn")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ds.MissingExtraError, match=r"neuronlab\[sklearn\]"):
        ds.load("iris")


# -- CSV ---------------------------------------------------------------------------------------

def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_csv_string_labels_round_trip(tmp_path):
    p = _write(tmp_path / "pets.csv",
               "weight,height,kind\n4.0,25,cat\n30,60,dog\n3.5,23,cat\n\n28,55,dog\n0.02,5,mouse\n")
    d = ds.read_csv(p)
    assert d.feature_names == ["weight", "height"] and d.target == "kind"
    assert d.target_names == ["cat", "dog", "mouse"] and d.task == "classification"
    assert d.labels == ["cat", "dog", "cat", "dog", "mouse"]
    np.testing.assert_array_equal(d.X[1], [30.0, 60.0])
    meta = ds.model_metadata(d, ds.Standardizer().fit(d.X))
    json.dumps(meta)
    assert ds.decode_classes(meta, ds.encode_targets(meta, d), 3) == d.labels


def test_csv_target_by_name_and_integer_labels(tmp_path):
    p = _write(tmp_path / "a.csv", "label,x,y\n1,0.5,2\n0,0.1,3\n1,0.7,1\n0,0.2,2\n")
    d = ds.read_csv(p, target="label")
    assert d.feature_names == ["x", "y"] and d.target_names == [0, 1]
    np.testing.assert_array_equal(d.y, [1, 0, 1, 0])
    with pytest.raises(nl.DataError, match="did you mean 'label'"):
        ds.read_csv(p, target="labels")


def test_csv_regression_target(tmp_path):
    p = _write(tmp_path / "r.csv", "a,b,price\n1,2,10.5\n2,3,11.25\n3,1,7.75\n4,4,20.0\n")
    d = ds.read_csv(p)
    assert d.task == "regression" and d.target_names == ["price"]
    np.testing.assert_allclose(d.y, [10.5, 11.25, 7.75, 20.0])


def test_csv_bad_value_names_line_and_column(tmp_path):
    lines = ["age,income,label"] + [f"{20 + i},{1000 + i},{'yes' if i % 2 else 'no'}" for i in range(15)]
    lines.append("abc,1200,yes")                      # line 17 of the file
    p = _write(tmp_path / "bad.csv", "\n".join(lines) + "\n")
    with pytest.raises(nl.DataError) as err:
        ds.read_csv(p)
    assert "line 17, column 'age': 'abc' is not a number" in str(err.value)


def test_csv_missing_value_and_ragged_rows(tmp_path):
    p = _write(tmp_path / "m.csv", "x,y,label\n1,2,a\n3,,b\n")
    with pytest.raises(nl.DataError, match=r"line 3, column 'y': missing value"):
        ds.read_csv(p)
    p = _write(tmp_path / "r.csv", "x,y,label\n1,2,a\n3,b\n")
    with pytest.raises(nl.DataError, match=r"line 3: expected 3 values"):
        ds.read_csv(p)
    p = _write(tmp_path / "e.csv", "")
    with pytest.raises(nl.DataError, match="empty"):
        ds.read_csv(p)
    with pytest.raises(nl.DataError, match="no such file"):
        ds.read_csv(str(tmp_path / "nope.csv"))


def test_csv_for_prediction_picks_the_model_columns(tmp_path):
    p = _write(tmp_path / "p.csv", "height,extra,weight\n25,9,4.0\n60,9,30\n")
    d = ds.read_csv(p, require_target=False, target="kind", feature_names=["weight", "height"])
    assert d.y is None
    np.testing.assert_array_equal(d.X, [[4.0, 25.0], [30.0, 60.0]])
    with pytest.raises(nl.DataError, match="lacks the feature column"):
        ds.read_csv(p, require_target=False, feature_names=["weight", "age"])


# -- .npz and IDX ------------------------------------------------------------------------------

def test_npz(tmp_path):
    X = np.arange(12, dtype=np.float32).reshape(6, 2)
    np.savez(tmp_path / "d.npz", X=X, y=np.array(["a", "b", "a", "b", "a", "b"]))
    d = ds.load(str(tmp_path / "d.npz"))
    assert d.task == "classification" and d.target_names == ["a", "b"]
    np.testing.assert_array_equal(d.X, X)
    np.savez(tmp_path / "x.npz", X=X)
    assert ds.load(str(tmp_path / "x.npz"), require_target=False).y is None
    with pytest.raises(nl.DataError, match="no targets"):
        ds.load(str(tmp_path / "x.npz"))


@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int32, np.float32, np.float64])
def test_idx_round_trip(tmp_path, suffix, dtype):
    arr = (np.arange(2 * 3 * 4) % 7).astype(dtype).reshape(2, 3, 4)
    path = str(tmp_path / f"a.idx3{suffix}")
    ds.write_idx(path, arr)
    if suffix:
        with open(path, "rb") as fh:
            assert fh.read(2) == b"\x1f\x8b"
    back = ds.read_idx(path)
    assert back.dtype == np.dtype(dtype) and back.shape == arr.shape
    np.testing.assert_array_equal(back, arr)


def test_idx_pair_like_mnist(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (10, 4, 4), dtype=np.uint8)
    labels = np.array([3, 1, 3, 7, 1, 3, 7, 7, 1, 3], dtype=np.uint8)
    ds.write_idx(str(tmp_path / "img.idx3-ubyte"), images)
    ds.write_idx(str(tmp_path / "lab.idx1-ubyte.gz"), labels)
    d = ds.load(f"{tmp_path / 'img.idx3-ubyte'},{tmp_path / 'lab.idx1-ubyte.gz'}")
    assert d.X.shape == (10, 16) and d.X.max() <= 1.0
    np.testing.assert_allclose(d.X[0], images[0].reshape(-1) / 255.0)
    assert d.target_names == [1, 3, 7] and d.labels == labels.tolist()


def test_idx_errors(tmp_path):
    p = tmp_path / "bad.idx"
    p.write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x05abc")    # says 5 bytes, holds 3
    with pytest.raises(nl.DataError, match="5 bytes"):
        ds.read_idx(str(p))
    p.write_bytes(b"PK\x03\x04")
    with pytest.raises(nl.DataError, match="not an IDX file"):
        ds.read_idx(str(p))
    ds.write_idx(str(tmp_path / "i.idx"), np.zeros((3, 2), np.uint8))
    ds.write_idx(str(tmp_path / "l.idx"), np.zeros(4, np.uint8))
    with pytest.raises(nl.DataError, match="3 images but"):
        ds.read_idx_pair(str(tmp_path / "i.idx"), str(tmp_path / "l.idx"))
    with gzip.open(tmp_path / "t.gz", "wb") as fh:
        fh.write(b"\x00\x00\x0d\x01\x00\x00\x00\x01" + np.array([2.5], ">f4").tobytes())
    np.testing.assert_array_equal(ds.read_idx(str(tmp_path / "t.gz")), [2.5])


# -- split and scaling -------------------------------------------------------------------------

def test_stratified_split_keeps_class_shares():
    y = np.array([0] * 80 + [1] * 15 + [2] * 5)
    X = np.arange(100.0).reshape(-1, 1)
    Xtr, Xte, ytr, yte = ds.train_test_split(X, y, test_size=0.2, seed=1, stratify=True)
    assert len(Xte) == 20 and len(Xtr) == 80
    assert np.bincount(yte).tolist() == [16, 3, 1]
    assert sorted(np.concatenate([Xtr, Xte])[:, 0].tolist()) == X[:, 0].tolist()   # a partition
    a = ds.train_test_split(X, y, 0.2, seed=1, stratify=True)
    np.testing.assert_array_equal(a[1], Xte)                                         # deterministic


def test_dataset_split_and_tiny_classes():
    d = ds.load("blobs", n=60, centers=3, seed=0)
    train, test = d.split(0.25, seed=0)
    assert len(train) + len(test) == 60
    assert np.bincount(test.y).tolist() == [5, 5, 5]
    y = np.array([0, 0, 1, 1, 1, 1, 1, 1, 1, 1])
    _, _, ytr, yte = ds.train_test_split(np.zeros((10, 1)), y, 0.1, seed=0, stratify=True)
    assert 0 in yte and 0 in ytr                      # each class with two samples is on both sides
    with pytest.raises(nl.HyperparameterError):
        d.split(1.5)


def test_standardizer_round_trip_and_json():
    rng = np.random.default_rng(0)
    X = rng.normal(5.0, 3.0, (50, 3))
    X[:, 2] = 7.0                                     # a constant column keeps scale 1
    s = ds.Standardizer().fit(X)
    Z = s.transform(X)
    np.testing.assert_allclose(Z[:, :2].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z[:, :2].std(axis=0), 1.0)
    np.testing.assert_array_equal(Z[:, 2], 0.0)
    back = ds.Standardizer.from_dict(json.loads(json.dumps(s.to_dict())))
    np.testing.assert_allclose(back.transform(X), Z)
    np.testing.assert_allclose(back.inverse_transform(Z), X)
    with pytest.raises(nl.ShapeError):
        s.transform(X[:, :2])
    with pytest.raises(nl.NotFittedError):
        ds.Standardizer().transform(X)


def test_metadata_helpers_regression():
    d = ds.load("blobs", n=30, seed=0)
    reg = ds.Dataset(d.X, d.X[:, 0] * 10 + 3, d.feature_names, ["v"], "regression", "r")
    ts = ds.Standardizer().fit(reg.y.reshape(-1, 1))
    meta = ds.model_metadata(reg, ds.Standardizer().fit(reg.X), ts)
    json.dumps(meta)
    y = ds.encode_targets(meta, reg)
    assert abs(y.mean()) < 1e-9
    np.testing.assert_allclose(ds.decode_values(meta, y)[:, 0], reg.y)
    X = ds.prepare_features(meta, reg)
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-12)
    with pytest.raises(nl.ShapeError, match="model takes 2"):
        ds.prepare_features(meta, np.zeros((3, 5)))


def test_encode_targets_unknown_class(tmp_path):
    p = _write(tmp_path / "t.csv", "x,label\n1,cat\n2,dog\n")
    train = ds.read_csv(p)
    meta = ds.model_metadata(train)
    q = _write(tmp_path / "u.csv", "x,label\n1,cat\n2,cow\n")
    with pytest.raises(nl.DataError, match="'cow' was not seen in training"):
        ds.encode_targets(meta, ds.read_csv(q, task="classification"))
