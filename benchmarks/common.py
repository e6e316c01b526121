"""Shared pieces of the benchmarks: measuring a function's wall time and peak
RSS in a fresh process, and recording the figures. The BDD100K-scale label
files come from :mod:`bdd100k_zoo.testing`."""
import json
import multiprocessing as mp
import os
import os.path as osp
import threading
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
RESULTS = osp.join(ROOT, 'results', 'benchmarks.json')


def _memory_mb(field):
    """``VmRSS`` (now) or ``VmHWM`` (peak) of this process. Not
    ``getrusage``'s ``ru_maxrss``: Linux carries the parent's peak into it
    across fork and exec, so a spawned child would report the benchmark
    driver's peak (hundreds of MB of generated labels) as its own."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f'no {field} in /proc/self/status')


def _tree_pss_mb():
    """Proportional set size of this process and its child processes: what
    they occupy together, pages they share (fork) counted once."""
    pids = {str(os.getpid())}
    for task in os.listdir('/proc/self/task'):
        try:
            with open(f'/proc/self/task/{task}/children') as f:
                pids.update(f.read().split())
        except OSError:  # the thread has just ended
            pass
    total = 0
    for pid in pids:
        try:
            with open(f'/proc/{pid}/smaps_rollup') as f:
                total += next(int(line.split()[1]) for line in f if line.startswith('Pss:'))
        except (OSError, StopIteration):  # the child has just exited
            pass
    return total / 1024


class _TreeSampler(threading.Thread):
    """The peak of :func:`_tree_pss_mb`, sampled every ``interval`` seconds."""

    def __init__(self, interval=0.2):
        super().__init__(daemon=True)
        self.interval, self.peak, self.done = interval, _tree_pss_mb(), threading.Event()

    def run(self):
        while not self.done.wait(self.interval):
            self.peak = max(self.peak, _tree_pss_mb())


def _child(conn, setup, fn, args, tree):
    if setup is not None:
        setup()
    with open('/proc/self/clear_refs', 'w') as f:
        f.write('5')  # VmHWM := VmRSS: the peak counts from here, not the imports' transient peak
    base = _memory_mb('VmRSS')
    sampler = _TreeSampler() if tree else None
    if sampler:
        tree_base = sampler.peak
        sampler.start()
    start = time.perf_counter()
    result = fn(*args)
    wall = time.perf_counter() - start
    peak = _memory_mb('VmHWM')
    out = dict(wall_s=wall, peak_rss_mb=peak - base, result=result)
    if sampler:
        sampler.done.set()
        sampler.join()
        out['peak_tree_pss_mb'] = max(sampler.peak, _tree_pss_mb()) - tree_base
    conn.send(out)


def measure(fn, *args, setup=None, tree=False):
    """Run ``fn(*args)`` in a fresh process, after ``setup()`` (imports, not
    timed): wall time, peak RSS above the post-setup RSS, and the return value;
    with ``tree``, also the peak memory of the process with the processes it
    starts (``peak_tree_pss_mb``, sampled: PSS, shared pages counted once)."""
    ctx = mp.get_context('spawn')
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_child, args=(child, setup, fn, args, tree))
    proc.start()
    child.close()  # so that a child that dies ends recv() with EOFError
    try:
        out = parent.recv()
    except EOFError:
        proc.join()
        raise RuntimeError(f'{fn.__name__} failed in its process (exit code '
                           f'{proc.exitcode}); its traceback is above') from None
    proc.join()
    return out


def parser(description):
    """The benchmarks' argument parser: each adds its own sizes to it."""
    import argparse
    p = argparse.ArgumentParser(description=description)
    p.add_argument('--record', action='store_true',
                   help='write the figures into results/benchmarks.json, the project\'s '
                   'recorded figures (default: print only)')
    return p


def record(section, figures, write=False, path=None, merge=False):
    """Write one benchmark's figures into results/benchmarks.json (``path``) when
    ``write`` (``--record``); a quick or exploratory run only prints them. With
    ``merge`` the section's other entries (e.g. tasks not run now) stay."""
    path = path or RESULTS
    if not write:
        print(f'{section}: not recorded (add --record to update {osp.relpath(path, ROOT)})')
        return None
    data = {}
    if osp.exists(path):
        with open(path) as f:
            data = json.load(f)
    kept = data.get(section, {}) if merge else {}
    data[section] = dict(kept, **figures, measured=time.strftime('%Y-%m-%d %H:%M'),
                         cpus=os.cpu_count())
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path + '.tmp', 'w') as f:
        json.dump(data, f, indent=2, sort_keys=True)
    os.replace(path + '.tmp', path)
    print(f'{section}: recorded in {osp.relpath(path, ROOT)}')
    return path
