"""Convert a checkpoint of the earlier BDD100K zoo (SysCV/bdd100k-models:
mmdet 2.x Faster / Mask R-CNN, mmseg 0.x Semantic FPN, written by mmcv 1.x's
``save_checkpoint``) into the form mmengine writes, for a zoo config.

    python tools/convert_checkpoint.py CONFIG OLD.pth NEW.pth

What changes:

* the weights keep their names: for these R50-FPN models mmdet 3.x and
  mmseg 1.x kept every parameter name of mmdet 2.x / mmseg 0.x (their own
  model zoos still serve the 2.x / 0.x files for these configs). The tool
  checks that every weight fits the config's model, key by key and shape by
  shape, and stops naming the first keys that do not (another task, class
  count or architecture); a DDP ``module.`` prefix is dropped;
* ``meta``: mmcv 1.x's ``CLASSES`` / ``PALETTE`` become mmengine's
  ``dataset_meta`` (``classes`` / ``palette``); where the file has no ``meta``
  at all (the published bdd100k-models files: their demo failed with
  ``KeyError: 'meta'``), the config's BDD100K classes are written. The
  version strings and epoch / iteration are kept under ``meta.converted_from``;
  the rest (the optimizer state, ``hook_msgs`` with numpy scores, the config
  text, the environment dump) is dropped;
* the file loads with ``torch.load(weights_only=True)`` and no allow-list.

``tools/test.py`` and ``tools/infer.py`` also read the unconverted files
directly (strictly, with the same check): the conversion is for the other
tools of the stack (mmdet's ``DetInferencer``, ``load_from``), which read
``meta.dataset_meta``. The input is read with ``weights_only=True`` as well.
"""
import argparse
import os
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import CheckpointLoader

from bdd100k_zoo.apis.inferencer import config_task, zoo_dataset_meta
from bdd100k_zoo.utils.checkpoint import checkpoint_state_dict, fit_weights

#: meta entries of mmcv 1.x / mmdet 2.x / mmseg 0.x checkpoints worth keeping (strings, ints)
KEPT_META = ('mmcv_version', 'mmdet_version', 'mmseg_version', 'epoch', 'iter', 'time',
             'exp_name')


def build_model(cfg: Config, task: str):
    scope = cfg.get('default_scope', 'mmseg' if task == 'sem_seg' else 'mmdet')
    init_default_scope(scope)
    if scope == 'mmseg':
        from mmseg.registry import MODELS
    else:
        from mmdet.registry import MODELS
    model_cfg = cfg.model.detector if 'detector' in cfg.model else cfg.model
    model_cfg.backbone.init_cfg = None  # the checkpoint brings every weight
    model_cfg.pop('pretrained', None)
    model_cfg.init_cfg = None
    return MODELS.build(cfg.model)


def convert(config: str, src: str, dst: str) -> dict:
    """Convert ``src`` for ``config`` into ``dst`` (written to a temporary name,
    then renamed); returns the new checkpoint."""
    cfg = Config.fromfile(config)
    task = config_task(cfg, config)
    old = CheckpointLoader.load_checkpoint(src, map_location='cpu')
    state_dict = checkpoint_state_dict(old, src)
    fit_weights(build_model(cfg, task), dict(state_dict=state_dict), src, config)
    old_meta = old.get('meta') or {}
    meta = dict(dataset_meta=zoo_dataset_meta(task, old),
                converted_from=dict(file=osp.basename(src),
                                    **{k: old_meta[k] for k in KEPT_META if k in old_meta}))
    meta['dataset_meta']['palette'] = [list(c) for c in meta['dataset_meta']['palette']]
    meta['dataset_meta']['classes'] = list(meta['dataset_meta']['classes'])
    new = dict(meta=meta, state_dict={k: v.clone() for k, v in state_dict.items()})
    os.makedirs(osp.dirname(osp.abspath(dst)), exist_ok=True)
    tmp = f'{dst}.tmp-{os.getpid()}'
    try:
        torch.save(new, tmp)
        os.replace(tmp, dst)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)
    return new


def main(argv=None):
    parser = argparse.ArgumentParser(description='Convert a bdd100k-models (mmcv 1.x) '
                                     'checkpoint for a zoo config')
    parser.add_argument('config', help='the zoo config the weights are for')
    parser.add_argument('src', help='the old checkpoint')
    parser.add_argument('dst', help='where to write the converted checkpoint')
    args = parser.parse_args(argv)
    if osp.abspath(args.src) == osp.abspath(args.dst):
        parser.error('dst must differ from src (the original is kept)')
    new = convert(args.config, args.src, args.dst)
    print(f'{args.dst}: {len(new["state_dict"])} weights, classes '
          f'{", ".join(new["meta"]["dataset_meta"]["classes"])}')


if __name__ == '__main__':
    main()
