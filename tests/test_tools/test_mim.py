"""mim finds the zoo: the configs and the model index ship in the package
(bdd100k_zoo/.mim, as mmdet's and mmseg's), `mim search bdd100k_zoo` lists
every model from an installed wheel and from the checkout as
tools/setup_env.sh installs it, and `bdd100k_zoo::` is a config scope."""
import os.path as osp
import re
import shutil
import subprocess
import sys

import pytest
from mmengine.config import Config
from mmengine.hub import get_config

from bdd100k_zoo.zoo import load_records
from helpers import REPO


def test_the_scope_resolves_in_the_checkout(tmp_path):
    cfg = get_config('bdd100k_zoo::faster_rcnn/faster_rcnn_r50_1x_bdd100k.py')
    assert cfg.model.roi_head.bbox_head.num_classes == 10
    user = tmp_path / 'my_frcnn.py'  # a downstream config inheriting a zoo config
    user.write_text("_base_ = 'bdd100k_zoo::semantic_fpn/semantic_fpn_r50_40k_bdd100k.py'\n"
                    'train_cfg = dict(max_iters=100)\n')
    cfg = Config.fromfile(str(user))
    assert cfg.train_cfg.max_iters == 100 and cfg.train_cfg.val_interval == 2000
    assert cfg.val_dataloader.dataset.type == 'BDD100KSemSegDataset'


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    """The package as `pip install` puts it: a wheel built from a copy of the
    checkout, installed into a fresh folder."""
    tmp = tmp_path_factory.mktemp('mim')
    src = tmp / 'src'
    shutil.copytree(REPO, src, symlinks=True, ignore=shutil.ignore_patterns(
        '.venv', '.git', 'work_dirs', 'build', '*.egg-info', '__pycache__', 'results', 'tests'))
    pip = [sys.executable, '-m', 'pip', '-q', '--disable-pip-version-check']
    subprocess.run(pip + ['wheel', '--no-deps', '--no-build-isolation', '-w', str(tmp / 'whl'),
                          str(src)], check=True, capture_output=True, timeout=600)
    wheel = next((tmp / 'whl').iterdir())
    subprocess.run(pip + ['install', '--no-deps', '--target', str(tmp / 'site'), str(wheel)],
                   check=True, capture_output=True, timeout=600)
    return str(tmp / 'site')


def _run(site, *args):
    env = dict(__import__('os').environ, PYTHONPATH=site)
    proc = subprocess.run([sys.executable, *args], cwd=site, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def test_mim_search_lists_every_zoo_model(installed):
    out = _run(installed, '-m', 'mim', 'search', 'bdd100k_zoo')
    names = [r.name for r in load_records(osp.join(REPO, 'results'))]
    for name in names:
        assert f'config id: {name}\n' in out
    assert out.count('config id: ') == len(names)
    # the record's number, via the metafile (mim pads the names to the longest one)
    assert re.search(r'^bdd100k/box_ap +31\.2$', out, re.M)


def test_an_installed_package_resolves_its_scope(installed):
    out = _run(installed, '-c', 'import bdd100k_zoo; from mmengine.hub import get_config; '
               "print(get_config('bdd100k_zoo::mask_rcnn/mask_rcnn_r50_3x_bdd100k.py')"
               '.filename)')
    assert out.strip() == osp.join(installed, 'bdd100k_zoo', '.mim', 'configs', 'mask_rcnn',
                                   'mask_rcnn_r50_3x_bdd100k.py')


def test_the_family_pages_ship_beside_their_metafiles(installed):
    """Every metafile's README (the family's generated page) is in the package too."""
    import yaml
    mim = osp.join(installed, 'bdd100k_zoo', '.mim')
    with open(osp.join(mim, 'model-index.yml')) as f:
        imports = yaml.safe_load(f)['Import']
    assert imports
    for path in imports:
        with open(osp.join(mim, path)) as f:
            meta = yaml.safe_load(f)
        pages = {entry['README'] for entry in meta['Collections'] + meta['Models']}
        assert pages == {f'{osp.dirname(path)}/README.md'}
        assert osp.isfile(osp.join(mim, *pages)), path


EGG_INFO = ('(cd "$root" && "$venv/bin/python" -c '
            "'from setuptools import setup; setup()' -q egg_info)")


@pytest.fixture(scope='module')
def developed(tmp_path_factory):
    """A copy of the checkout installed as tools/setup_env.sh installs it: on the
    path (here PYTHONPATH, there a .pth file) with its egg-info install record
    made by setup_env.sh's own command."""
    with open(osp.join(REPO, 'tools', 'setup_env.sh')) as f:
        assert EGG_INFO in f.read()  # the command run below is setup_env.sh's
    src = tmp_path_factory.mktemp('dev') / 'bdd100k_zoo_checkout'
    shutil.copytree(REPO, src, symlinks=True, ignore=shutil.ignore_patterns(
        '.venv', '.git', 'work_dirs', 'build', '*.egg-info', '__pycache__', 'tests'))
    env = dict(__import__('os').environ, root=str(src), venv=osp.dirname(osp.dirname(
        sys.executable)))
    subprocess.run(['bash', '-c', EGG_INFO], env=env, check=True, capture_output=True,
                   timeout=600)
    return str(src)


def test_the_checkout_install_is_seen_by_pip_and_mim(developed):
    listed = _run(developed, '-m', 'mim', 'list')
    assert [line for line in listed.splitlines() if line.startswith('bdd100k-zoo ')
            and line.rstrip().endswith(developed)]
    out = _run(developed, '-m', 'mim', 'search', 'bdd100k_zoo')
    names = [r.name for r in load_records(osp.join(REPO, 'results'))]
    assert out.count('config id: ') == len(names)
    pip = _run(developed, '-m', 'pip', 'list', '--disable-pip-version-check')
    assert 'bdd100k_zoo' in pip.replace('-', '_')
    # the scope resolves into the checkout, not into a site-packages copy
    out = _run(developed, '-c', 'import bdd100k_zoo; from mmengine.hub import get_config; '
               "print(get_config('bdd100k_zoo::mask_rcnn/mask_rcnn_r50_3x_bdd100k.py')"
               '.filename)')
    assert out.strip() == osp.join(developed, 'bdd100k_zoo', '.mim', 'configs', 'mask_rcnn',
                                   'mask_rcnn_r50_3x_bdd100k.py')
