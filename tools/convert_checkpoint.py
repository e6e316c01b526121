"""Convert a checkpoint of the earlier BDD100K zoo (SysCV/bdd100k-models:
mmdet 2.x / mmseg 0.x models, written by mmcv 1.x's ``save_checkpoint``)
into the form mmengine writes, for a zoo config of any task.

    python tools/convert_checkpoint.py CONFIG OLD.pth NEW.pth

What changes:

* the weights keep their names: for these models mmdet 3.x and mmseg 1.x
  kept every parameter name of mmdet 2.x / mmseg 0.x (their own model zoos
  still serve the 2.x / 0.x files for these configs). The tool loads them
  as ``tools/infer.py`` does, so every weight must fit the config's model,
  key by key and shape by shape, else it stops naming the first keys that
  do not (another task, class count or architecture); a DDP ``module.``
  prefix is dropped;
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
from mmengine.runner.checkpoint import CheckpointLoader

from bdd100k_zoo.apis import build_inferencer
from bdd100k_zoo.utils.checkpoint import checkpoint_state_dict
from bdd100k_zoo.utils.io import atomic_write

#: meta entries of mmcv 1.x / mmdet 2.x / mmseg 0.x checkpoints worth keeping (strings, ints)
KEPT_META = ('mmcv_version', 'mmdet_version', 'mmseg_version', 'epoch', 'iter', 'time',
             'exp_name')


def convert(config: str, src: str, dst: str) -> dict:
    """Convert ``src`` for ``config`` into ``dst`` (written to a temporary name,
    then renamed); returns the new checkpoint."""
    dataset_meta = build_inferencer(config, src, device='cpu').model.dataset_meta  # strict
    old = CheckpointLoader.load_checkpoint(src, map_location='cpu')
    old_meta = old.get('meta') or {}
    meta = dict(dataset_meta=dict(classes=list(dataset_meta['classes']),
                                  palette=[list(c) for c in dataset_meta['palette']]),
                converted_from=dict(file=osp.basename(src),
                                    **{k: old_meta[k] for k in KEPT_META if k in old_meta}))
    new = dict(meta=meta, state_dict={k: v.clone() for k, v in
                                      checkpoint_state_dict(old, src).items()})
    os.makedirs(osp.dirname(osp.abspath(dst)), exist_ok=True)
    with atomic_write(dst, 'wb') as f:
        torch.save(new, f)
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
