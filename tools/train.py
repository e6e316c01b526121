"""Train a BDD100K zoo model: mmdet's tools/train.py, flag for flag.

    python tools/train.py CONFIG [--work-dir DIR] [--data-root DIR] [--resume [CKPT]] [--amp]
        [--auto-scale-lr] [--cfg-options k=v ...] [--launcher pytorch]

What the run does (hooks, log processor, visualizer, the runner that adapts it
to a CPU-only machine and keeps one run per work dir) is declared in the
config: configs/_base_/default_runtime.py.
"""
import argparse
import os
import os.path as osp

from mmengine.config import DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from bdd100k_zoo.config import load_config
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


def main():
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options, args.data_root)
    cfg.launcher = args.launcher

    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])

    if args.amp:  # without a GPU the zoo's runner trains in fp32
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'

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
