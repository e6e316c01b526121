"""Evaluate a BDD100K zoo model or write its test-server submission.

mmdet's tools/test.py, flag for flag, plus:
  --format-only      no scores: write the submission for the split the test
                     dataloader points at (the test split has no labels)
  --outfile-prefix   where the metric writes the submission (default
                     <work-dir>/submission/<config name>); on val it is
                     written beside the scores

    python tools/test.py CONFIG CKPT [--work-dir DIR] [--out preds.pkl] [--show-dir DIR]
        [--format-only] [--outfile-prefix PREFIX] [--data-root DIR] [--gif] [--tta]
        [--cfg-options k=v ...] [--launcher pytorch]

  --data-root        the BDD100K folder: moves every data and ground-truth path
  --tta              test-time augmentation as mmdet 3.3 / mmseg 1.2 offer it:
                     semantic segmentation and drivable area, the config's
                     tta_model / tta_pipeline (mmseg's: 6 scales x flip);
                     detection, mmdet's DetTTAModel over a flip. Not offered
                     (an error) for instance / panoptic segmentation and
                     tracking: mmdet 3.3 has no test-time merge of masks,
                     segments or tracks.
  --gif              with --show-dir: also a small looping GIF per tracking video

Every run writes <work-dir>/scores.json: config, checkpoint, command, metrics
(official names; {} under --format-only), num_images, num_videos (tracking),
submission (the files and folders the metrics wrote) and show_dir; record it
in the zoo with tools/model_zoo/record_run.py. A
relative --show-dir lands in the work dir (detection and tracking:
<work-dir>/<timestamp>/<dir>, as in mmdet; segmentation: <work-dir>/<dir>);
every process paints its own frames (the configs' visualizers). Tracking
frames are painted one by one, then assembled into one video per video,
<show-dir>/<video>.mp4.
"""
import argparse
import os
import os.path as osp
import shlex
import sys

from mmengine.config import Config, ConfigDict, DictAction
from mmengine.dist import barrier, is_main_process
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from bdd100k_zoo.config import load_config
from bdd100k_zoo.engine.console import quiet_stack_warnings
from bdd100k_zoo.evaluation import official_names
from bdd100k_zoo.tasks import config_task
from bdd100k_zoo.utils.io import json_safe, write_json
from bdd100k_zoo.visualization import make_videos, paint_gt_masks


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
    parser.add_argument('--gif', action='store_true',
                        help='with --show-dir: also a small GIF per tracking video')
    parser.add_argument('--format-only', action='store_true',
                        help='write the test-server submission instead of computing scores')
    parser.add_argument('--outfile-prefix', help='where the submission is written')
    parser.add_argument('--tta', action='store_true', help='test-time augmentation')
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
    paint_gt_masks(cfg)


def enable_tta(cfg: Config, config: str) -> None:
    """``--tta``: mmseg 1.2's tools/test.py for the segmentation configs (their
    ``tta_model`` / ``tta_pipeline``), mmdet 3.3's (DetTTAModel over a flip,
    its defaults) for detection."""
    task = config_task(cfg, config)
    if task in ('sem_seg', 'drivable'):
        cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
        cfg.tta_model.module = cfg.model
        cfg.model = cfg.tta_model
    elif task == 'det':
        cfg.setdefault('tta_model', dict(
            type='DetTTAModel', tta_cfg=dict(nms=dict(type='nms', iou_threshold=0.5),
                                             max_per_img=100)))
        if 'tta_pipeline' not in cfg:
            pipeline = list(cfg.test_dataloader.dataset.pipeline)
            pipeline[-1] = dict(type='TestTimeAug', transforms=[
                [dict(type='RandomFlip', prob=1.), dict(type='RandomFlip', prob=0.)],
                [dict(type='PackDetInputs', meta_keys=(
                    'img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'flip',
                    'flip_direction'))]])
            cfg.tta_pipeline = pipeline
        cfg.model = ConfigDict(**cfg.tta_model, module=cfg.model)
        cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
    else:
        raise ValueError(
            f'--tta is not offered for {config} ({task}): mmdet 3.3 merges test-time '
            'augmentations of boxes only (DetTTAModel), not of masks, panoptic segments or '
            'tracks; it is offered for detection, semantic segmentation and drivable area')


def show_dir_path(args, cfg: Config, runner) -> str:
    """Where the visualization hook painted into."""
    seg = cfg.default_hooks.visualization['type'].endswith('SegVisualizationHook')
    # mmdet's hook writes under <work_dir>/<timestamp>/ unless the dir is absolute
    return osp.join(cfg.work_dir, *(() if seg else (runner.timestamp,)), args.show_dir)


def main():
    args = parse_args()
    quiet_stack_warnings()
    cfg = load_config(args.config, args.cfg_options, args.data_root)
    cfg.launcher = args.launcher

    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint  # the zoo's runner loads it strictly: every weight fits

    if args.tta:
        enable_tta(cfg, args.config)
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

    runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg else RUNNERS.build(cfg)
    if args.out is not None:
        from mmdet.evaluation import DumpDetResults
        if not args.out.endswith(('.pkl', '.pickle')):
            raise ValueError('--out must name a .pkl file')
        runner.test_evaluator.metrics.append(DumpDetResults(out_file_path=args.out))
    metrics = official_names(runner.test() or {})
    if args.show_dir:
        barrier()  # every process has painted its frames
        if is_main_process() and \
                cfg.default_hooks.visualization['type'].endswith('TrackVisualizationHook'):
            for video in make_videos(show_dir_path(args, cfg, runner), gif=args.gif):
                runner.logger.info(f'painted video written to {video}')

    # a submission that could not be written (full disk, ...) fails the run, after the scores
    failed = [m.submission_error for m in runner.test_evaluator.metrics
              if getattr(m, 'submission_error', None)]
    if is_main_process():
        write_scores(args, cfg, runner, metrics or {}, failed)
    if failed:
        raise SystemExit('; '.join(failed))


def write_scores(args, cfg: Config, runner, metrics: dict, failed) -> None:
    """``<work-dir>/scores.json``: the run, what it measured and wrote, for people
    and for tools/model_zoo/record_run.py (NaN, an undefined score, becomes null)."""
    dataset = runner.test_loop.dataloader.dataset
    videos = hasattr(dataset, 'get_len_per_video')  # video datasets count frames apart
    submission = None if failed else [  # what the metrics' writers made, if they ran
        p for m in runner.test_evaluator.metrics if getattr(m, 'outfile_prefix', None)
        for p in sum(m.output_targets(), []) if osp.exists(p)] or None
    path = osp.join(cfg.work_dir, 'scores.json')
    write_json(path, json_safe(dict(
        config=args.config, checkpoint=args.checkpoint,
        command=' '.join(shlex.quote(a) for a in ['python'] + sys.argv), metrics=metrics,
        # a top-down pose dataset's samples are persons: it counts its frames
        num_images=dataset.num_all_imgs if videos else getattr(dataset, 'num_images',
                                                               len(dataset)),
        num_videos=len(dataset) if videos else None, submission=submission,
        show_dir=show_dir_path(args, cfg, runner) if args.show_dir else None)), indent=2)
    runner.logger.info(f'scores written to {path}')


if __name__ == '__main__':
    main()
