"""``ColorJitter``: torchvision's colour jitter as Vis4D applies it to
semantic segmentation, on mmseg's BGR images. Expected values are worked out
by hand from torchvision's definitions (factor ranges pinned to one value)."""
import numpy as np
import pytest
from mmseg.registry import TRANSFORMS

import bdd100k_zoo  # noqa: F401
from bdd100k_zoo.datasets import ColorJitter

IDENTITY = dict(brightness=(1., 1.), contrast=(1., 1.), saturation=(1., 1.), hue=(0., 0.))


def jitter(img, prob=1., **ranges):
    t = ColorJitter(**dict(IDENTITY, **ranges), prob=prob)
    return t(dict(img=img.copy()))['img']


def bgr(*rgb_pixels):
    return np.array([[p[::-1] for p in rgb_pixels]], np.uint8)


def test_registered_in_mmseg_and_in_the_sem_seg_config():
    from mmengine.config import Config
    assert TRANSFORMS.get('ColorJitter') is ColorJitter
    cfg = Config.fromfile('configs/semantic_fpn/semantic_fpn_r50_40k_bdd100k.py')
    step = cfg.train_dataloader.dataset.pipeline[4]
    assert step == dict(type='ColorJitter', brightness=(0.875, 1.125), contrast=(0.5, 1.5),
                        saturation=(0.5, 1.5), hue=(-0.05, 0.05), prob=0.5)


def test_identity_factors_keep_the_image_as_float():
    img = np.random.default_rng(0).integers(0, 256, (4, 5, 3), dtype=np.uint8)
    out = jitter(img)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, img, atol=1e-3)


def test_brightness_multiplies_and_clips():
    out = jitter(bgr((200, 100, 10), (250, 250, 250)), brightness=(1.1, 1.1))
    np.testing.assert_allclose(out, bgr((220, 110, 11), (255, 255, 255)), atol=1e-3)


def test_contrast_blends_with_the_mean_grey_level():
    img = bgr((200, 100, 0), (0, 0, 0))
    grey = (0.2989 * 200 + 0.587 * 100) / 2  # mean over both pixels
    out = jitter(img, contrast=(0.5, 0.5))
    expected = 0.5 * img.astype(np.float32) + 0.5 * grey
    np.testing.assert_allclose(out, expected, atol=1e-3)


def test_saturation_zero_gives_the_grey_image_and_keeps_bgr_order():
    out = jitter(bgr((255, 0, 0)), saturation=(0., 0.))
    np.testing.assert_allclose(out, np.full((1, 1, 3), 0.2989 * 255), atol=1e-3)
    out = jitter(bgr((200, 100, 0)), saturation=(2., 2.))  # 2 * c - grey, clipped
    grey = 0.2989 * 200 + 0.587 * 100
    np.testing.assert_allclose(out[0, 0, ::-1], np.clip([400 - grey, 200 - grey, -grey], 0, 255),
                               atol=1e-3)


@pytest.mark.parametrize('shift, rgb', [(1 / 3, (0, 255, 0)), (-1 / 3, (0, 0, 255)),
                                        (0.5, (0, 255, 255)), (1 / 12, (255, 127.5, 0))])
def test_hue_rotates_the_colour_circle(shift, rgb):
    out = jitter(bgr((255, 0, 0), (90, 90, 90)), hue=(shift, shift))
    np.testing.assert_allclose(out[0, 0, ::-1], rgb, atol=1e-2)
    np.testing.assert_allclose(out[0, 1], (90, 90, 90), atol=1e-3)  # grey has no hue


def test_probability_and_random_order():
    img = bgr((200, 100, 10))
    np.random.seed(0)
    np.testing.assert_array_equal(jitter(img, prob=0., brightness=(2., 2.)), img)
    # brightness x2 (clips) and contrast 0.5 do not commute: both orders occur
    outcomes = {tuple(np.round(jitter(img, brightness=(2., 2.), contrast=(0.5, 0.5))
                               .ravel())) for _ in range(40)}
    assert len(outcomes) == 2
    applied = sum(not np.array_equal(jitter(img, prob=0.5, brightness=(2., 2.)), img)
                  for _ in range(400))
    assert 150 < applied < 250
