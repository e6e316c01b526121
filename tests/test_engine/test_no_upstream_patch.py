"""Importing bdd100k_zoo, and running the tools, changes nothing in mmengine,
mmdet or mmseg: no class attribute, module function or module-level dict of
theirs is replaced or altered (issue #23). The zoo extends them through
registries, subclasses, hooks and configs only.

A fresh process imports every module of the three packages it can, takes a
snapshot, imports the package, trains a zoo config for one iteration with
``tools/train.py`` and evaluates it with ``tools/test.py --show-dir`` (the real
samples, tiny, CPU), and compares. Two registrations through the stack's own
tables are expected and checked to be ours: the loaders of
``CheckpointLoader.register_scheme`` and the one ``MODULE2PACKAGE`` entry that
makes ``bdd100k_zoo::`` a config scope (bdd100k_zoo/config.py says why).
"""
import json
import os.path as osp
import subprocess
import sys

from helpers import FRCNN_CONFIG, REPO, sample_options

SCRIPT = r'''
import importlib, inspect, json, pkgutil, sys, warnings
warnings.filterwarnings('ignore')
PACKAGES = ('mmengine', 'mmdet', 'mmseg')
PLAIN = (str, bytes, int, float, bool, type(None))

for package in PACKAGES:
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, package + '.', onerror=lambda name: None):
        try:
            importlib.import_module(info.name)
        except BaseException:  # optional dependencies
            pass


def ident(value):
    """What identifies a value: callables by id, plain data by value; None for
    instances (run-time state such as the loggers a Runner creates)."""
    if isinstance(value, (staticmethod, classmethod)):
        return ['func', id(value.__func__)]
    if isinstance(value, property):
        return ['property', id(value.fget), id(value.fset), id(value.fdel)]
    if inspect.isroutine(value) or inspect.isclass(value):
        return ['func', id(value)]
    if isinstance(value, PLAIN) or (isinstance(value, tuple)
                                   and all(isinstance(v, PLAIN) for v in value)):
        return ['value', repr(value)]
    if isinstance(value, dict) and len(value) <= 2000:
        return ['dict', {repr(k): i for k, v in value.items() for i in [ident(v)] if i}]
    return None


def snapshot():
    snap, dicts = {}, set()
    for name, module in list(sys.modules.items()):
        if name.split('.')[0] not in PACKAGES or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if attr.startswith('__'):
                continue
            if inspect.isclass(value) and value.__module__ == name:
                for member, item in list(vars(value).items()):
                    if member not in ('__dict__', '__weakref__', '__doc__'):
                        snap[f'{name}.{attr}.{member}'] = ident(item)
            if isinstance(value, dict):  # one entry per dict, not per name importing it
                if id(value) in dicts:
                    continue
                dicts.add(id(value))
            snap[f'{name}.{attr}'] = ident(value)
    return {k: v for k, v in snap.items() if v is not None}


from mmengine.logging import HistoryBuffer  # noqa: E402
HistoryBuffer()  # mmengine fills its class-level table of statistics with the first buffer
before = snapshot()
import bdd100k_zoo  # noqa: E402
sys.path.insert(0, 'tools')
for tool, argv in json.loads(sys.argv[1]):
    sys.argv = [tool + '.py'] + argv
    importlib.import_module(tool).main()
after = snapshot()

changed = {}
for key in sorted(set(before) | set(after)):
    if key not in after:
        continue  # a module or class attribute deleted by the stack itself
    old, new = before.get(key), after[key]
    if old == new:
        continue
    if old and new and old[0] == new[0] == 'dict':
        added = {k: v for k, v in new[1].items() if old[1].get(k) != v}
        removed = [k for k in old[1] if k not in new[1]]
        changed[key] = dict(changed=sorted(added), removed=removed)
    else:
        changed[key] = dict(before=old, after=new)

from mmengine.runner.checkpoint import CheckpointLoader  # noqa: E402
ours = sorted(p for p, loader in CheckpointLoader._schemes.items()
              if loader.__module__.startswith('bdd100k_zoo'))
print('RESULT ' + json.dumps(dict(changed=changed, our_schemes=ours)))
'''

SCHEMES = 'mmengine.runner.checkpoint.CheckpointLoader._schemes'
SCOPES = ('MODULE2PACKAGE', 'PKG2PROJECT')  # mmengine.config.utils


def test_the_tools_leave_mmengine_mmdet_and_mmseg_as_they_are(detect_sample, tmp_path):
    opts = sample_options(*detect_sample, train_frames=1, test_frames=1) + [
        'default_hooks.checkpoint.interval=1', 'train_cfg.val_interval=10']
    work_dir = str(tmp_path / 'work')
    runs = [('train', [FRCNN_CONFIG, '--work-dir', work_dir, '--cfg-options', *opts]),
            ('test', [FRCNN_CONFIG, osp.join(work_dir, 'epoch_1.pth'), '--work-dir', work_dir,
                      '--show-dir', 'painted', '--cfg-options', *opts])]
    proc = subprocess.run([sys.executable, '-c', SCRIPT, json.dumps(runs)], cwd=REPO,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    result = json.loads(proc.stdout.split('RESULT ')[-1])
    changed = result['changed']
    # the two registrations through the stack's tables, and nothing else
    scopes = [k for k in changed if k.endswith(SCOPES)]  # the dict, under one of its names
    assert len(scopes) == 1 and changed.pop(scopes[0]) == dict(changed=["'bdd100k_zoo'"],
                                                               removed=[])
    schemes = changed.pop(SCHEMES, dict(changed=[], removed=[]))
    assert not schemes['removed'] and {eval(p) for p in schemes['changed']} <= set(
        result['our_schemes'])
    assert not changed, 'changed upstream:\n' + '\n'.join(
        f'{key}: {what}' for key, what in changed.items())
    assert {'', 'https://', 'open-mmlab://', 'torchvision://'} <= set(result['our_schemes'])
