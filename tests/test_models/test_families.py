"""Every model family of the zoo builds and trains: for each family directory
under ``configs/`` and each task in it (e.g. Semantic FPN on sem_seg and
drivable area), its first config by natural name order
(r50 before r101, 1x before 3x: the smallest model) is loaded with the real
BDD100K samples, shrunk (initial weights off, small images / crops, one
sample; two for segmentors), built from the registry and run for ONE training step
(``model.train_step`` with the config's own optim wrapper); the losses must be
finite and carry the task's names. A family added under ``configs/`` is tested
on arrival, without a test of its own.

The default suite runs the first family of each task; all of them (about 10 s of CPU
each, ~60 families) with ``pytest -m families tests/test_models/test_families.py``.
Box-tracking families are covered end to end by test_box_track_e2e.py.
"""
import glob
import math
import os.path as osp
import re
import traceback

import pytest
import torch

from bdd100k_zoo.config import load_config
from bdd100k_zoo.engine.runtime import prepare_config
from bdd100k_zoo.tasks import TASKS, config_task
from helpers import REPO, SAMPLES


SIZES = {'t': 0, 's': 1, 'b': 2, 'l': 3}  # Swin / ConvNeXt / PVT sizes in a config name


def _natural(name):
    """Smallest model first: by the size in the name (swin-t before swin-b), then in
    natural order (r50 before r101, 1x before 3x)."""
    size = re.search(r'-([tsbl])_', name)
    return [SIZES[size[1]] if size else 0] + [
        int(t) if t.isdigit() else t for t in re.split(r'(\d+)', name)]


def _dataset_base(path, seen=()):
    """The zoo dataset base (``_base_/datasets/bdd100k_<task>...``) a config inherits,
    read from the text of its ``_base_`` chain (cheap: nothing is executed at collection)."""
    with open(path) as f:
        text = f.read()
    for base in re.findall(r"['\"]([^'\":]+\.py)['\"]", text):
        base = osp.normpath(osp.join(osp.dirname(path), base))
        if '_base_/datasets/' in base:
            return osp.basename(base)[:-3]
        if osp.isfile(base) and base not in seen:
            found = _dataset_base(base, seen + (path, ))
            if found:
                return found
    return ''


def _family_configs():
    """One config per family directory and task (a directory may hold detection,
    instance- and semantic-segmentation models, e.g. hrnet/): the smallest."""
    groups = {}
    for path in glob.glob(osp.join(REPO, 'configs', '*', '*_bdd100k.py')):
        base = _dataset_base(path)
        task = next((t for t in TASKS if base.startswith(f'bdd100k_{t}')), base)
        key = (osp.basename(osp.dirname(path)), task)
        groups.setdefault(key, []).append(path)
    return [(task, min(paths, key=lambda p: _natural(osp.basename(p))))
            for (_, task), paths in sorted(groups.items())]


def _params():
    """Every family; the default suite runs the first family of each task (the suite's time
    budget), the others run with ``-m families``."""
    first = {}
    for task, config in _family_configs():
        first.setdefault(task, config)
    return [pytest.param(config, id=osp.relpath(config, osp.join(REPO, 'configs')),
                         marks=() if first[task] == config else pytest.mark.families)
            for task, config in _family_configs()]

# Shrink rules per task: image scales divided by SCALE_DIV (det: 1280x720 ->
# 320x180), seg crops set to CROP (h, w); the losses each task must produce
# (a key ends with each name: cascades prefix theirs with the stage, s0.).
SCALE_DIV = {'det': 4, 'ins_seg': 4, 'pan_seg': 4, 'sem_seg': 8, 'drivable': 8, 'tagging': 4,
             'pose': 2}
CROP = (64, 128)
LOSSES = {'det': ('loss_cls', 'loss_bbox'), 'ins_seg': ('loss_cls', 'loss_bbox', 'loss_mask'),
          'pan_seg': ('loss_cls', 'loss_mask', 'loss_seg'), 'sem_seg': ('loss_ce', ),
          'drivable': ('loss_ce', ), 'tagging': ('loss', ), 'pose': ('loss_kpt', )}
SCALE_KEYS = ('scale', 'scales', 'img_scale')
# Samples per step where one is not enough: the pooling heads of segmentors (PSPNet's
# pyramid pooling, ASPP's image pooling, APCNet, UPerNet) batch-normalise a 1x1 map,
# which needs more than one value per channel in training.
BATCH = {'sem_seg': 2, 'drivable': 2}


def _shrink_scale(value, div):
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], (list, tuple)):
        return [_shrink_scale(v, div) for v in value]
    if isinstance(value, (list, tuple)) and all(isinstance(v, int) for v in value):
        return tuple(max(v // div, 32) for v in value)
    return value  # an int (short side) or None: left as is


def _shrink_pipeline(node, div):
    """Every resize scale in a (nested) pipeline divided by ``div``, every crop CROP; a
    top-down pose crop and its heatmaps divided by ``div`` together (they must match)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in SCALE_KEYS:
                node[key] = _shrink_scale(value, div)
            elif key in ('input_size', 'heatmap_size'):
                node[key] = tuple(v // div for v in value)
            elif key == 'crop_size':
                node[key] = CROP
            else:
                _shrink_pipeline(value, div)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _shrink_pipeline(value, div)


def _no_pretrained(node):
    """Initial weights off: no ``Pretrained`` init_cfg, no ``pretrained`` path."""
    if isinstance(node, dict):
        for key in list(node):
            value = node[key]
            if key == 'pretrained' and isinstance(value, str):
                node[key] = None
            elif key == 'init_cfg' and isinstance(value, dict) and value.get('type') == 'Pretrained':
                node[key] = None
            elif key == 'init_cfg' and isinstance(value, (list, tuple)):
                node[key] = [c for c in value if c.get('type') != 'Pretrained'] or None
            else:
                _no_pretrained(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _no_pretrained(value)


def _point_at_samples(dataset, task, tmp_path):
    """The real samples as the task's training set (the zoo dataset, wrapped or not)."""
    if task in ('det', 'tagging'):  # the det_20 frame carries the image tags
        ann, img = osp.join(SAMPLES, 'detect/labels/annotation.json'), \
            osp.join(SAMPLES, 'detect/images/')
    elif task == 'ins_seg':  # the track sample carries RLE instance masks
        ann, img = osp.join(SAMPLES, 'track/labels'), osp.join(SAMPLES, 'track/images/')
    elif task == 'pan_seg':
        ann, img = osp.join(SAMPLES, 'panoptic/labels/annotation.json'), \
            osp.join(SAMPLES, 'segment/images/')
    elif task == 'pose':  # pose labels made for a real frame's pedestrians
        from helpers import pose_sample
        ann, img = pose_sample(tmp_path)
    elif task == 'sem_seg':
        ann, img = osp.join(SAMPLES, 'segment/labels/annotation.json'), \
            osp.join(SAMPLES, 'segment/images')
    else:  # drivable: PNG masks made from the sample's sem-seg labels
        from test_drivable import drivable_masks
        mask_dir = str(tmp_path / 'drivable_masks')
        drivable_masks(mask_dir)
        ann, img = None, osp.join(SAMPLES, 'segment/images')
    while not str(dataset.get('type', '')).split('.')[-1].startswith('BDD100K'):
        dataset = dataset['dataset']  # a wrapper (RepeatDataset, MultiImageMixDataset, ...)
    dataset['data_root'] = ''
    if task in ('sem_seg', 'drivable', 'tagging'):
        dataset['data_prefix'] = dict(img_path=img, seg_map_path=mask_dir) \
            if task == 'drivable' else dict(img_path=img)
    else:
        dataset['data_prefix'] = dict(img=img)
    if ann is not None:
        dataset['ann_file'] = ann
    dataset['indices'] = BATCH.get(task, 1)
    return dataset


def _raised_by_a_cuda_only_op(error):
    """An mmcv op without a CPU implementation (the config says so in a comment)."""
    frames = traceback.extract_tb(error.__traceback__)
    return (not torch.cuda.is_available() and any('mmcv/ops' in f.filename for f in frames)
            and re.search(r'cuda|gpu', str(error), re.I))


@pytest.mark.parametrize('config', _params())
def test_family_trains_one_step_on_a_real_sample(config, samples, tmp_path):
    from mmengine.dataset import pseudo_collate
    from mmengine.model import revert_sync_batchnorm
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import DATASETS, MODELS, init_default_scope

    try:
        cfg = load_config(config)
    except ImportError as e:  # custom_imports (ConvNeXt: mmpretrain.models)
        if 'mmpretrain' in str(e):
            pytest.skip('needs mmpretrain')
        raise
    task = config_task(cfg, config)
    if task == 'box_track':
        pytest.skip('box tracking: test_box_track_e2e.py trains and tests it')
    cfg = prepare_config(cfg, 'none')  # as tools/train.py on a CPU: fp16 -> fp32
    init_default_scope(cfg.get('default_scope', 'mmdet'))

    dataset_cfg = _point_at_samples(cfg.train_dataloader.dataset, task, tmp_path)
    _shrink_pipeline(dataset_cfg['pipeline'], SCALE_DIV[task])
    _no_pretrained(cfg.model)
    preprocessor = cfg.model.get('data_preprocessor') or {}
    if preprocessor.get('size') is not None:  # mmseg pads every batch to the crop
        preprocessor['size'] = CROP

    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    data = pseudo_collate([dataset[i] for i in range(len(dataset))])
    torch.manual_seed(0)
    model = revert_sync_batchnorm(MODELS.build(cfg.model))  # SyncBN: one CPU process
    model.init_weights()
    model.train()
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    try:
        losses = model.train_step(data, optim_wrapper)
    except (RuntimeError, NotImplementedError, AssertionError) as e:
        if _raised_by_a_cuda_only_op(e):
            pytest.skip(f'needs CUDA: {e}')
        raise

    assert 'loss' in losses
    for name in LOSSES[task]:
        assert any(k.endswith(name) for k in losses), (name, sorted(losses))
    bad = {k: float(v) for k, v in losses.items() if not math.isfinite(float(v))}
    assert not bad, f'{config}: non-finite losses {bad}'
