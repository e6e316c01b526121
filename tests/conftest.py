"""Shared test fixtures: the real BDD100K samples and golden cases.

They live in ``../shared`` beside the repository (never copied into it);
tests that need them skip only where that folder is absent.
"""
import os.path as osp

import pytest

from helpers import FRCNN_CONFIG, GOLDEN, SAMPLES, run_tool, sample_options


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
