"""CSV data held in memory (an upload) reads as the same file on disk: the same data set and
the same messages, naming the upload instead of a path."""
import numpy as np
import pytest

import neuronlab as nl
from neuronlab import datasets

GOOD = "height,weight,kind\n1.5,60,cat\n1.7,80,dog\n1.6,70,cat\n"
BAD = {
    "ragged": "a,b,y\n1,2,0\n3,4\n",
    "not-a-number": "a,b,y\n1,2,0\n3,x,1\n",
    "missing-cell": "a,b,y\n1,,0\n3,4,1\n",
    "header-looks-like-data": "1,2,3\n4,5,6\n",
    "repeated-column": "a,a,y\n1,2,0\n",
    "empty": "   \n",
}


def test_it_reads_the_data_set_the_file_gives(tmp_path):
    path = tmp_path / "pets.csv"
    path.write_text(GOOD)
    on_disk = datasets.read_csv(str(path))
    held = datasets.read_csv_bytes(GOOD.encode(), "pets.csv")
    np.testing.assert_array_equal(held.X, on_disk.X)
    np.testing.assert_array_equal(held.y, on_disk.y)
    assert (held.feature_names, held.target_names, held.name, held.task) == \
        (on_disk.feature_names, on_disk.target_names, on_disk.name, on_disk.task) == \
        (["height", "weight"], ["cat", "dog"], "pets.csv", "classification")
    values = datasets.read_csv_bytes(b"a,b,v\n1,2,0.5\n2,3,1.75\n3,1,2.25\n", "v.csv", target="v")
    assert values.task == "regression" and values.y.tolist() == [0.5, 1.75, 2.25]


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_malformed_upload_gets_the_message_of_the_same_file(tmp_path, case):
    path = tmp_path / "up.csv"
    path.write_text(BAD[case])
    with pytest.raises(nl.DataError) as from_file:
        datasets.read_csv(str(path))
    with pytest.raises(nl.DataError) as from_bytes:
        datasets.read_csv_bytes(BAD[case].encode(), "up.csv")
    assert str(from_bytes.value) == str(from_file.value).replace(str(path), "up.csv")


def test_bytes_that_are_not_utf8_text_or_not_bytes_are_refused():
    with pytest.raises(nl.DataError, match="up.csv is not a UTF-8 text file"):
        datasets.read_csv_bytes(b"a,b\n\xff\xfe,1\n", "up.csv")
    with pytest.raises(nl.ArgumentTypeError, match="must be the file's bytes"):
        datasets.read_csv_bytes(GOOD, "up.csv")


def test_a_byte_order_mark_and_windows_line_ends_read_as_plain_text():
    held = datasets.read_csv_bytes(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode(), "w.csv")
    assert held.feature_names == ["height", "weight"] and len(held) == 3
