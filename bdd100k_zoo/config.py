"""Loading a zoo config as every tool does: ``--cfg-options`` and ``--data-root``.

A config composes its paths from one ``data_root`` variable, but mmengine
resolves config variables when the file is read: ``--cfg-options
data_root=DIR`` alone changes the variable and none of the paths built from
it. :func:`set_data_root` moves all of them at once: every dataset's
``data_root`` (wrapped ones too, e.g. ``VideoMixDataset``; the box-tracking
``image_sources`` are relative to it) and every evaluator's ground truth
(``ann_file``) that lay under the old root. ``tools/train.py``, ``test.py``,
``browse_dataset.py`` and ``infer.py`` take it as ``--data-root DIR``
(``--cfg-options data_root=DIR`` does the same).

``bdd100k_zoo::`` is a config scope like ``mmdet::``: the configs ship as
package data in ``bdd100k_zoo/.mim/configs`` (as mmdet's and mmseg's do), so
``_base_ = 'bdd100k_zoo::faster_rcnn/faster_rcnn_r50_1x_bdd100k.py'`` and
``mmengine.hub.get_config`` take such names once the package is imported, and
the tools take them as CONFIG.
"""
import os
import os.path as osp
from typing import Iterator, List, Optional, Sequence

from mmengine.config import Config
from mmengine.config.utils import MODULE2PACKAGE, _get_package_and_cfg_path
from mmengine.logging import print_log
from mmengine.utils import get_installed_path

SCOPE = 'bdd100k_zoo'
PACKAGE_DIR = osp.dirname(osp.abspath(__file__))


# mmengine asserts that a scope is one of the packages it lists (MODULE2PACKAGE has no
# registration function): our one entry is the only way to name zoo configs by scope. No
# lookup function is replaced: mmengine finds the package with pkg_resources / find_spec
# (tools/setup_env.sh installs it so that they do).
MODULE2PACKAGE.setdefault(SCOPE, SCOPE)


def resolve_config_path(path: str) -> str:
    """``<scope>::<config>`` -> the file in that package's ``.mim/configs``
    (other paths unchanged); the zoo's scope is the imported package."""
    if '::' not in path or osp.exists(path):
        return path
    package, cfg_path = _get_package_and_cfg_path(path)
    root = PACKAGE_DIR if package == SCOPE else get_installed_path(package)
    resolved = osp.join(root, '.mim', 'configs', cfg_path)
    if not osp.isfile(resolved):
        raise FileNotFoundError(f'{path}: no config {cfg_path} in {osp.dirname(resolved)}')
    return resolved


DATALOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
EVALUATORS = ('val_evaluator', 'test_evaluator')


def load_config(path: str, cfg_options: Optional[dict] = None,
                data_root: Optional[str] = None) -> Config:
    """``Config.fromfile(path)`` merged with ``cfg_options`` (as mmdet's tools
    do), then moved to ``data_root`` (``--data-root``, or ``data_root`` among
    the options) with :func:`set_data_root`."""
    cfg = Config.fromfile(resolve_config_path(path))
    options = dict(cfg_options or {})
    data_root = options.pop('data_root', None) if data_root is None else data_root
    options.pop('data_root', None)
    if options:
        cfg.merge_from_dict(options)
    if data_root is not None:
        set_data_root(cfg, data_root)
    return cfg


def _datasets(dataset) -> Iterator[dict]:
    """A dataset config and those it wraps (``dataset=`` / ``datasets=``)."""
    if not isinstance(dataset, dict):
        return
    yield dataset
    yield from _datasets(dataset.get('dataset'))
    for inner in dataset.get('datasets') or ():
        yield from _datasets(inner)


def _metrics(evaluator) -> Iterator[dict]:
    """The metric configs of an evaluator config (one, a list, or ``metrics=``)."""
    if isinstance(evaluator, (list, tuple)):
        for item in evaluator:
            yield from _metrics(item)
    elif isinstance(evaluator, dict):
        if 'metrics' in evaluator:
            yield from _metrics(evaluator['metrics'])
        else:
            yield evaluator


def _under(path: str, roots: Sequence[str]) -> Optional[str]:
    """``path`` relative to the first of ``roots`` it lies under, else None."""
    for root in roots:
        prefix = root.rstrip('/') + '/'
        if path.startswith(prefix):
            return path[len(prefix):]
        if path.rstrip('/') == root.rstrip('/'):
            return ''
    return None


def set_data_root(cfg: Config, data_root: str) -> List[str]:
    """Point everything ``cfg`` reads from its data root at ``data_root``.

    Every dataset config of the three dataloaders gets ``data_root`` (its
    ``ann_file`` / ``data_prefix`` / ``image_sources`` stay relative to it, as
    BDD100K lays them out); every evaluator ``ann_file`` under the config's old
    root (its ``data_root`` variable or a dataset's) moves along. Absolute paths
    elsewhere are the user's choice and stay. Returns what changed, for the log.
    """
    data_root = data_root.rstrip('/') + '/'
    datasets = [(key, d) for key in DATALOADERS if isinstance(cfg.get(key), dict)
                for d in _datasets(cfg[key].get('dataset'))]
    roots = [r for r in [cfg.get('data_root')] + [d.get('data_root') for _, d in datasets]
             if isinstance(r, str) and r.strip('/')]
    roots = sorted(set(roots), key=len, reverse=True)  # the most specific first
    changed, seen, moves = [], set(), {}
    for key, dataset in datasets:
        old = dataset.get('data_root')
        if old is not None and old != data_root:  # (a wrapper has none)
            moves.setdefault(old, []).append(key.replace('_dataloader', ''))
        if id(dataset) in seen:  # test_dataloader = val_dataloader may share objects
            continue
        seen.add(id(dataset))
        if old != data_root:
            changed.append(f'{dataset.get("type")}.data_root: {old!r}')
        dataset['data_root'] = data_root
    for key in EVALUATORS:
        for metric in _metrics(cfg.get(key)):
            ann_file = metric.get('ann_file')
            if id(metric) in seen or not isinstance(ann_file, str):
                continue
            seen.add(id(metric))
            rest = _under(ann_file, roots)
            if rest is not None:
                metric['ann_file'] = osp.join(data_root, rest)
                changed.append(f'{key}.ann_file: {ann_file!r}')
                moves.setdefault(ann_file[:len(ann_file) - len(rest)], []).append(
                    f'{key}.ann_file')
    cfg.data_root = data_root
    if int(os.environ.get('RANK', '0')) == 0:  # once per run, not once per process
        print_log('--data-root: ' + ('; '.join(
            f'{old!r} -> {data_root!r} ({", ".join(dict.fromkeys(what))})'
            for old, what in moves.items()) or f'{data_root!r}, nothing to move'),
            logger='current')
    return changed
