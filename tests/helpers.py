"""What the tests share besides fixtures: paths to the repository and to the
real BDD100K samples (``../shared``, never copied into the repository), and
running the repository's tools as a user would."""
import contextlib
import importlib.util
import json
import os
import os.path as osp
import resource
import signal
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED = osp.join(osp.dirname(REPO), 'shared')
SAMPLES = osp.join(SHARED, 'bdd100k_samples')
GOLDEN = osp.join(SHARED, 'golden')


def run_evaluator(metric, samples, classes, batch_size=1):
    """As the test loop: mmengine's Evaluator hands the metric ``to_dict()``s,
    ``batch_size`` at a time; the scores as ``evaluate()`` returns them."""
    from mmengine.evaluator import Evaluator
    evaluator = Evaluator(metric)
    evaluator.dataset_meta = dict(classes=classes)
    for i in range(0, len(samples), batch_size):
        evaluator.process(samples[i:i + batch_size])
    return evaluator.evaluate(len(samples))


def run_tool(*args, env=None, timeout=600):
    """Run a repo tool (``tools/x.py`` or ``tools/x.sh``) as a user would; on
    failure the assertion shows its output."""
    cmd = (['bash'] if args[0].endswith('.sh') else [sys.executable]) + list(args)
    env = dict(os.environ if env is None else env)
    # the launchers call `python`, as in an activated environment
    env['PATH'] = osp.dirname(sys.executable) + os.pathsep + env.get('PATH', '')
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env=env,
                          timeout=timeout)
    assert proc.returncode == 0, f'{" ".join(cmd)} failed:\n{proc.stdout[-6000:]}\n' \
        f'{proc.stderr[-6000:]}'
    return proc.stdout + proc.stderr


def run_tool_here(name, *args):
    """``python tools/<name>.py ARGS`` run in this process, from the repository root as
    :func:`run_tool` runs it: no interpreter start-up and imports (~9 s on 2 cores). For
    a run beside one that starts the tool as a user does (its ``dist_*.sh`` twin)."""
    from unittest import mock
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        with mock.patch.object(sys, 'argv', [f'tools/{name}.py', *args]):
            load_tool(name).main()
    finally:
        os.chdir(cwd)


FRCNN_CONFIG = 'configs/faster_rcnn/faster_rcnn_r50_1x_bdd100k.py'
SCALE = '(320,180)'


def load_tool(name):
    """``tools/<name>.py`` as a module, to call its ``main(argv)`` in-process."""
    spec = importlib.util.spec_from_file_location(name, osp.join(REPO, 'tools', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_cfg_options(opts):
    """``--cfg-options k=v ...`` as the tools parse them."""
    import argparse

    from mmengine.config import DictAction
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(['--cfg-options', *opts]).cfg_options


def sample_options(ann_file, img_dir, train_frames=None, test_frames=None):
    """Point the zoo config at a sample and shrink it for the CPU: no
    pretrained download, small images, no worker processes."""
    opts = ['model.backbone.init_cfg=None', 'train_cfg.max_epochs=1',
            'train_dataloader.batch_size=1', 'train_dataloader.num_workers=0',
            'train_dataloader.persistent_workers=False',
            'val_dataloader.num_workers=0', 'val_dataloader.persistent_workers=False',
            'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False',
            f'train_dataloader.dataset.pipeline.2.scale={SCALE}',
            f'val_dataloader.dataset.pipeline.1.scale={SCALE}',
            f'test_dataloader.dataset.pipeline.1.scale={SCALE}',
            'default_hooks.logger.interval=1']
    for split in ('train', 'val', 'test'):
        opts += [f'{split}_dataloader.dataset.data_root=',
                 f'{split}_dataloader.dataset.ann_file={ann_file}',
                 f'{split}_dataloader.dataset.data_prefix.img={img_dir}']
    if train_frames:
        opts.append(f'train_dataloader.dataset.indices={train_frames}')
    if test_frames:
        opts += [f'val_dataloader.dataset.indices={test_frames}',
                 f'test_dataloader.dataset.indices={test_frames}']
    opts += [f'val_evaluator.ann_file={ann_file}', f'test_evaluator.ann_file={ann_file}']
    return opts


def bdd100k_layout(root, ann_file, img_dir, split='val'):
    """The sample as BDD100K lays out detection data (links, no copies)."""
    os.makedirs(osp.join(root, 'labels', 'det_20'))
    os.makedirs(osp.join(root, 'images', '100k'))
    os.symlink(ann_file, osp.join(root, 'labels', 'det_20', f'det_{split}.json'))
    os.symlink(img_dir, osp.join(root, 'images', '100k', split))
    return str(root)


def shrink_options(ann_file, img_dir):
    """sample_options without the data paths."""
    return [o for o in sample_options(ann_file, img_dir)
            if not any(k in o for k in ('data_root=', 'ann_file=', 'data_prefix'))]


@contextlib.contextmanager
def full_disk(max_bytes: int):
    """This process may grow a regular file to ``max_bytes`` only: a full
    disk for what it writes. Its stdout and stderr (file descriptors and
    ``sys`` streams) go to /dev/null meanwhile, a device, which has no size
    limit: pytest captures them into a file, which would hit it first.
    Logging handlers made earlier keep their stream and may report a failed
    write (logging survives that)."""
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    saved = [os.dup(fd) for fd in (1, 2)]
    with open(os.devnull, 'w') as devnull, contextlib.redirect_stdout(devnull), \
            contextlib.redirect_stderr(devnull):
        for fd in (1, 2):
            os.dup2(devnull.fileno(), fd)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, limit[1]))
        try:
            yield
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, limit)
            signal.signal(signal.SIGXFSZ, handler)
            for fd, copy in zip((1, 2), saved):
                os.dup2(copy, fd)
                os.close(copy)


def load_zoo_config(path):
    """What the zoo config at ``path`` states (recipe, data paths, hooks), parsed
    once per test process (:func:`bdd100k_zoo.zoo.table.read_config`): the suite
    reads each of ~200 configs in several tests. Custom imports are not imported,
    so a ConvNeXt config reads without mmpretrain."""
    from bdd100k_zoo.config import resolve_config_path
    from bdd100k_zoo.zoo.table import read_config
    return read_config(resolve_config_path(path))


def load_zoo_configs(paths):
    """:func:`load_zoo_config` of many configs, parsed on every core."""
    from bdd100k_zoo.config import resolve_config_path
    from bdd100k_zoo.zoo.table import read_configs
    return read_configs([resolve_config_path(path) for path in paths])


def random_weights(config: str, path: str) -> str:
    """A checkpoint of the zoo config's model with random weights (seed 0; no
    initial weights looked up), as ``torch.save`` writes a bare state dict."""
    import torch
    from mmengine.registry import init_default_scope

    from bdd100k_zoo.config import load_config
    from bdd100k_zoo.utils.checkpoint import initial_weights
    cfg = load_config(config)
    cfg.merge_from_dict({key: None for key, _ in initial_weights(cfg.model)})
    init_default_scope(cfg.default_scope)
    if cfg.default_scope == 'mmseg':
        from mmseg.registry import MODELS
    else:
        from mmdet.registry import MODELS
    torch.manual_seed(0)
    torch.save(dict(state_dict=MODELS.build(cfg.model).state_dict()), path)
    return path


# Pose: no BDD100K pose image is among the samples, so pose labels are made for a real frame:
# the pedestrians of the first MOT frame, each box given the 18 joints of a standing person
# at these (x, y) fractions of the box (BDD100K's joint order, bdd100k_zoo.labels.POSE_JOINTS).
POSE_VIDEO = '00091078-875c1f73'
POSE_TEMPLATE = ((.5, .08), (.5, .18), (.35, .22), (.3, .38), (.28, .52), (.65, .22), (.7, .38),
                 (.72, .52), (.42, .55), (.4, .75), (.4, .93), (.58, .55), (.6, .75), (.6, .93),
                 (.27, .58), (.73, .58), (.37, .98), (.63, .98))


def pose_sample(folder):
    """(ann_file, image folder) of pose labels made for a real frame (see POSE_TEMPLATE)."""
    from bdd100k_zoo.labels import POSE_JOINTS
    with open(osp.join(SAMPLES, 'track/labels', POSE_VIDEO + '.json')) as f:
        frame = json.load(f)[0]
    labels = []
    for label in frame['labels']:
        if label['category'] != 'pedestrian':
            continue
        box = label['box2d']
        w, h = box['x2'] - box['x1'], box['y2'] - box['y1']
        labels.append(dict(id=label['id'], category='pedestrian', box2d=box, graph=dict(
            type='Pose2D-18Joints', edges=[], nodes=[
                dict(location=[box['x1'] + fx * w, box['y1'] + fy * h], category=name,
                     visibility='V', id=str(i))
                for i, (name, (fx, fy)) in enumerate(zip(POSE_JOINTS, POSE_TEMPLATE))])))
    ann_file = osp.join(str(folder), 'pose.json')
    with open(ann_file, 'w') as f:
        json.dump([dict(name=frame['name'], labels=labels)], f)
    return ann_file, osp.join(SAMPLES, 'track/images', POSE_VIDEO) + '/'
