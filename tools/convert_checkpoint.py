"""Convert a checkpoint of the earlier BDD100K zoo (SysCV/bdd100k-models:
mmdet 2.x / mmseg 0.x, written by mmcv 1.x) into the form mmengine writes,
for a zoo config of any task.

    python tools/convert_checkpoint.py CONFIG OLD.pth NEW.pth

The weights keep their names (mmdet 3.x / mmseg 1.x kept those of mmdet 2.x
/ mmseg 0.x for Faster / Mask R-CNN, Panoptic FPN and Semantic FPN, drivable
area included), except SysCV/qdtrack's QDTrack
(``qdtrack-frcnn_r50_fpn_12e_bdd100k``: a detector whose RoI head holds the
track head), renamed onto mmdet 3.x's ``QDTrack`` (``detector.*``,
``track_head.embed_head.*``). The result loads as ``tools/infer.py`` loads
checkpoints: every key and shape must fit the config's model, else the
misfits are named.
mmcv 1.x's ``CLASSES`` / ``PALETTE`` become ``meta.dataset_meta`` (a file
without ``meta``, as published, gets the config's BDD100K classes); versions
and epoch / iteration go to ``meta.converted_from``; the optimizer state,
numpy ``hook_msgs``, config text and environment dump are dropped, so the file
loads with ``torch.load(weights_only=True)`` alone. ``tools/test.py`` and
``tools/infer.py`` read unconverted files too; the conversion is for the
stack's other tools (mmdet's ``DetInferencer``, ``load_from``).
"""
import argparse
import os
import os.path as osp
import tempfile

import torch
from mmengine.runner.checkpoint import CheckpointLoader

from bdd100k_zoo.apis import build_inferencer
from bdd100k_zoo.utils.checkpoint import checkpoint_state_dict
from bdd100k_zoo.utils.io import atomic_write

#: meta entries of mmcv 1.x / mmdet 2.x / mmseg 0.x checkpoints worth keeping (strings, ints)
KEPT_META = ('mmcv_version', 'mmdet_version', 'mmseg_version', 'epoch', 'iter', 'time',
             'exp_name')


#: SysCV/qdtrack (mmdet 2.x) -> mmdet 3.x QDTrack: its track head sat in the RoI head
QDTRACK_TRACK_HEAD = ('roi_head.track_head.', 'track_head.embed_head.')


def rename_earlier_layout(state_dict: dict) -> dict:
    """The earlier zoo's names -> the stack's, where they differ (QDTrack only)."""
    old, new = QDTRACK_TRACK_HEAD
    if not any(k.startswith(old) for k in state_dict) or \
            any(k.startswith('detector.') for k in state_dict):
        return state_dict
    return {(new + k[len(old):]) if k.startswith(old) else f'detector.{k}': v
            for k, v in state_dict.items()}


def convert(config: str, src: str, dst: str) -> dict:
    """Convert ``src`` for ``config`` into ``dst`` (written to a temporary name,
    then renamed); returns the new checkpoint."""
    old = CheckpointLoader.load_checkpoint(src, map_location='cpu')
    state_dict = checkpoint_state_dict(old, src)
    renamed = rename_earlier_layout(state_dict)
    if renamed is state_dict:
        dataset_meta = build_inferencer(config, src, device='cpu').model.dataset_meta  # strict
    else:  # the strict fit is checked on the renamed weights
        with tempfile.TemporaryDirectory() as tmp:
            renamed_file = osp.join(tmp, osp.basename(src))
            torch.save(dict(state_dict=renamed), renamed_file)
            dataset_meta = build_inferencer(config, renamed_file,
                                            device='cpu').model.dataset_meta
    old_meta = old.get('meta') or {}
    meta = dict(dataset_meta=dict(classes=list(dataset_meta['classes']),
                                  palette=[list(c) for c in dataset_meta['palette']]),
                converted_from=dict(file=osp.basename(src),
                                    **{k: old_meta[k] for k in KEPT_META if k in old_meta}))
    new = dict(meta=meta, state_dict=renamed)  # a plain dict
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
