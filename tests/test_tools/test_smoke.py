"""``tools/train.py CONFIG --smoke``: the trial run of every zoo family (a few
iterations, small images, no workers, one validation and one checkpoint)."""
import glob
import os
import os.path as osp
import sys
from unittest import mock

import pytest

from helpers import REPO, load_tool
from pretrained_standins import ZOO_INIT, install_standins

sys.path.insert(0, osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'test_models'))
from test_families import _family_configs  # noqa: E402 (the smallest config per family)
from test_fullsize_smoke import data_options  # noqa: E402 (the samples, per config)

from helpers import load_zoo_config as load_config  # noqa: E402 (ConvNeXt without mmpretrain)

# one config per family and task (the cut depends on the family's pipeline, not its size),
# and the demo's
CONFIGS = sorted([osp.relpath(c, REPO) for _, c in _family_configs()] +
                 [osp.relpath(p, REPO) for p in glob.glob(osp.join(REPO, 'configs/demo/*.py'))])
# one config per task; the epoch-based detector runs by default, the rest with -m fullsize
PER_TASK = ['configs/faster_rcnn/faster_rcnn_r50_1x_bdd100k.py'] + [pytest.param(
    c, marks=pytest.mark.fullsize) for c in (
    'configs/mask_rcnn/mask_rcnn_r50_1x_bdd100k.py',
    'configs/semantic_fpn/semantic_fpn_r50_40k_bdd100k.py',
    'configs/semantic_fpn/semantic_fpn_r50_40k_drivable_bdd100k.py',
    'configs/panoptic_fpn/panoptic_fpn_r50_1x_bdd100k.py',
    'configs/qdtrack/qdtrack_frcnn_r50_fpn_1x_bdd100k.py',
    'configs/simplebaseline/simplebaseline_mobilenetv2_1x_256x192_bdd100k.py')]


def sizes(cfg, keys=('scale', 'img_scale', 'crop_size', 'size', 'scales', 'input_size',
                     'heatmap_size')):
    """Every image size the dataloaders and data preprocessors name."""
    found = []

    def walk(node, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in keys and isinstance(v, (tuple, list)) and v and \
                        isinstance(v[0], (int, tuple, list)):
                    found.extend(v if isinstance(v[0], (tuple, list)) else [v])
                else:
                    walk(v, k)
        elif isinstance(node, (list, tuple)):
            for item in node:
                walk(item)
    walk([cfg[k] for k in ('train_dataloader', 'val_dataloader', 'test_dataloader')])
    walk([v for k, v in cfg.model.items() if k == 'data_preprocessor'])
    walk(cfg.model.get('detector', {}).get('data_preprocessor'))
    walk(cfg.model.get('head', {}).get('decoder'))  # top-down pose: the heatmap codec
    return [tuple(s) for s in found]


@pytest.mark.parametrize('config', CONFIGS)
def test_smoke_cuts_every_config_to_a_trial_run(config):
    train = load_tool('train')
    cfg = load_config(config)
    before = sizes(cfg)
    train.smoke_config(cfg, 3)
    assert cfg.train_cfg == dict(type='IterBasedTrainLoop', max_iters=3, val_interval=3)
    assert cfg.default_hooks.checkpoint.interval == 3
    assert not cfg.default_hooks.checkpoint.by_epoch and not cfg.log_processor.by_epoch
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert cfg[key].num_workers == 0 and not cfg[key].persistent_workers
    assert cfg.val_dataloader.dataset.indices == cfg.test_dataloader.dataset.indices == 2
    after = sizes(cfg)
    assert before and len(after) == len(before)
    # a quarter of the images; top-down pose: half the person crop (whole 32-pixel cells)
    div = 2 if 'decoder' in cfg.model.get('head', {}) else 4
    assert all(max(map(abs, a)) <= max(map(abs, b)) / div + 1 for a, b in zip(after, before))
    # the model, the datasets and the hooks stay the config's
    full = load_config(config)
    assert cfg.model.type == full.model.type and cfg.custom_hooks == full.custom_hooks
    assert cfg.train_dataloader.dataset.type == full.train_dataloader.dataset.type


@pytest.fixture(scope='module')
def torch_home(tmp_path_factory):
    """A hub cache for the stand-ins; each run installs its config's (all of them at
    once, YOLOX-x, Swin, ViT, HRNet and more, take ~15 s: by default one config runs)."""
    return str(tmp_path_factory.mktemp('torch_home'))


@pytest.fixture(scope='module')
def drivable_dir(samples, tmp_path_factory):
    from test_drivable import drivable_masks
    folder = str(tmp_path_factory.mktemp('drivable'))
    drivable_masks(folder)
    return folder


@pytest.mark.parametrize('config', PER_TASK)
def test_smoke_run_trains_validates_and_checkpoints(config, samples, torch_home, drivable_dir,
                                                    tmp_path, monkeypatch, capfd):
    """On the samples from the stand-ins of the real initial weights: only the
    data paths (and a batch that fits them) are options."""
    short_video = osp.join(samples, 'track/labels')
    from helpers import pose_sample
    options = [o for o in data_options(config, short_video, drivable_dir, pose_sample(tmp_path))
               if not o.startswith(('train_cfg', 'default_hooks'))]
    install_standins(torch_home, [ZOO_INIT[config][0]])
    monkeypatch.setenv('TORCH_HOME', torch_home)
    work_dir = tmp_path / 'work'
    argv = ['train.py', config, '--smoke', '--work-dir', str(work_dir), '--cfg-options',
            *options]
    with mock.patch.object(sys, 'argv', argv):
        load_tool('train').main()
    assert sorted(os.listdir(work_dir)) == sorted(
        [osp.basename(config), 'iter_2.pth', 'last_checkpoint', 'train.lock',
         *[d for d in os.listdir(work_dir) if d[:8].isdigit()],
         *[d for d in os.listdir(work_dir) if d.startswith('best_')]])  # pose: save_best
    logs = glob.glob(str(work_dir / '*' / '*.log'))
    text = open(logs[0]).read()
    assert 'Iter(train) [2/2]' in text and 'Iter(train) [3/' not in text
    assert text.count('Iter(val) [') >= 1 and 'bdd100k/' in text  # validated once, scored
    # the console: the run, not the stack's notices about its own code
    console = ''.join(capfd.readouterr())
    assert 'Iter(train) [2/2]' in console
    for notice in ('"FileClient" will be deprecated', 'pos_bboxes is deprecated',
                   'The draw is False'):
        assert notice not in console
