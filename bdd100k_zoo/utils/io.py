"""How the package writes files a user keeps: nothing half-written under the
final name (:func:`atomic_path`, the one write-to-temp-and-rename), nothing
deleted that a run of this package did not write (folders it fills carry a
marker beside them, and only such a folder is ever replaced), and a target
that cannot be written found before hours of inference (:func:`check_writable`).
"""
import json
import math
import os
import os.path as osp
import shutil
import zipfile
from contextlib import contextmanager
from typing import Any, Iterable, Iterator

#: Suffix of the marker written beside every folder a submission writer fills;
#: only such a folder is ever replaced.
MARKER = '.bdd100k_zoo_submission'


class OutputError(OSError):
    """An output target that cannot be written (or must not be overwritten)."""


@contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """A temporary path to write ``path``'s content to (for writers that take
    a path: ``cv2.imwrite``, ``torch.save``, ``cv2.VideoWriter``), renamed to
    ``path`` when the block ends without error; on any error it is removed
    and ``path`` keeps what it held."""
    stem, suffix = osp.splitext(path)
    tmp = f'{stem}.tmp-{os.getpid()}{suffix}'
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        if osp.lexists(tmp):
            os.remove(tmp)
        raise


@contextmanager
def atomic_write(path: str, mode: str = 'w') -> Iterator[Any]:
    """``open(path, mode)`` through :func:`atomic_path`: the data appears
    under ``path`` only once written completely."""
    with atomic_path(path) as tmp, open(tmp, mode) as f:
        yield f


def write_json(path: str, obj: Any, **kwargs) -> None:
    """``json.dump`` through :func:`atomic_write`, refusing NaN (not JSON)."""
    with atomic_write(path) as f:
        json.dump(obj, f, allow_nan=False, **kwargs)


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float replaced by None (``null``): a
    metric undefined here (e.g. MOTA of a class absent from the ground truth)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def marker(folder: str) -> str:
    """The marker file of a submission folder: ``<parent>/.<name>.bdd100k_zoo_submission``
    (beside the folder, not in it: the official bitmask evaluation reads
    every file of the folder)."""
    folder = osp.abspath(folder)
    return osp.join(osp.dirname(folder), f'.{osp.basename(folder)}{MARKER}')


def _mark(folder: str) -> None:
    with atomic_write(marker(folder)) as f:
        f.write(f'{osp.basename(folder)}/ was written by bdd100k_zoo; the next submission '
                'written there replaces it\n')


def is_ours(folder: str) -> bool:
    """Whether ``folder`` was written by a submission writer of this package."""
    return osp.isfile(marker(folder))


def check_prefix(prefix: str) -> str:
    """An output prefix names files, not a folder: ``W/`` would write ``W/.json``
    (or take the work dir ``W`` for a submission folder)."""
    if prefix.endswith(('/', os.sep)) or osp.basename(prefix) in ('', '.', '..'):
        raise OutputError(f'outfile_prefix {prefix!r} ends in a folder; it is a prefix of file '
                          f'names: e.g. {osp.join(prefix, "preds")!r} writes '
                          f'{osp.join(prefix, "preds")}.json / .zip')
    return prefix


def check_writable(files: Iterable[str] = (), folders: Iterable[str] = ()) -> None:
    """Fail now, before hours of inference, if an output cannot be written:
    the parent folder cannot be created or written, a file target is a folder,
    or a folder target exists without being an earlier submission of ours."""
    for path in list(files) + list(folders):
        parent = osp.dirname(osp.abspath(path))
        try:
            os.makedirs(parent, exist_ok=True)
            probe = osp.join(parent, f'.write-test-{os.getpid()}')
            with open(probe, 'w') as f:
                f.write('ok')
            os.remove(probe)
        except OSError as e:
            raise OutputError(f'cannot write {path}: {parent} is not a writable folder '
                              f'({e})') from None
    for path in files:
        if osp.isdir(path):
            raise OutputError(f'cannot write {path}: a folder of that name exists')
    for folder in folders:
        if osp.exists(folder) and not (osp.isdir(folder) and is_ours(folder)):
            what = sorted(os.listdir(folder))[:5] if osp.isdir(folder) else 'a file'
            raise OutputError(
                f'refusing to write the submission folder {folder}: it exists and was not '
                f'written by a bdd100k_zoo submission writer (no marker {marker(folder)}; it '
                f'holds {what}). '
                'Choose another --outfile-prefix or remove it yourself.')


def new_folder(folder: str, clear: bool = True) -> str:
    """A marked scratch folder ``<folder>.partial`` to write a new submission
    into; :func:`replace_folder` swaps it in. With ``clear``, a leftover one
    of an interrupted run (marked) is emptied first; distributed writers,
    which share it, pass False and drop stale files at the end."""
    tmp = f'{folder}.partial'
    if clear and osp.lexists(tmp) and not is_ours(tmp):
        raise OutputError(f'refusing to write into {tmp}: it exists and is not a bdd100k_zoo '
                          f'scratch folder (no marker {marker(tmp)})')
    if clear and osp.isdir(tmp):
        shutil.rmtree(tmp)
    os.makedirs(tmp, exist_ok=True)
    _mark(tmp)
    return tmp


def replace_folder(tmp: str, folder: str) -> None:
    """Move the finished ``tmp`` to ``folder``. An existing ``folder`` is
    removed only if it carries our marker (an earlier submission); anything
    else is refused and ``tmp`` kept, named in the error."""
    if osp.lexists(folder):
        if not (osp.isdir(folder) and not osp.islink(folder) and is_ours(folder)):
            raise OutputError(f'refusing to replace {folder}: not a bdd100k_zoo submission '
                              f'folder (no marker {marker(folder)}); the new one is in {tmp}')
        old = f'{folder}.old-{os.getpid()}'
        os.replace(folder, old)
        os.replace(tmp, folder)
        shutil.rmtree(old)
    else:
        os.replace(tmp, folder)
    _mark(folder)
    if osp.lexists(marker(tmp)):
        os.remove(marker(tmp))


def publish_folder(tmp: str, folder: str, names: Iterable[str]) -> str:
    """Zip ``names`` of the finished scratch folder ``tmp`` into
    ``<folder>.zip`` (what the evaluation server takes) and swap ``tmp`` in
    for ``folder`` (:func:`replace_folder`); returns the zip's path."""
    path = f'{folder}.zip'
    with atomic_write(path, 'wb') as f, zipfile.ZipFile(f, 'w', zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            zf.write(osp.join(tmp, name), arcname=name)
    replace_folder(tmp, folder)
    return path
