"""``bdd100k_zoo.utils.io``: the one write-to-temp-and-rename."""
import os

import cv2
import numpy as np
import pytest

from bdd100k_zoo.utils.io import atomic_path, atomic_write


def test_writers_that_take_a_path_keep_the_suffix_and_the_old_file_on_failure(tmp_path):
    path = str(tmp_path / 'mask.png')
    with atomic_path(path) as tmp:
        assert tmp.endswith('.png') and tmp != path  # cv2 picks the format by the suffix
        assert cv2.imwrite(tmp, np.zeros((2, 3), np.uint8))
    assert cv2.imread(path).shape == (2, 3, 3)
    with pytest.raises(RuntimeError):
        with atomic_write(path, 'wb') as f:
            f.write(b'half')
            raise RuntimeError('interrupted')
    assert cv2.imread(path).shape == (2, 3, 3) and os.listdir(tmp_path) == ['mask.png']
