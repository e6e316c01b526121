"""Checkpoint loading that keeps torch's ``weights_only=True`` safety on.

torch >= 2.6 unpickles checkpoints with ``weights_only=True``, which refuses
the few non-tensor types mmengine 0.10 writes into its checkpoints (the
message hub's ``HistoryBuffer`` with numpy arrays and scalars). Importing this
module allow-lists exactly those types and registers (``CheckpointLoader.register_scheme``,
mmengine's extension point) loaders for local files, so that resume, ``load_from`` and
``tools/test.py CKPT`` all load through the safe unpickler and a refused or truncated file
is reported by name, and for every scheme that downloads (``https://``, ``open-mmlab://``,
``torchvision://``, ``mmcls://``): mmengine hands those to torch.hub, which unpickles with
``weights_only=False``. ``vit2mmseg://<file>`` loads a timm / DeiT ViT and converts it with
mmseg's own converter, for the ViT, DeiT and DPT configs.
"""
import os
import os.path as osp
import pickle
import zipfile
from urllib.parse import urlparse

import numpy as np
import torch
from mmengine.dist import get_dist_info
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import (CheckpointLoader, _get_mmengine_home,
                                        _process_mmcls_checkpoint, get_deprecated_model_names,
                                        get_external_models, get_mmcls_models,
                                        get_torchvision_models)


def _numpy_globals() -> list:
    """The numpy objects a pickled ndarray / scalar refers to (uint32: the numpy
    generator state that :class:`~bdd100k_zoo.engine.hooks.RandomStateHook` saves; uint8:
    the keypoint / skeleton colours of mmpose's dataset meta, saved with a pose model)."""
    try:
        from numpy.core.multiarray import _reconstruct, scalar
    except ImportError:  # numpy >= 2
        from numpy._core.multiarray import _reconstruct, scalar
    dtypes = {type(np.dtype(t))
              for t in (np.float64, np.float32, np.int64, np.int32, np.uint32, np.uint8,
                        np.bool_)}
    return [np.ndarray, np.dtype, _reconstruct, scalar, *sorted(dtypes, key=str)]


def history_buffer_method(owner, name: str):
    """Stands in for ``builtins.getattr`` while unpickling a checkpoint.

    mmengine pickles ``HistoryBuffer``'s statistics methods as
    ``getattr(HistoryBuffer, 'mean')``; allowing the real ``getattr`` would
    let a checkpoint reach any attribute of any allowed object, so only
    these lookups are answered.
    """
    # the four built-in methods are only registered once a buffer exists
    methods = {'min', 'max', 'current', 'mean', *HistoryBuffer._statistics_methods}
    if owner is HistoryBuffer and name in methods:
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'getattr({owner!r}, {name!r}) is not allowed: only HistoryBuffer statistics methods')


#: Everything an mmengine 0.10 checkpoint holds beyond tensors and builtins.
MMENGINE_CHECKPOINT_GLOBALS = [HistoryBuffer, *_numpy_globals()]
torch.serialization.add_safe_globals(
    MMENGINE_CHECKPOINT_GLOBALS + [(history_buffer_method, 'builtins.getattr')])


class CheckpointError(RuntimeError):
    """A checkpoint file that cannot be (safely) loaded."""


@CheckpointLoader.register_scheme(prefixes='', force=True)
def load_from_local(filename: str, map_location=None) -> dict:
    """mmengine's local loader, with ``weights_only=True`` stated and errors
    that name the file."""
    filename = osp.expanduser(filename)
    if not filename:
        raise FileNotFoundError('no checkpoint file given (an empty name; an empty '
                                'last_checkpoint file?)')
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    with open(filename, 'rb') as f:
        head = f.read(4)
    # torch.save writes a zip archive (PK..); the legacy format and plain pickles start with
    # the pickle PROTO opcode 0x80. Anything else (text, an image, nothing) is no checkpoint.
    if not head.startswith((b'PK\x03\x04', b'\x80')):
        raise CheckpointError(
            f'{filename} is not a checkpoint: '
            + ('the file is empty' if not head else
               f'it starts with {head!r}, neither a torch zip archive nor a pickle')
            + ' (a config, log or download error page passed as CKPT?)')
    try:
        return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        raise CheckpointError(
            f'Refusing to load checkpoint {filename}: it holds objects outside the allow-list '
            f'of tensors and mmengine checkpoint types ({e}). Only load checkpoints you trust; '
            'never switch weights_only off for files from others.') from None
    except (RuntimeError, EOFError, zipfile.BadZipFile) as e:
        raise CheckpointError(
            f'Checkpoint {filename} cannot be read: it is truncated or corrupt ({e})') from None


def hub_cache_path(url: str, model_dir: str = None) -> str:
    """Where torch.hub (and so mmengine) keeps a downloaded file:
    ``$TORCH_HOME/hub/checkpoints/<file name>``."""
    model_dir = model_dir or osp.join(torch.hub.get_dir(), 'checkpoints')
    return osp.join(model_dir, osp.basename(urlparse(url).path))


def _fetch_once(url: str, cached: str, progress: bool) -> None:
    """Download ``url`` to ``cached`` on rank 0 first, then on any other node
    without it; a failed download fails every rank (no rank waits for it)."""
    from mmengine.dist import broadcast_object_list

    def fetch():
        if not osp.exists(cached):
            os.makedirs(osp.dirname(cached), exist_ok=True)
            torch.hub.download_url_to_file(url, cached, None, progress=progress)

    rank, world_size = get_dist_info()
    if world_size == 1:
        return fetch()
    failure = [None]
    if rank == 0:
        try:
            fetch()
        except OSError as e:  # URLError included
            failure = [e]
    broadcast_object_list(failure)
    if failure[0] is not None:
        raise failure[0]
    fetch()  # on a node that does not share rank 0's cache


@CheckpointLoader.register_scheme(prefixes=('http://', 'https://'), force=True)
def load_from_http(filename: str, map_location=None, model_dir=None,
                   progress: bool = os.isatty(0)) -> dict:
    """mmengine's http loader (rank 0 downloads into the hub cache,
    ``$TORCH_HOME/hub/checkpoints/<file name>``, first), loading the cached file
    like a local checkpoint."""
    cached = hub_cache_path(filename, model_dir)
    _fetch_once(filename, cached, progress)
    return load_from_local(cached, map_location)


_MODEL_ZOO_SCHEMES = ('open-mmlab://', 'openmmlab://', 'modelzoo://', 'torchvision://',
                      'mmcls://')


def model_zoo_url(filename: str) -> str:
    """A named OpenMMLab / torchvision weight file's URL (or path under the
    mmengine home), from mmengine's own tables as its loaders resolve it."""
    scheme, name = filename.split('://', 1)
    if scheme in ('open-mmlab', 'openmmlab'):
        return get_external_models()[get_deprecated_model_names().get(name, name)]
    if scheme == 'mmcls':
        return get_mmcls_models()[name]
    return get_torchvision_models()[name]


@CheckpointLoader.register_scheme(prefixes=_MODEL_ZOO_SCHEMES, force=True)
def load_from_model_zoo(filename: str, map_location=None) -> dict:
    """Named OpenMMLab / torchvision weights: the name resolved with mmengine's own
    tables, as its loaders do, then loaded by :func:`load_from_http`."""
    url = model_zoo_url(filename)
    if not url.startswith(('http://', 'https://')):  # a file under the mmengine home
        return load_from_local(osp.join(_get_mmengine_home(), url), map_location)
    checkpoint = load_from_http(url, map_location)
    return _process_mmcls_checkpoint(checkpoint) if filename.startswith('mmcls') else checkpoint


class InitialWeightsError(CheckpointError):
    """Initial weights of a config that are neither cached nor downloadable."""


def initial_weights(cfg: dict, key: str = 'model') -> list:
    """``[(config key that names them, checkpoint)]`` for every downloadable
    initial-weights file of a model config: ``init_cfg=dict(type='Pretrained',
    checkpoint=URL or scheme name)`` and mmseg's ``pretrained=``."""
    found = []
    if isinstance(cfg, dict):
        for name, value in cfg.items():
            path = f'{key}.{name}'
            if name == 'pretrained' and isinstance(value, str):
                found.append((path, value))
            elif name == 'init_cfg' and isinstance(value, dict) and \
                    value.get('type') == 'Pretrained' and isinstance(value.get('checkpoint'), str):
                found.append((path, value['checkpoint']))
            else:
                found += initial_weights(value, path)
    elif isinstance(cfg, (list, tuple)):
        for i, value in enumerate(cfg):
            found += initial_weights(value, f'{key}.{i}')
    return [(k, c) for k, c in found if c.startswith(('http://', 'https://', *_MODEL_ZOO_SCHEMES))]


def ensure_initial_weights(model_cfg: dict, progress: bool = os.isatty(0)) -> None:
    """Make sure every downloadable initial-weights file of ``model_cfg`` is in the
    hub cache (downloading what is missing) before a run builds anything else;
    else :class:`InitialWeightsError`, one line: the file, where it is looked up,
    and how to start from random weights instead."""
    for key, checkpoint in initial_weights(model_cfg):
        url = model_zoo_url(checkpoint) if checkpoint.startswith(_MODEL_ZOO_SCHEMES) \
            else checkpoint
        if not url.startswith(('http://', 'https://')):
            continue  # under the mmengine home: its loader names a missing file
        cached = hub_cache_path(url)
        try:
            _fetch_once(url, cached, progress)
        except OSError as e:
            reason = getattr(e, 'reason', None) or e.strerror or e
            raise InitialWeightsError(
                f'initial weights {osp.basename(cached)} ({key}={checkpoint}) are missing: '
                f'not in {osp.dirname(cached)} ($TORCH_HOME/hub/checkpoints) and the download '
                f'failed ({reason}); put the file there, or start from random weights with '
                f'--cfg-options {key}=None') from None


class CheckpointMismatchError(CheckpointError):
    """A checkpoint whose weights do not fit the model it is loaded into."""


#: How many keys of each kind an error message lists.
_SHOWN_KEYS = 5


def _listed(keys: list) -> str:
    more = f' (+{len(keys) - _SHOWN_KEYS} more)' if len(keys) > _SHOWN_KEYS else ''
    return ', '.join(keys[:_SHOWN_KEYS]) + more


def checkpoint_state_dict(checkpoint: dict, filename: str = '') -> dict:
    """The model weights of a loaded checkpoint: its ``state_dict`` (mmengine,
    mmcv 1.x) or the dict itself (a bare ``torch.save(model.state_dict())``),
    with DDP's ``module.`` prefix removed as mmengine's loader does."""
    if not isinstance(checkpoint, dict):
        raise CheckpointError(f'{filename} is not a checkpoint: it holds a '
                              f'{type(checkpoint).__name__}, not a dict of weights')
    state_dict = checkpoint.get('state_dict', checkpoint)
    if not isinstance(state_dict, dict) or not state_dict:
        raise CheckpointError(f'{filename} holds no model weights (empty "state_dict")')
    return {k[len('module.'):] if k.startswith('module.') else k: v
            for k, v in state_dict.items()}


def weights_mismatch(model: torch.nn.Module, state_dict: dict) -> dict:
    """{'missing': keys the model has and the weights lack, 'unexpected': the
    reverse, 'shape': 'key (checkpoint shape vs model shape)'}, each sorted."""
    own = model.state_dict()
    shape = [f'{k} {tuple(v.shape)} vs {tuple(own[k].shape)}' for k, v in state_dict.items()
             if k in own and hasattr(v, 'shape') and tuple(v.shape) != tuple(own[k].shape)]
    return dict(missing=sorted(set(own) - set(state_dict)),
                unexpected=sorted(set(state_dict) - set(own)), shape=sorted(shape))


def fit_weights(model: torch.nn.Module, checkpoint: dict, filename: str,
                config: str = None) -> None:
    """Load a loaded checkpoint's weights into ``model``, every key and shape
    matching, else :class:`CheckpointMismatchError` naming ``filename`` (and
    ``config``) and the first missing, unexpected and shape-mismatched keys."""
    state_dict = checkpoint_state_dict(checkpoint, filename)
    problems = weights_mismatch(model, state_dict)
    if any(problems.values()):
        found = '; '.join(f'{what} keys: {_listed(keys)}' if what != 'shape' else
                          f'shape mismatch (checkpoint vs model): {_listed(keys)}'
                          for what, keys in problems.items() if keys)
        target = f'the model of {config}' if config else f'the {type(model).__name__} model'
        raise CheckpointMismatchError(
            f'Checkpoint {filename} does not fit {target} ({len(state_dict)} weights in the '
            f'checkpoint, {len(model.state_dict())} in the model); {found}. Is it a checkpoint '
            'of this config (same task, number of classes, architecture)?')
    model.load_state_dict(state_dict, strict=True)



def _mmseg_converter(name: str):
    """A converter that mmseg ships as a script (``.mim/tools/model_converters``),
    loaded from the installed package: mmseg's ViT, DeiT and DPT configs name
    weights converted with it, never the published files themselves."""
    import importlib.util

    import mmseg
    path = osp.join(osp.dirname(mmseg.__file__), '.mim', 'tools', 'model_converters',
                    f'{name}.py')
    spec = importlib.util.spec_from_file_location(f'mmseg_model_converters_{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@CheckpointLoader.register_scheme(prefixes='vit2mmseg://')
def load_vit_from_timm(filename: str, map_location=None) -> dict:
    """``vit2mmseg://<URL or file>``: a timm / DeiT ImageNet ViT (``blocks.*``,
    ``patch_embed.proj``) as mmseg's ``VisionTransformer`` names its weights
    (``layers.*``, ``patch_embed.projection``), converted on load exactly as
    mmseg's ``tools/model_converters/vit2mmseg.py`` converts the file; the file
    itself is found (or downloaded) by its own scheme, e.g. in the hub cache."""
    source = filename[len('vit2mmseg://'):]
    checkpoint = CheckpointLoader.load_checkpoint(source, map_location=map_location)
    # timm files are bare state dicts, DeiT's hold it under 'model' (as vit2mmseg.py reads them)
    state_dict = checkpoint.get('state_dict', checkpoint.get('model', checkpoint))
    if not isinstance(state_dict, dict) or 'patch_embed.proj.weight' not in state_dict:
        raise CheckpointError(f'{source} is not a timm / DeiT ViT checkpoint (no '
                              '"patch_embed.proj.weight"): nothing for vit2mmseg to convert')
    return _mmseg_converter('vit2mmseg').convert_vit(state_dict)
