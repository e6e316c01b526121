"""A first run without network and without the initial-weights file: one line
that names the file, where it is looked up and how to start from random
weights, before any dataset is built."""
import sys
import urllib.error
from unittest import mock

import pytest
import torch

from helpers import load_tool

from bdd100k_zoo.utils.checkpoint import InitialWeightsError, ensure_initial_weights


def offline(url, dst, *args, **kwargs):
    raise urllib.error.URLError('[Errno -2] Name or service not known')


@pytest.fixture
def no_network(monkeypatch, tmp_path):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    monkeypatch.setattr(torch.hub, 'download_url_to_file', offline)


@pytest.mark.parametrize('model,key,name', [
    (dict(backbone=dict(init_cfg=dict(
        type='Pretrained', checkpoint='https://download.pytorch.org/models/'
        'resnet50-0676ba61.pth'))), 'model.backbone.init_cfg', 'resnet50-0676ba61.pth'),
    (dict(pretrained='open-mmlab://resnet50_v1c'), 'model.pretrained', 'resnet50_v1c-2cccc1ad.pth'),
])
def test_a_missing_file_is_named_with_its_folder_and_the_way_out(model, key, name, no_network,
                                                                   tmp_path):
    with pytest.raises(InitialWeightsError) as error:
        ensure_initial_weights(model)
    message = str(error.value)
    assert '\n' not in message
    assert name in message and str(tmp_path / 'torch_home' / 'hub' / 'checkpoints') in message
    assert f'--cfg-options {key}=None' in message and 'Name or service not known' in message


def test_a_cached_file_needs_no_network(no_network, tmp_path):
    cached = tmp_path / 'torch_home' / 'hub' / 'checkpoints' / 'w.pth'
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b'PK')
    ensure_initial_weights(dict(init_cfg=dict(type='Pretrained',
                                              checkpoint='https://host/w.pth')))


def test_train_stops_in_one_line_before_reading_any_data(no_network, tmp_path, capsys):
    """The data root does not exist: building a dataset first would fail on it."""
    argv = ['train.py', 'configs/faster_rcnn/faster_rcnn_r50_1x_bdd100k.py', '--work-dir',
            str(tmp_path / 'work'), '--data-root', str(tmp_path / 'no_such_bdd100k')]
    with mock.patch.object(sys, 'argv', argv), pytest.raises(SystemExit) as stop:
        load_tool('train').main()
    assert str(stop.value).startswith('initial weights resnet50-0676ba61.pth '
                                      '(model.backbone.init_cfg=https://')
    assert 'start from random weights with --cfg-options model.backbone.init_cfg=None' \
        in str(stop.value)
