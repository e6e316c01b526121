"""Training speed: the zoo's Faster R-CNN against mmdet's stock
``faster-rcnn_r50_fpn_1x_coco.py`` on the same images and batches (GPU), and
the zoo dataloader's images/s on the CPU alone.

    python benchmarks/bench_train_speed.py [--iters 50] [--batch-size 2] [--workers 0 2 4]

Images: the real 1280x720 BDD100K frame of ``../shared/bdd100k_samples/detect``
with its labels, under ``--images`` names (the JPEG is decoded anew for each).

- dataloader: the zoo config's training dataloader (BDD100K dataset, its
  pipeline: decode, resize, flip, pack), per number of worker processes;
  compare it with the GPU's images/s to see whether the workers keep up.
- GPU (skipped with a message where torch sees no CUDA device): both models
  from the same random initialisation path (no pretrained download), the same
  pre-loaded batches, ``train_step`` timed after ``--warmup`` steps, the two
  alternating over ``--rounds`` rounds; images/s and peak GPU memory, and the
  zoo / stock ratio (target: within 5%).
"""
import json
import os
import os.path as osp
import sys
import tempfile
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from benchmarks.common import parser as benchmark_parser  # noqa: E402
from benchmarks.common import ROOT, record  # noqa: E402

ZOO = osp.join(ROOT, 'configs/faster_rcnn/faster_rcnn_r50_1x_bdd100k.py')
STOCK = 'faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py'  # in mmdet's configs
SAMPLE = osp.join(osp.dirname(ROOT), 'shared', 'bdd100k_samples', 'detect')


def make_images(out_dir, count):
    """``count`` names for the sample frame (symlinks) and a det_20 label file."""
    with open(osp.join(SAMPLE, 'labels', 'annotation.json')) as f:
        frame = json.load(f)[0]
    image = osp.join(SAMPLE, 'images', frame['name'])
    frames = []
    for i in range(count):
        name = f'{i:06d}.jpg'
        os.symlink(image, osp.join(out_dir, name))
        frames.append(dict(frame, name=name))
    ann = osp.join(out_dir, 'labels.json')
    with open(ann, 'w') as f:
        json.dump(frames, f)
    return ann


def zoo_loader(ann, img_dir, batch_size, workers):
    from mmengine.config import Config
    from mmengine.runner import Runner
    cfg = Config.fromfile(ZOO).train_dataloader
    cfg.update(batch_size=batch_size, num_workers=workers, persistent_workers=False)
    cfg.dataset.update(data_root='', ann_file=ann, data_prefix=dict(img=img_dir))
    return Runner.build_dataloader(cfg, seed=0)


def dataloader_images_per_s(ann, img_dir, batch_size, workers, batches):
    """Images/s of the training dataloader, after its first batch (worker start)."""
    loader = zoo_loader(ann, img_dir, batch_size, workers)
    done, start, it = 0, None, iter(loader)
    while done < batches:
        try:
            next(it)
        except StopIteration:
            it = iter(loader)
            continue
        if start is None:
            start = time.perf_counter()
        else:
            done += 1
    return done * batch_size / (time.perf_counter() - start)


def build_model(config):
    import torch
    from mmdet.registry import MODELS
    from mmengine.config import Config
    from mmengine.optim import build_optim_wrapper
    cfg = Config.fromfile(config)
    cfg.model.backbone.init_cfg = None  # no download: speed does not depend on the values
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model = model.cuda().train()
    return model, build_optim_wrapper(model, cfg.optim_wrapper)


def gpu_images_per_s(models, batches, iters, warmup, rounds, batch_size):
    """Alternates the models; per model: images/s (median round) and peak memory."""
    import statistics

    import torch
    speeds = {name: [] for name in models}
    peaks = {}
    for _ in range(rounds):
        for name, (model, optim) in models.items():
            torch.cuda.reset_peak_memory_stats()
            for i in range(warmup + iters):
                if i == warmup:
                    torch.cuda.synchronize()
                    start = time.perf_counter()
                model.train_step(batches[i % len(batches)], optim)
            torch.cuda.synchronize()
            speeds[name].append(iters * batch_size / (time.perf_counter() - start))
            peaks[name] = max(peaks.get(name, 0), torch.cuda.max_memory_allocated() / 2**20)
    return {name: dict(images_per_s=statistics.median(v), peak_gpu_memory_mb=peaks[name])
            for name, v in speeds.items()}


def main():
    parser = benchmark_parser(__doc__.split('\n')[0])
    parser.add_argument('--iters', type=int, default=50, help='timed GPU steps per round')
    parser.add_argument('--warmup', type=int, default=10)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--batch-size', type=int, default=2, help='per GPU, as the config')
    parser.add_argument('--workers', type=int, nargs='+', default=[0, 2])
    parser.add_argument('--loader-batches', type=int, default=20)
    parser.add_argument('--images', type=int, default=64)
    args = parser.parse_args()
    if not osp.isdir(SAMPLE):
        sys.exit(f'{SAMPLE} is absent: the benchmark trains on its real BDD100K frame')

    import torch
    import bdd100k_zoo  # noqa: F401
    from mmengine.registry import init_default_scope
    init_default_scope('mmdet')
    figures = dict(batch_size=args.batch_size, image_size='1280x720')
    with tempfile.TemporaryDirectory() as tmp:
        ann = make_images(tmp, args.images)
        figures['dataloader_images_per_s'] = {
            str(w): round(dataloader_images_per_s(ann, tmp, args.batch_size, w,
                                                  args.loader_batches), 2)
            for w in args.workers}
        for w, speed in figures['dataloader_images_per_s'].items():
            print(f'dataloader, {w} worker processes: {speed:.1f} images/s')

        if not torch.cuda.is_available():
            print('GPU part skipped: torch sees no CUDA device '
                  f'(torch {torch.__version__}, CUDA {torch.version.cuda})')
        else:
            loader = zoo_loader(ann, tmp, args.batch_size, 0)
            batches = [b for b, _ in zip(loader, range(8))]
            import mmdet
            stock = osp.join(osp.dirname(mmdet.__file__), '.mim', 'configs', STOCK)
            models = {'zoo': build_model(ZOO), 'stock': build_model(stock)}
            gpu = gpu_images_per_s(models, batches, args.iters, args.warmup, args.rounds,
                                   args.batch_size)
            ratio = gpu['zoo']['images_per_s'] / gpu['stock']['images_per_s']
            figures.update(gpu=torch.cuda.get_device_name(), train=gpu,
                           zoo_vs_stock_speed=round(ratio, 3))
            for name, fig in gpu.items():
                print(f'{name}: {fig["images_per_s"]:.1f} images/s, peak GPU memory '
                      f'{fig["peak_gpu_memory_mb"]:.0f} MB')
            print(f'zoo / stock training speed: {ratio:.3f} (target >= 0.95)')
    record('train_speed', figures, args.record)


if __name__ == '__main__':
    main()
