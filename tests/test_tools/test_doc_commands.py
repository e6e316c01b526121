"""Every val-score and test-submission command the documentation shows
(``tools/test.py`` / ``tools/dist_test.sh`` in the bash blocks of README.md and
docs/train_test.md), read from the pages and run as written on the samples laid
out as BDD100K: only the data root, the output folders, the checkpoint (random
weights of the config's model), the image size and the worker processes are
rewritten, as tests/helpers.py does. ``dist_test.sh CONFIG CKPT N`` runs as
``tools/test.py`` in this process (the launcher itself is tested in
test_tools_e2e.py), so the docs and the tests cannot drift apart."""
import functools
import json
import os
import os.path as osp
import re
import shlex
import sys
from unittest import mock

import pytest

from helpers import REPO, SAMPLES, load_tool, random_weights

from bdd100k_zoo.tasks import config_task

PAGES = ('README.md', 'docs/train_test.md')
TOOLS = ('python tools/test.py ', 'bash tools/dist_test.sh ')
TRACK_VIDEO = 'b1c66a42-6f7d68ca'


def documented_commands():
    """(page:line, argv after the tool) of every test command in the pages' bash blocks."""
    found = []
    for page in PAGES:
        with open(osp.join(REPO, page)) as f:
            text = f.read()
        for block in re.finditer(r'```bash\n(.*?)```', text, re.S):
            first_line = text[:block.start()].count('\n') + 2
            lines = block.group(1).replace('\\\n', ' \x00').split('\n')
            number = first_line
            for line in lines:
                if line.startswith(TOOLS):
                    found.append(pytest.param(line.replace('\x00', ''),
                                              id=f'{page}:{number}'))
                number += 1 + line.count('\x00')
    return found


COMMANDS = documented_commands()


@functools.lru_cache(maxsize=None)
def task_of(config: str) -> str:
    from bdd100k_zoo.config import load_config
    return config_task(load_config(config), config)


def test_the_pages_show_a_val_and_a_test_split_command_for_every_task():
    from bdd100k_zoo.tasks import TASKS
    seen = {}
    for param in COMMANDS:
        argv = shlex.split(param.values[0])
        seen.setdefault(task_of(argv[2]), set()).add(
            'test' if '--format-only' in argv else 'val')
    assert seen == {task: {'val', 'test'} for task in TASKS}


def _link(src, dst):
    os.makedirs(osp.dirname(dst), exist_ok=True)
    os.symlink(src, dst)


def bdd100k_root(task: str, root: str) -> str:
    """The samples of ``task`` where BDD100K puts its val and test data (links)."""
    segment = osp.join(SAMPLES, 'segment')
    if task == 'det':
        _link(osp.join(SAMPLES, 'detect/images'), f'{root}/images/100k/val')
        _link(osp.join(segment, 'images'), f'{root}/images/100k/test')
        _link(osp.join(SAMPLES, 'detect/labels/annotation.json'),
              f'{root}/labels/det_20/det_val.json')
    elif task in ('sem_seg', 'pan_seg'):
        for split in ('val', 'test'):
            _link(osp.join(segment, 'images'), f'{root}/images/10k/{split}')
        label = 'segment' if task == 'sem_seg' else 'panoptic'
        _link(osp.join(SAMPLES, label, 'labels/annotation.json'),
              f'{root}/labels/{task}/rles/{task}_val.json')
    elif task == 'drivable':
        for split in ('val', 'test'):
            _link(osp.join(segment, 'images'), f'{root}/images/100k/{split}')
        sys.path.insert(0, osp.join(REPO, 'tests', 'test_models'))
        from test_drivable import drivable_masks
        drivable_masks(f'{root}/labels/drivable/masks/val')
    elif task == 'tagging':  # the det_20 frame: its attributes are the image labels'
        _link(osp.join(SAMPLES, 'detect/images'), f'{root}/images/100k/val')
        _link(osp.join(segment, 'images'), f'{root}/images/100k/test')
        _link(osp.join(SAMPLES, 'detect/labels/annotation.json'),
              f'{root}/labels/bdd100k_labels_images_val.json')
    elif task == 'pose':  # pose labels made for a real frame's pedestrians (helpers.pose_sample)
        from helpers import pose_sample
        os.makedirs(f'{root}/labels/pose_21')
        ann_file, img_dir = pose_sample(f'{root}/labels/pose_21')
        os.rename(ann_file, f'{root}/labels/pose_21/pose_val.json')
        for split in ('val', 'test'):
            _link(img_dir, f'{root}/images/100k/{split}')
        with open(f'{root}/labels/pose_21/pose_val.json') as f:
            frames = json.load(f)  # the test split's person boxes: as a detector writes them
        for label in frames[0]['labels']:
            label.update(score=0.9, graph=None)
        os.makedirs(osp.join(osp.dirname(root), 'work_dirs'))
        with open(osp.join(osp.dirname(root), 'work_dirs', 'det_test.json'), 'w') as f:
            json.dump(frames, f)
    elif task in ('ins_seg', 'box_track', 'seg_track'):
        with open(osp.join(SAMPLES, 'track/labels', TRACK_VIDEO + '.json')) as f:
            frames = json.load(f)[:2]  # RLE masks and track ids: two frames
        for split in ('val', 'test'):
            for frame in frames:
                image = osp.join(SAMPLES, 'track/images', TRACK_VIDEO, frame['name'])
                folder = {'ins_seg': f'images/10k/{split}',
                          'box_track': f'images/track/{split}/{TRACK_VIDEO}',
                          'seg_track': f'images/seg_track_20/{split}/{TRACK_VIDEO}'}[task]
                _link(image, f'{root}/{folder}/{frame["name"]}')
        if task == 'ins_seg':  # an image set: no videos
            frames = [{k: v for k, v in f.items() if k not in ('videoName', 'frameIndex')}
                      for f in frames]
            path = f'{root}/labels/ins_seg/rles/ins_seg_val.json'
        elif task == 'box_track':
            path = f'{root}/labels/box_track_20/val/{TRACK_VIDEO}.json'
        else:
            path = f'{root}/labels/seg_track_20/rles/val/{TRACK_VIDEO}.json'
        os.makedirs(osp.dirname(path))
        with open(path, 'w') as f:
            json.dump(frames, f)
    return root


TRACK_SMALL = ['test_dataloader.dataset.pipeline.0.transforms.1.scale=(192,108)',
               'model.detector.test_cfg.rpn.max_per_img=50',
               'model.detector.test_cfg.rcnn.max_per_img=8']
SMALL = {'box_track': TRACK_SMALL, 'seg_track': TRACK_SMALL,
         'det': ['model.test_cfg.rpn.max_per_img=50', 'model.test_cfg.rcnn.max_per_img=10'],
         'ins_seg': ['model.test_cfg.rpn.max_per_img=50', 'model.test_cfg.rcnn.max_per_img=10'],
         'pan_seg': ['model.test_cfg.rpn.max_per_img=50',
                     'model.test_cfg.rcnn.max_per_img=10'],
         'tagging': ['test_dataloader.dataset.pipeline.1.crop_size=64'],
         'pose': ['model.test_cfg.flip_test=False']}


def rewritten(command: str, data_root: str, ckpt: str, out: str) -> list:
    """``tools/test.py`` argv of a documented command with the data root, output
    folders and checkpoint moved, the images shrunk and no worker processes."""
    argv = shlex.split(command)
    if argv[1] == 'tools/dist_test.sh':  # CONFIG CKPT GPUS ...: one process here
        del argv[4]
    argv = ['test.py'] + argv[2:]
    assert argv[2] == 'CKPT', command
    argv[2] = ckpt
    for i, arg in enumerate(argv):
        if arg.startswith('work_dirs/'):
            argv[i] = osp.join(out, arg)
        elif '=work_dirs/' in arg:  # an option naming an output of an earlier command
            key, value = arg.split('=', 1)
            argv[i] = f'{key}={osp.join(out, value)}'
        if i and argv[i - 1] == '--data-root':
            argv[i] = data_root
    if '--data-root' not in argv:
        argv += ['--data-root', data_root]
    if '--work-dir' not in argv:
        argv += ['--work-dir', osp.join(out, 'work')]
    task = task_of(argv[1])
    small = SMALL.get(task, []) + [
        f'test_dataloader.{o}' for o in ('num_workers=0', 'persistent_workers=False')]
    if task not in ('box_track', 'seg_track', 'tagging', 'pose'):
        small.append('test_dataloader.dataset.pipeline.1.scale=(320,180)')
    return argv + ['--cfg-options', *small]


@pytest.fixture(scope='module')
def weights(tmp_path_factory):
    """config -> a random-weights checkpoint of its model, made once per config."""
    folder = tmp_path_factory.mktemp('weights')
    made = {}

    def get(config):
        if config not in made:
            made[config] = random_weights(config, str(folder / f'{len(made)}.pth'))
        return made[config]
    return get


@pytest.mark.parametrize('command', COMMANDS)
def test_documented_command_runs_as_written(command, samples, weights, tmp_path):
    config = shlex.split(command)[2]
    task = task_of(config)
    data_root = bdd100k_root(task, str(tmp_path / 'bdd100k'))
    ckpt = weights(config)
    argv = rewritten(command, data_root, ckpt, str(tmp_path))
    with mock.patch.object(sys, 'argv', argv):
        load_tool('test').main()
    work_dir = argv[argv.index('--work-dir') + 1]
    with open(osp.join(work_dir, 'scores.json')) as f:
        scores = json.load(f)
    if '--format-only' in argv:
        assert scores['metrics'] == {} and scores['submission']
    else:
        headline = {'det': 'AP', 'ins_seg': 'AP', 'sem_seg': 'mIoU', 'drivable': 'mIoU',
                    'pan_seg': 'PQ', 'box_track': 'mMOTA', 'seg_track': 'mMOTA',
                    'tagging': 'accuracy', 'pose': 'AP'}[task]
        assert headline in scores['metrics']
    if '--outfile-prefix' in argv:
        prefix = argv[argv.index('--outfile-prefix') + 1]
        assert prefix.startswith(str(tmp_path)) and scores['submission']
        assert all(p.startswith(prefix) for p in scores['submission'])
