"""One option moves a config's data: ``--data-root`` (or ``--cfg-options
data_root=``) rewrites every dataloader's root, the wrapped video dataset of
YOLOX-x and both evaluators' ground truth; a missing ground-truth file stops a
run before training, not at its first validation."""
import copy
import glob
import os.path as osp

import pytest

from bdd100k_zoo.config import load_config, set_data_root
from helpers import REPO, load_zoo_configs, parse_cfg_options

CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', '*', '*_bdd100k.py')) +
                 glob.glob(osp.join(REPO, 'configs', 'demo', '*.py')))
NEW = '/elsewhere/bdd100k/'


def _strings(node, path=''):
    """(dotted key, value) of every string in a config subtree."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, f'{path}.{key}' if path else str(key))
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from _strings(value, f'{path}.{i}')
    elif isinstance(node, str):
        yield path, node


def _data_paths(cfg):
    keys = ('train_dataloader', 'val_dataloader', 'test_dataloader', 'val_evaluator',
            'test_evaluator')
    return dict(s for key in keys for s in _strings(cfg.get(key), key))


def check_moved(before, after):
    old = before.data_root
    paths_before, paths_after = _data_paths(before), _data_paths(after)
    # nothing is left under the old root; every root and ground-truth file moved
    assert not [v for v in paths_after.values() if old in v]
    roots = {k: v for k, v in paths_after.items() if k.endswith('.data_root')}
    assert roots and set(roots.values()) == {NEW}
    for key, value in paths_before.items():
        if key.endswith('.ann_file') and 'evaluator' in key:
            assert paths_after[key] == NEW + value[len(old):], key
        elif not key.endswith('.data_root'):  # relative to the root: unchanged
            assert paths_after[key] == value, key
    assert after.data_root == NEW


def test_every_path_of_every_config_moves():
    assert len(CONFIGS) >= 9
    for before in load_zoo_configs(CONFIGS):
        after = copy.deepcopy(before)
        set_data_root(after, NEW)
        check_moved(before, after)


def test_cfg_options_data_root_moves_everything_too():
    config = osp.join(REPO, 'configs/mask_rcnn/mask_rcnn_r50_3x_bdd100k.py')
    check_moved(load_config(config), load_config(config, cfg_options={'data_root': NEW}))


def test_the_wrapped_video_dataset_and_its_image_sources_move():
    cfg = load_config(osp.join(REPO, 'configs/qdtrack/qdtrack_yolox_x_bdd100k.py'),
                      data_root='/d')
    videos = cfg.train_dataloader.dataset.dataset  # VideoMixDataset -> video dataset
    assert cfg.train_dataloader.dataset.type == 'VideoMixDataset'
    assert videos.data_root == '/d/' and videos.ann_file == 'labels/box_track_20/train/'
    assert videos.image_sources == [dict(ann_file='labels/det_20/det_train.json',
                                         img='images/100k/train/')]  # rooted at data_root
    assert cfg.val_evaluator.ann_file == '/d/labels/box_track_20/val/'


def test_a_new_root_inside_the_old_one_moves_paths_once():
    cfg = load_config(osp.join(REPO, 'configs/faster_rcnn/faster_rcnn_r50_1x_bdd100k.py'),
                      data_root='data/bdd100k/v2')
    assert cfg.val_evaluator.ann_file == 'data/bdd100k/v2/labels/det_20/det_val.json'
    assert cfg.test_evaluator.ann_file == 'data/bdd100k/v2/labels/det_20/det_val.json'


def test_the_demo_moves_both_evaluators_with_its_work_dir():
    """run_demo.sh --work-dir DIR: the sample lies in DIR/data; the val evaluator
    (used during training) must read it there too."""
    cfg = load_config(osp.join(REPO, 'configs/demo/faster_rcnn_r50_demo.py'),
                      data_root='runs/demo2/data/')
    for key in ('val_evaluator', 'test_evaluator'):
        assert cfg[key].ann_file == 'runs/demo2/data/labels/det_20/det_val.json'
    assert cfg.train_dataloader.dataset.data_root == 'runs/demo2/data/'


def test_a_missing_ground_truth_file_stops_training_before_the_first_iteration(
        detect_sample, tmp_path):
    from mmengine.runner import Runner

    from helpers import FRCNN_CONFIG, sample_options
    cfg = load_config(osp.join(REPO, FRCNN_CONFIG), parse_cfg_options(
        sample_options(*detect_sample) + [f'val_evaluator.ann_file={tmp_path}/det_val.json']))
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    with pytest.raises(FileNotFoundError, match=f'{tmp_path}/det_val.json') as err:
        runner.train()
    assert '--data-root' in str(err.value)
    assert runner.iter == 0 and not glob.glob(osp.join(cfg.work_dir, '*.pth'))
