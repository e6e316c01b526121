"""Train a BDD100K zoo model: mmdet's tools/train.py, flag for flag.

    python tools/train.py CONFIG [--work-dir DIR] [--data-root DIR] [--resume [CKPT]] [--amp]
        [--auto-scale-lr] [--smoke [N]] [--cfg-options k=v ...] [--launcher pytorch]

  --smoke [N]   a trial run ("does it run here"): N iterations (default 2) on
                images a quarter of the size, no worker processes, then one
                validation on two frames (tracking: two videos) and one checkpoint.
                The config's model, data, hooks and loops otherwise; an
                epoch-based config runs as an iteration-based one.

What the run does (hooks, log processor, visualizer, the runner that adapts it
to a CPU-only machine and keeps one run per work dir) is declared in the
config: configs/_base_/default_runtime.py.
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from bdd100k_zoo.config import load_config
from bdd100k_zoo.engine.console import quiet_stack_warnings
from bdd100k_zoo.utils.checkpoint import InitialWeightsError


def parse_args():
    parser = argparse.ArgumentParser(description='Train a BDD100K zoo model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument('--amp', action='store_true', help='automatic mixed precision')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by the real batch size / auto_scale_lr.base_batch_size')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from this checkpoint, or without a value from the latest '
        'checkpoint in the work dir')
    parser.add_argument('--data-root',
                        help='the BDD100K folder (images/, labels/): moves every dataset and '
                        'evaluator path of the config (default: its data_root, data/bdd100k/)')
    parser.add_argument('--smoke', nargs='?', type=int, const=2, metavar='N',
                        help='trial run: N iterations (default 2), small images, no workers, '
                        'one validation on two frames and one checkpoint')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, key=value (as in mmdet)')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


# transform (and data preprocessor) arguments that give an image size in pixels
SIZE_KEYS = ('scale', 'img_scale', 'crop_size', 'size', 'border', 'random_size_range')


def _pixels(value, factor: float):
    """``(w, h)``-like pairs (and lists of them) times ``factor``, else None."""
    if isinstance(value, (tuple, list)) and len(value) == 2 and \
            all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return type(value)(int(round(v * factor)) for v in value)
    if isinstance(value, list) and value and all(_pixels(v, factor) for v in value):
        return [_pixels(v, factor) for v in value]
    return None


def shrink_images(cfg, factor: float, keys=SIZE_KEYS + ('scales', )) -> None:
    """Every image size a transform or data preprocessor names (``keys``), times ``factor``."""
    if isinstance(cfg, dict):
        for key, value in cfg.items():
            scaled = _pixels(value, factor) if key in keys else None
            if scaled is not None:
                cfg[key] = scaled
            else:
                shrink_images(value, factor, keys)
    elif isinstance(cfg, (list, tuple)):
        for item in cfg:
            shrink_images(item, factor, keys)


# a top-down pose model's person crop and heatmaps (its pipelines' and its head decoder's),
# halved together: the heatmaps stay the size the head outputs, and the crop whole 32-pixel
# cells of a ResNet (a quarter is not)
POSE_SIZE_KEYS = ('input_size', 'heatmap_size')


def smoke_config(cfg: Config, iters: int, image_factor: float = 0.25,
                 eval_frames: int = 2) -> None:
    """``--smoke``: the config cut to a trial run; the model, the datasets, the
    hooks and the loops' code stay the config's."""
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if not loader:
            continue
        loader.update(num_workers=0, persistent_workers=False)
        loader.pop('prefetch_factor', None)
        shrink_images(loader.dataset, image_factor)
        if key != 'train_dataloader' and 'indices' not in loader.dataset:
            loader.dataset.indices = eval_frames  # video datasets: videos
    shrink_images([v for k, v in _walk(cfg.model) if k == 'data_preprocessor'], image_factor)
    shrink_images([cfg.model] + [cfg.get(k) for k in ('train_dataloader', 'val_dataloader',
                                                      'test_dataloader')], 0.5, POSE_SIZE_KEYS)
    # epoch-based configs too: an epoch of BDD100K is hours; N iterations of the same loop code
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=iters, val_interval=iters)
    cfg.default_hooks.checkpoint.update(by_epoch=False, interval=iters)
    cfg.default_hooks.logger.interval = 1
    cfg.log_processor.by_epoch = False


def _walk(cfg, key=None):
    """(key, value) of every dict item under ``cfg``."""
    if isinstance(cfg, dict):
        for k, v in cfg.items():
            yield k, v
            yield from _walk(v, k)
    elif isinstance(cfg, (list, tuple)):
        for item in cfg:
            yield from _walk(item, key)


def main():
    args = parse_args()
    quiet_stack_warnings()
    cfg = load_config(args.config, args.cfg_options, args.data_root)
    cfg.launcher = args.launcher

    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])

    if args.amp:  # without a GPU the zoo's runner trains in fp32
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'

    if args.smoke:
        smoke_config(cfg, args.smoke)
        # what the command line sets explicitly wins over the trial run's cuts
        cfg.merge_from_dict({k: v for k, v in (args.cfg_options or {}).items()
                             if k != 'data_root'})

    if args.auto_scale_lr:
        if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
            raise RuntimeError(f'{args.config} has no "auto_scale_lr.base_batch_size"')
        cfg.auto_scale_lr.enable = True

    if args.resume == 'auto':  # the latest checkpoint of the work dir
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume

    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    try:
        runner.train()
    except InitialWeightsError as e:  # what to do, in one line: no traceback
        raise SystemExit(str(e)) from None


if __name__ == '__main__':
    main()
