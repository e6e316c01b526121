"""Memory of dataloader workers: the project's dataset vs a plain
list-of-dicts dataset over the same BDD100K-scale labels.

    python benchmarks/bench_worker_memory.py [--scale 1.0] [--workers 0 2 4] [--record]

Every worker walks the whole dataset; then the total PSS and USS (private
memory) of the worker processes is read from /proc. A list of Python dicts
is copied page by page into each worker as reference counts are touched;
mmengine's serialized data list (one numpy byte buffer) stays shared.
"""
import json
import os.path as osp
import sys
import tempfile

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from benchmarks.common import record  # noqa: E402
from benchmarks.common import parser as benchmark_parser  # noqa: E402
from bdd100k_zoo.testing import generate_det_labels  # noqa: E402


class PlainDataset:
    """The straightforward dataset: the parsed JSON, one dict per frame."""

    def __init__(self, path):
        with open(path) as f:
            self.frames = json.load(f)

    def __len__(self):
        return len(self.frames)

    def __getitem__(self, idx):
        frame = self.frames[idx]
        return len(frame['labels'])


class ProjectDataset:
    """The project's detection dataset, as the training pipeline sees it."""

    def __init__(self, path):
        import bdd100k_zoo  # noqa: F401
        from bdd100k_zoo.datasets import BDD100KDetDataset
        self.dataset = BDD100KDetDataset(ann_file=path, data_prefix=dict(img=''), pipeline=[],
                                         test_mode=True)

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, idx):
        return len(self.dataset[idx]['instances'])


def _memory_mb(pid):
    fields = {}
    with open(f'/proc/{pid}/smaps_rollup') as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                fields[parts[0].rstrip(':')] = int(parts[1]) / 1024
    return fields['Pss'], fields['Private_Clean'] + fields['Private_Dirty']


def worker_memory(dataset, num_workers):
    import torch
    if num_workers == 0:
        return 0.0, 0.0
    loader = torch.utils.data.DataLoader(dataset, batch_size=64, num_workers=num_workers,
                                         collate_fn=len, persistent_workers=True)
    it = iter(loader)
    total = sum(1 for _ in it)
    assert total > 0
    pss = uss = 0.0
    for worker in it._workers:
        p, u = _memory_mb(worker.pid)
        pss, uss = pss + p, uss + u
    del it, loader
    return pss, uss


def main():
    parser = benchmark_parser(__doc__.splitlines()[0])
    parser.add_argument('--scale', type=float, default=1.0)
    parser.add_argument('--workers', type=int, nargs='+', default=[1, 2, 4])
    args = parser.parse_args()
    figures, lines = {}, []
    with tempfile.TemporaryDirectory() as tmp:
        path = generate_det_labels(osp.join(tmp, 'det_train.json'), int(70000 * args.scale),
                                   int(1290000 * args.scale))
        for name, cls in (('project', ProjectDataset), ('plain', PlainDataset)):
            dataset = cls(path)
            figures[name] = {}
            for n in args.workers:
                pss, uss = worker_memory(dataset, n)
                figures[name][str(n)] = dict(pss_mb=round(pss, 1), uss_mb=round(uss, 1))
            del dataset
    for n in args.workers:
        p, q = figures['project'][str(n)], figures['plain'][str(n)]
        lines.append(f'{n} workers: project PSS {p["pss_mb"]:.0f} MB / USS {p["uss_mb"]:.0f} MB, '
                     f'plain PSS {q["pss_mb"]:.0f} MB / USS {q["uss_mb"]:.0f} MB '
                     f'(plain/project USS {q["uss_mb"] / max(p["uss_mb"], 1e-6):.1f}x)')
    first, last = (figures['project'][str(n)]['uss_mb'] for n in (args.workers[0],
                                                                 args.workers[-1]))
    lines.append(f'project USS per worker: {first / args.workers[0]:.0f} MB at '
                 f'{args.workers[0]}, {last / args.workers[-1]:.0f} MB at {args.workers[-1]}')
    record('worker_memory', dict(figures, scale=args.scale), args.record)
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
