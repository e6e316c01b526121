"""Run a BDD100K zoo model (any task) on your own images and videos.

    python tools/infer.py CONFIG CKPT INPUT --out-dir DIR [--device cuda:0]
        [--score-thr 0.3] [--batch-size N] [--no-paint] [--cfg-options k=v ...]
        [--det-config DET_CONFIG --det-checkpoint DET_CKPT [--det-score-thr 0.3]
         [--det-cfg-options k=v ...]]  (pose)

INPUT: an image, a video file, or a folder of images, video files and
BDD100K-style frame folders (``<video>/<frame>.jpg``). DIR gets the task's
submission as ``tools/test.py --format-only`` writes it with the prefix
``DIR/predictions`` (``predictions.json`` and the server's format where it
differs) and ``painted/``: painted frames, ``<video>.mp4`` per video. See
``bdd100k_zoo.apis.run_inference`` for the details. A pose model estimates the
pose in each person box of the zoo detector given by ``--det-config`` /
``--det-checkpoint`` (its pedestrians and riders), or in the whole image without one.
"""
import argparse

from mmengine.config import DictAction
from mmengine.logging import print_log

from bdd100k_zoo.apis import build_inferencer, run_inference
from bdd100k_zoo.engine.console import quiet_stack_warnings


def main(argv=None):
    quiet_stack_warnings()
    parser = argparse.ArgumentParser(description='Run a BDD100K zoo model on images / videos')
    parser.add_argument('config', help='zoo config file')
    parser.add_argument('checkpoint', help='checkpoint file (tools/convert_checkpoint.py '
                        'converts bdd100k-models files)')
    parser.add_argument('input', help='image, video file, or folder of them / of frame folders')
    parser.add_argument('--out-dir', required=True, help='where predictions and paintings go')
    parser.add_argument('--device', help='e.g. cuda:0 or cpu (default: cuda:0 if available)')
    parser.add_argument('--score-thr', type=float, help='drop predictions under this score '
                        '(default: the submission keeps all, painting shows >= 0.3)')
    parser.add_argument('--batch-size', type=int, default=1,
                        help='images per forward pass (tracking: always 1)')
    parser.add_argument('--no-paint', action='store_true',
                        help='write predictions only, no painted frames or videos')
    parser.add_argument('--det-config', help='pose: a zoo detection config for the person boxes')
    parser.add_argument('--det-checkpoint', help='pose: its checkpoint')
    parser.add_argument('--det-score-thr', type=float,
                        help='pose: the detector boxes kept (default 0.3)')
    parser.add_argument('--det-cfg-options', nargs='+', action=DictAction,
                        help='pose: override settings of --det-config, key=value')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value (as in mmdet)')
    args = parser.parse_args(argv)
    if args.batch_size < 1:
        parser.error('--batch-size must be at least 1')
    if (args.det_checkpoint or args.det_cfg_options) and not args.det_config:
        parser.error('--det-checkpoint and --det-cfg-options need --det-config')
    inferencer = build_inferencer(args.config, args.checkpoint, device=args.device,
                                  cfg_options=args.cfg_options, det_config=args.det_config,
                                  det_checkpoint=args.det_checkpoint,
                                  det_score_thr=args.det_score_thr,
                                  det_cfg_options=args.det_cfg_options)
    summary = run_inference(inferencer, args.input, args.out_dir, batch_size=args.batch_size,
                            score_thr=args.score_thr, paint=not args.no_paint)
    print_log(f'{summary.line()}; written: {", ".join(summary.outputs)}', logger='current')
    return summary


if __name__ == '__main__':
    main()
