"""Checkpoints load with torch's weights_only=True kept on."""
import os.path as osp
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

from bdd100k_zoo.utils.checkpoint import MMENGINE_CHECKPOINT_GLOBALS, CheckpointError


def test_the_allow_list_covers_a_real_mmengine_checkpoint(trained_detector):
    work_dir, _ = trained_detector
    path = osp.join(work_dir, 'epoch_2.pth')
    allowed = {f'{g.__module__}.{g.__qualname__}' for g in MMENGINE_CHECKPOINT_GLOBALS}
    allowed.add('builtins.getattr')  # answered by history_buffer_method only
    registered = torch.serialization.get_safe_globals()
    torch.serialization.clear_safe_globals()  # what torch alone would refuse
    try:
        needed = set(torch.serialization.get_unsafe_globals_in_checkpoint(path))
    finally:
        torch.serialization.add_safe_globals(registered)
    assert needed and needed <= allowed, needed - allowed
    ckpt = CheckpointLoader.load_checkpoint(path, map_location='cpu')
    assert {'state_dict', 'optimizer', 'message_hub', 'meta', 'param_schedulers'} <= set(ckpt)
    assert ckpt['meta']['epoch'] == 2


class Payload:
    """Stands for anything a stranger's pickle may carry."""

    def __reduce__(self):
        return (print, ('this code ran while loading a checkpoint',))


def test_arbitrary_pickled_object_is_refused(tmp_path, capsys):
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'meta': Payload()}, path)
    with pytest.raises(CheckpointError, match=r'Refusing to load checkpoint .*evil\.pth'):
        CheckpointLoader.load_checkpoint(str(path))
    assert 'this code ran' not in capsys.readouterr().out


def test_getattr_reaches_only_history_buffer_methods(tmp_path):
    path = tmp_path / 'gadget.pth'
    torch.save({'meta': getattr(HistoryBuffer, 'mean'), 'x': getattr(np.ndarray, 'tofile')}, path)
    with pytest.raises(CheckpointError, match=r"(?s)gadget\.pth.*getattr\(<class 'numpy\.ndarray'>"):
        CheckpointLoader.load_checkpoint(str(path))


def test_truncated_checkpoint_names_the_file(tmp_path, trained_detector):
    work_dir, _ = trained_detector
    data = open(osp.join(work_dir, 'epoch_2.pth'), 'rb').read()
    path = tmp_path / 'cut.pth'
    path.write_bytes(data[:len(data) // 3])
    with pytest.raises(CheckpointError, match=r'cut\.pth cannot be read: .*truncated'):
        CheckpointLoader.load_checkpoint(str(path))


def test_plain_pickle_file_is_refused(tmp_path):
    path = tmp_path / 'old.pkl'
    path.write_bytes(pickle.dumps({'weights': Payload()}))
    with pytest.raises(CheckpointError, match='old.pkl'):
        CheckpointLoader.load_checkpoint(str(path))


@pytest.mark.parametrize('name', ['epoch_1.pth', 'https://host/w.pth', 'http://host/w.pth',
                                  'open-mmlab://resnet50_v1c', 'openmmlab://resnet50_v1c',
                                  'torchvision://resnet50', 'modelzoo://resnet50',
                                  'mmcls://resnet50'])
def test_every_scheme_that_downloads_loads_through_the_safe_loaders(name):
    """Registered with CheckpointLoader.register_scheme: mmengine's own loaders
    of these schemes unpickle downloads with torch.hub's weights_only=False."""
    loader = CheckpointLoader._get_checkpoint_loader(name)
    assert loader.__module__ == 'bdd100k_zoo.utils.checkpoint', loader
