"""Every zoo config holds its recipe: the dataset and metric of its task, and,
where its record names the earlier zoo's config it ports (SysCV/bdd100k-models,
catalogued in ``../shared/bdd100k_models/models.csv``), that row's optimizer,
learning rate, weight decay, batch, schedule and crop. The zoo grows without
touching this test: it iterates the configs and reads the catalogue."""
import csv
import glob
import os.path as osp
import re

import pytest

from bdd100k_zoo.tasks import TASK_SPECS, config_task
from bdd100k_zoo.zoo import load_record
from helpers import REPO, SHARED, load_zoo_config

CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', '*', '*_bdd100k.py')))
CATALOGUE = osp.join(SHARED, 'bdd100k_models', 'models.csv')


def _catalogue():
    with open(CATALOGUE, newline='') as f:
        return {row['config']: row for row in csv.DictReader(f)}


def _recipe(notes: str) -> dict:
    """The recipe fields of a catalogue row's notes (``SGD lr=0.04 wd=0.0001;
    epochs=36 lr_steps=[24,33]; batch=4/gpu (README: 8 GPUs => 32); crop=512x1024``)."""
    recipe = {}
    optim = re.search(r'\b(SGD|AdamW|Adam) lr=([\d.e-]+)(?: wd=([\d.e-]+))?', notes)
    if optim:  # no wd: none (pose's Adam)
        recipe.update(optimizer=optim[1], lr=float(optim[2]), weight_decay=float(optim[3] or 0))
    batch = re.search(r'batch=(?:(\d+)/gpu \(README: \d+ GPUs => (\d+)\)|(\d+))', notes)
    if batch:
        recipe['total_batch'] = int(batch[2] or batch[3])
        if batch[1]:
            recipe['batch_per_gpu'] = int(batch[1])
    schedule = re.search(r'epochs=(\d+) lr_steps=\[([\d,]+)\]', notes)
    if schedule:
        recipe['epochs'] = int(schedule[1])
        recipe['milestones'] = [int(s) for s in schedule[2].split(',')]
    iters = re.search(r'iters=(\d+)', notes)
    if iters:
        recipe['iters'] = int(iters[1])
    pose = re.search(r'warmup=linear:(\d+); image_size\(w,h\)=\[(\d+),(\d+)\] '
                     r'heatmap=\[(\d+),(\d+)\]; target=(MSRA|DARK|UDP)', notes)
    if pose:  # top-down pose: warmup iterations, input and heatmap (w, h), target encoding
        recipe.update(warmup=int(pose[1]), input_size=(int(pose[2]), int(pose[3])),
                      heatmap_size=(int(pose[4]), int(pose[5])), target=pose[6])
    crop = re.search(r'crop=(\d+)x(\d+)', notes)
    if crop:
        recipe['crop'] = (int(crop[1]), int(crop[2]))  # (h, w), as mmseg's crop_size
    return recipe


def _find(node, key):
    """Every value of ``key`` in a config subtree."""
    if isinstance(node, dict):
        for k, value in node.items():
            if k == key:
                yield value
            yield from _find(value, key)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _find(value, key)


def _ported_rows(record):
    refs = [record.published.val, record.published.test]
    return sorted({ref.config for ref in refs if ref is not None and ref.config})


@pytest.mark.parametrize('config', CONFIGS, ids=lambda p: osp.basename(p)[:-3])
def test_config_holds_its_recipe(config):
    name = osp.basename(config)[:-3]
    cfg = load_zoo_config(config)
    task = config_task(cfg, config)
    spec = TASK_SPECS[task]
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        types = set(_find(cfg[loader]['dataset'], 'type'))
        assert spec.dataset in types, (loader, types)
    record = load_record(osp.join(REPO, 'results', f'{name}.json'))
    assert record.task == task
    rows = _ported_rows(record)
    if not rows:
        return  # a Vis4D recipe: its own tests hold it
    catalogue = _catalogue()
    for stem in rows:
        row = catalogue[stem]
        assert row['task'] == task, stem
        recipe = _recipe(row['notes'])
        optimizer = cfg.optim_wrapper.optimizer
        if 'optimizer' in recipe:
            assert optimizer.type == recipe['optimizer'], stem
            assert optimizer.lr == pytest.approx(recipe['lr']), stem
            assert optimizer.get('weight_decay', 0) == pytest.approx(recipe['weight_decay']), stem
        if 'total_batch' in recipe:
            # lr is for the row's total batch: mmengine rescales it with --auto-scale-lr
            assert cfg.auto_scale_lr.base_batch_size == recipe['total_batch'], stem
        if 'batch_per_gpu' in recipe:
            assert cfg.train_dataloader.batch_size == recipe['batch_per_gpu'], stem
        if 'epochs' in recipe:
            assert cfg.train_cfg.max_epochs == recipe['epochs'], stem
            steps = [s for s in cfg.param_scheduler if s.type == 'MultiStepLR']
            assert [s.milestones for s in steps] == [recipe['milestones']], stem
        if 'iters' in recipe:
            assert cfg.train_cfg.max_iters == recipe['iters'], stem
        if 'target' in recipe:
            _check_pose(cfg, recipe, stem)
        if 'crop' in recipe:
            crops = {tuple(c) for c in _find(cfg.train_dataloader, 'crop_size')}
            assert crops == {recipe['crop']}, (stem, crops)


# the earlier zoo's pose targets as mmpose 1.x codecs (its td-hm_*_dark / *_udp COCO configs)
CODECS = {'MSRA': dict(type='MSRAHeatmap', sigma=2), 'DARK': dict(type='MSRAHeatmap', sigma=2,
                                                                 unbiased=True),
          'UDP': dict(type='UDPHeatmap', sigma=2)}


def _check_pose(cfg, recipe, stem):
    """The codec everywhere it is used (head decoder, training targets, every affine input size
    and its UDP flag) and the warmup of a pose row."""
    codec = dict(CODECS[recipe['target']], input_size=recipe['input_size'],
                 heatmap_size=recipe['heatmap_size'])
    def plain(node):  # without the scope mmengine adds
        return {k: tuple(v) if isinstance(v, list) else v for k, v in node.items()
                if k != '_scope_'}
    assert plain(cfg.model.head.decoder) == codec, stem
    assert [plain(e) for e in _find(cfg.train_dataloader, 'encoder')] == [codec], stem
    udp = recipe['target'] == 'UDP'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        affine = [t for t in cfg[loader].dataset.pipeline if t.type == 'TopdownAffine']
        assert [(tuple(t.input_size), t.get('use_udp', False)) for t in affine] == \
            [(recipe['input_size'], udp)], (stem, loader)
    assert cfg.model.test_cfg.shift_heatmap is not udp, stem
    warmup = [s for s in cfg.param_scheduler if s.type == 'LinearLR']
    assert [(s.end, s.by_epoch) for s in warmup] == [(recipe['warmup'], False)], stem


def test_the_catalogue_parses():
    """The parser reads every row the zoo ports (a changed notes format fails here)."""
    rows = [r for r in _catalogue().values()
            if r['task'] in ('det', 'ins_seg', 'pan_seg', 'sem_seg', 'drivable')
            and r['config_exists'] == 'yes']
    assert len(rows) == 64 + 18 + 5 + 53 + 56
    for row in rows:
        recipe = _recipe(row['notes'])
        assert {'optimizer', 'lr', 'total_batch'} <= set(recipe), row['config']
        assert ('epochs' in recipe) != ('iters' in recipe), row['config']
    pose = [r for r in _catalogue().values() if r['task'] == 'pose']
    assert len(pose) == 26
    for row in pose:
        assert {'optimizer', 'lr', 'total_batch', 'batch_per_gpu', 'epochs', 'warmup',
                'target'} <= set(_recipe(row['notes'])), row['config']
