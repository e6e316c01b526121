"""Shared test fixtures: the real BDD100K samples and golden cases.

They live in ``../shared`` beside the repository (never copied into it);
tests that need them skip only where that folder is absent.
"""
import os.path as osp

import pytest

from helpers import (FRCNN_CONFIG, GOLDEN, SAMPLES, bdd100k_layout, run_tool, sample_options,
                     shrink_options)


def _need(path):
    if not osp.exists(path):
        pytest.skip(f'{path} is absent (../shared holds the real BDD100K samples)')
    return path


@pytest.fixture(scope='session')
def samples():
    return _need(SAMPLES)


@pytest.fixture(scope='session')
def golden():
    return _need(GOLDEN)


@pytest.fixture(scope='session')
def detect_sample(samples):
    return (osp.join(samples, 'detect/labels/annotation.json'),
            osp.join(samples, 'detect/images/'))


@pytest.fixture(scope='session')
def trained_detector(tmp_path_factory, detect_sample):
    work_dir = str(tmp_path_factory.mktemp('train'))
    opts = sample_options(*detect_sample) + ['train_cfg.max_epochs=2']
    log = run_tool('tools/train.py', FRCNN_CONFIG, '--work-dir', work_dir, '--cfg-options', *opts)
    return work_dir, log


@pytest.fixture(scope='session')
def detector_test_run(trained_detector, detect_sample, tmp_path_factory):
    """tools/test.py of ``trained_detector``'s epoch 2 on the detection sample laid out as
    BDD100K (``--data-root``), painting and writing the submission: (work dir, checkpoint,
    submission prefix, console). One run (~12 s) that test_tools_e2e (console, scores, painting) and
    test_zoo_tools (what scores.json records) both read."""
    ckpt = osp.join(trained_detector[0], 'epoch_2.pth')
    folder = tmp_path_factory.mktemp('detector_test')
    data = bdd100k_layout(folder / 'bdd100k', *detect_sample)
    work_dir, prefix = str(folder / 'work'), str(folder / 'preds')
    out = run_tool('tools/test.py', FRCNN_CONFIG, ckpt, '--work-dir', work_dir,
                   '--show-dir', 'painted', '--data-root', data, '--outfile-prefix', prefix,
                   '--cfg-options', *shrink_options(*detect_sample))
    return work_dir, ckpt, prefix, out
