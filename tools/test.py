"""Evaluate a BDD100K zoo model or write its test-server submission.

mmdet's tools/test.py, flag for flag, plus:
  --format-only      no scores: write the submission for the split the test
                     dataloader points at (the test split has no labels)
  --outfile-prefix   where the metric writes the submission (default
                     <work-dir>/submission/<config name>); on val it is
                     written beside the scores

    python tools/test.py CONFIG CKPT [--work-dir DIR] [--out preds.pkl] [--show-dir DIR]
        [--format-only] [--outfile-prefix PREFIX] [--cfg-options k=v ...] [--launcher pytorch]

  --results-dir      record the run in the zoo: the measured val / test entry of
                     <results-dir>/<config name>.json, with the per-class scores
                     and plot beside it (bdd100k_zoo.zoo.record_run); the zoo's
                     own numbers: --results-dir results, then rerun
                     tools/gen_results_table.py. Opt-in, so that runs on
                     samples or with overrides never touch the zoo's records.
  --split            the split the run is recorded as (default: test with
                     --format-only, else val)

Scores are printed and written to <work-dir>/scores.json. A relative --show-dir
lands in the work dir (detection and tracking: <work-dir>/<timestamp>/<dir>, as
in mmdet; segmentation: <work-dir>/<dir>). Tracking frames are painted one by
one, then assembled into one animated GIF per video, <show-dir>/<video>.gif.
"""
import argparse
import os
import os.path as osp
import shlex
import sys

from mmengine.config import Config, DictAction
from mmengine.dist import is_main_process
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from bdd100k_zoo.fileio import json_safe, write_json
from bdd100k_zoo.runtime import init_cpu_distributed, prepare_config
from bdd100k_zoo.zoo import record_run
from bdd100k_zoo.zoo.visuals import make_video_gifs, patch_track_visualizer


def parse_args():
    parser = argparse.ArgumentParser(description='Test (and evaluate) a BDD100K zoo model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save the scores and submission')
    parser.add_argument('--out', type=str,
                        help='dump raw predictions to a pickle file (mmdet DumpDetResults)')
    parser.add_argument('--show', action='store_true', help='show prediction results')
    parser.add_argument('--show-dir', help='save painted predictions under this dir')
    parser.add_argument('--wait-time', type=float, default=2, help='the interval of show (s)')
    parser.add_argument('--format-only', action='store_true',
                        help='write the test-server submission instead of computing scores')
    parser.add_argument('--outfile-prefix', help='where the submission is written')
    parser.add_argument('--results-dir',
                        help='record the run as the measured entry of <dir>/<config name>.json')
    parser.add_argument('--split', choices=['val', 'test'],
                        help='split the run is recorded as (default: test with --format-only)')
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


def enable_visualization(cfg: Config, args) -> None:
    """Turn on the config's visualization hook, as mmdet / mmseg test.py do."""
    hook = cfg.default_hooks.get('visualization')
    if hook is None:
        raise RuntimeError(f'{args.config} has no visualization hook to paint predictions with')
    hook['draw'] = True
    if args.show:
        hook['show'] = True
        hook['wait_time'] = args.wait_time
    if args.show_dir:
        if hook['type'].endswith('SegVisualizationHook'):
            cfg.visualizer['save_dir'] = osp.join(cfg.work_dir, args.show_dir)
            hook['interval'] = 1  # mmseg paints every 50th image; paint all, as mmdet does
        else:
            hook['test_out_dir'] = args.show_dir
    if hook['type'].endswith('TrackVisualizationHook'):
        hook['frame_interval'] = 1  # mmdet paints every 30th frame; a video needs them all
        patch_track_visualizer()


def show_dir_path(args, cfg: Config, runner) -> str:
    """Where the visualization hook painted into."""
    seg = cfg.default_hooks.visualization['type'].endswith('SegVisualizationHook')
    # mmdet's hook writes under <work_dir>/<timestamp>/ unless the dir is absolute
    return osp.join(cfg.work_dir, *(() if seg else (runner.timestamp,)), args.show_dir)


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    prepare_config(cfg, args.launcher)

    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint

    if args.show or args.show_dir:
        enable_visualization(cfg, args)

    prefix = None
    if args.format_only or args.outfile_prefix:
        prefix = args.outfile_prefix or osp.join(
            cfg.work_dir, 'submission', osp.splitext(osp.basename(args.config))[0])
        evaluators = cfg.test_evaluator if isinstance(cfg.test_evaluator, list) else [
            cfg.test_evaluator]
        for evaluator in evaluators:
            evaluator['outfile_prefix'] = prefix
            evaluator['format_only'] = args.format_only

    init_cpu_distributed(args.launcher, cfg.env_cfg.dist_cfg.backend)
    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    if args.out is not None:
        from mmdet.evaluation import DumpDetResults
        if not args.out.endswith(('.pkl', '.pickle')):
            raise ValueError('--out must name a .pkl file')
        runner.test_evaluator.metrics.append(DumpDetResults(out_file_path=args.out))
    metrics = runner.test()
    if args.show_dir and is_main_process() and \
            cfg.default_hooks.visualization['type'].endswith('TrackVisualizationHook'):
        for gif in make_video_gifs(show_dir_path(args, cfg, runner)):
            runner.logger.info(f'painted video written to {gif}')

    if is_main_process() and metrics:
        path = osp.join(cfg.work_dir, 'scores.json')  # NaN (undefined) scores become null
        write_json(path, json_safe(dict(config=args.config, checkpoint=args.checkpoint,
                                        metrics=metrics)), indent=2)
        runner.logger.info(f'scores written to {path}')
    # a submission that could not be written (full disk, ...) fails the run, after the scores
    failed = [m.submission_error for m in runner.test_evaluator.metrics
              if getattr(m, 'submission_error', None)]
    if args.results_dir and is_main_process():
        record(args, cfg, runner, metrics or {}, None if failed else prefix)
    if failed:
        raise SystemExit('; '.join(failed))


def record(args, cfg: Config, runner, metrics: dict, prefix) -> None:
    """Update the config's zoo record with this run (nothing for a non-zoo config)."""
    dataset = runner.test_loop.dataloader.dataset
    num_images = getattr(dataset, 'num_all_imgs', None) or len(dataset)  # video sets: frames
    preds = None
    if prefix is not None:
        written = sorted(p for p in (prefix + ext for ext in ('.json', '.zip')) if osp.exists(p))
        preds = written[0] if written else None
    visuals = show_dir_path(args, cfg, runner) if args.show_dir else None
    split = args.split or ('test' if args.format_only else 'val')
    path = record_run(args.results_dir, args.config, args.checkpoint, split, metrics, num_images,
                      command=' '.join(shlex.quote(a) for a in ['python'] + sys.argv),
                      preds=preds, visuals=visuals)
    runner.logger.info(f'{split} run recorded in {path}' if path else
                       f'no zoo record for {args.config} in {args.results_dir}: not recorded')


if __name__ == '__main__':
    main()
