"""Frames/s of tools/infer.py's pipeline against the stack's own inference loop,
on the same frames and checkpoint, in one run.

    python benchmarks/bench_inference.py [--task det] [--frames 12] [--size 640x360]

The reference is the bare model loop of mmdet / mmseg's classic API
(``init_detector`` + ``inference_detector``, ``init_model`` +
``inference_model``, ``init_track_model`` + ``inference_mot``), one image at a
time, read from file, nothing written. Against it: ``run_inference`` (what
tools/infer.py runs) writing the Scalabel JSON only (``paint=False``), and
with painted frames + mp4. Frames: the real tracking sample's frames,
resized to ``--size`` and cycled to ``--frames``, one video folder (tracking)
or a folder of images. Random weights of the zoo config (speed does not
depend on them; the detector keeps at most 100 boxes a frame as configured).
Each side runs in a fresh process after one warm-up frame; model building is
not timed.
"""
import os
import os.path as osp
import sys
import tempfile

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from benchmarks.common import parser as benchmark_parser  # noqa: E402
from benchmarks.common import ROOT, measure, record  # noqa: E402

CONFIGS = dict(
    det='configs/faster_rcnn/faster_rcnn_r50_1x_bdd100k.py',
    ins_seg='configs/mask_rcnn/mask_rcnn_r50_1x_bdd100k.py',
    sem_seg='configs/semantic_fpn/semantic_fpn_r50_40k_bdd100k.py',
    box_track='configs/qdtrack/qdtrack_frcnn_r50_fpn_1x_bdd100k.py')
SAMPLES = osp.join(osp.dirname(ROOT), 'shared', 'bdd100k_samples', 'track', 'images')


def scale_options(task, size):
    scale = tuple(size)
    if task == 'box_track':
        return {'test_dataloader.dataset.pipeline.0.transforms.1.scale': scale}
    return {'test_dataloader.dataset.pipeline.1.scale': scale}


def make_inputs(folder, frames, size):
    import cv2
    paths = sorted(osp.join(SAMPLES, v, n) for v in sorted(os.listdir(SAMPLES))
                   for n in os.listdir(osp.join(SAMPLES, v)))
    video = osp.join(folder, 'video')
    os.makedirs(video)
    out = []
    for i in range(frames):
        path = osp.join(video, f'video-{i + 1:07d}.jpg')
        cv2.imwrite(path, cv2.resize(cv2.imread(paths[i % len(paths)]), tuple(size)))
        out.append(path)
    return video, out


def make_weights(task, path):
    import torch
    from bdd100k_zoo.apis import build_inferencer
    torch.manual_seed(0)
    model = build_inferencer(osp.join(ROOT, CONFIGS[task]), device='cpu').model
    torch.save(dict(state_dict=model.state_dict()), path)
    return path


def bare_loop(task, ckpt, paths, options):
    """mmdet / mmseg's own inference API, one frame at a time: frames/s."""
    import time
    import mmcv
    os.chdir(ROOT)
    config = CONFIGS[task]
    if task == 'sem_seg':
        from mmseg.apis import inference_model, init_model
        model = init_model(config, ckpt, device='cpu', cfg_options=options)
        step = lambda path, i: inference_model(model, path)  # noqa: E731
    elif task == 'box_track':
        from mmdet.apis import inference_mot, init_track_model
        from mmengine.config import Config
        cfg = Config.fromfile(config)
        cfg.merge_from_dict(options)
        model = init_track_model(cfg, ckpt, device='cpu')
        step = lambda path, i: inference_mot(model, mmcv.imread(path), i, len(paths))  # noqa
    else:
        from mmdet.apis import inference_detector, init_detector
        model = init_detector(config, ckpt, device='cpu', cfg_options=options)
        step = lambda path, i: inference_detector(model, path)  # noqa: E731
    step(paths[0], 0)  # warm-up
    start = time.perf_counter()
    for i, path in enumerate(paths):
        step(path, i)
    return len(paths) / (time.perf_counter() - start)


def zoo_loop(task, ckpt, folder, options, paint):
    """run_inference (tools/infer.py): frames/s, all outputs written."""
    import time
    import tempfile as tf
    from bdd100k_zoo.apis import build_inferencer, run_inference
    os.chdir(ROOT)
    inferencer = build_inferencer(CONFIGS[task], ckpt, device='cpu', cfg_options=options)
    first = osp.join(folder, sorted(os.listdir(folder))[0])
    with tf.TemporaryDirectory() as out:
        run_inference(inferencer, first, out, paint=paint, progress=False)  # warm-up
    with tf.TemporaryDirectory() as out:
        start = time.perf_counter()
        summary = run_inference(inferencer, folder, out, paint=paint, progress=False)
        seconds = time.perf_counter() - start
    return summary.frames / seconds


def main():
    parser = benchmark_parser(__doc__.split('\n')[0])
    parser.add_argument('--task', choices=sorted(CONFIGS), default='det')
    parser.add_argument('--frames', type=int, default=12)
    parser.add_argument('--size', default='640x360', help='frame size WxH')
    args = parser.parse_args()
    size = [int(v) for v in args.size.split('x')]
    options = scale_options(args.task, size)
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = measure(make_weights, args.task, osp.join(tmp, 'w.pth'))['result']
        folder, paths = make_inputs(tmp, args.frames, size)
        if args.task != 'box_track':
            folder = osp.dirname(paths[0])  # a folder of images
        bare = measure(bare_loop, args.task, ckpt, paths, options)['result']
        json_only = measure(zoo_loop, args.task, ckpt, folder, options, False)['result']
        painted = measure(zoo_loop, args.task, ckpt, folder, options, True)['result']
    figures = dict(task=args.task, frames=args.frames, size=args.size, device='cpu',
                   bare_fps=round(bare, 3), infer_json_fps=round(json_only, 3),
                   infer_painted_fps=round(painted, 3),
                   json_ratio=round(json_only / bare, 3), painted_ratio=round(painted / bare, 3))
    record(f'inference_{args.task}', figures, args.record)
    print(f'{args.task}, {args.frames} frames {args.size}, CPU: bare mmdet/mmseg loop '
          f'{bare:.3f} frames/s; tools/infer.py JSON only {json_only:.3f} frames/s '
          f'({json_only / bare:.2f}x), with painting + mp4 {painted:.3f} frames/s '
          f'({painted / bare:.2f}x)')


if __name__ == '__main__':
    main()
