"""QDTrack through tools/train.py, tools/test.py and tools/dist_test.sh on the real
BDD100K tracking sample (2 videos x 6 frames), tiny scale, CPU; and the YOLOX-x variant."""
import json
import os
import os.path as osp
import random
import subprocess
import sys

import pytest
import torch

from helpers import SAMPLES, run_tool, run_tool_here

CONFIG = 'configs/qdtrack/qdtrack_frcnn_r50_fpn_1x_bdd100k.py'
YOLOX_CONFIG = 'configs/qdtrack/qdtrack_yolox_x_bdd100k.py'
SCALE = '(192,108)'


def track_options():
    """The zoo config on the sample, shrunk for the CPU: no pretrained
    download, small frames, no worker processes, no det_20 images."""
    labels, images = osp.join(SAMPLES, 'track/labels'), osp.join(SAMPLES, 'track/images')
    opts = ['model.detector.backbone.init_cfg=None', 'default_hooks.logger.interval=1',
            f'train_dataloader.dataset.pipeline.1.transforms.2.scale={SCALE}',
            'train_dataloader.dataset.image_sources=[]',
            # fewer RoIs: on a CPU the RoI head's cost is per box, not per pixel
            'model.detector.train_cfg.rpn_proposal.max_per_img=200',
            'model.detector.train_cfg.rcnn.sampler.num=128',
            'model.detector.test_cfg.rpn.nms_pre=300',
            'model.detector.test_cfg.rpn.max_per_img=100']
    for split in ('train', 'val', 'test'):
        opts += [f'{split}_dataloader.num_workers=0',
                 f'{split}_dataloader.persistent_workers=False',
                 f'{split}_dataloader.dataset.data_root=',
                 f'{split}_dataloader.dataset.ann_file={labels}',
                 f'{split}_dataloader.dataset.data_prefix.img={images}']
    for split in ('val', 'test'):
        opts.append(f'{split}_dataloader.dataset.pipeline.0.transforms.1.scale={SCALE}')
    return opts + [f'val_evaluator.ann_file={labels}', f'test_evaluator.ann_file={labels}']


def yolox_options(w=128, h=64):
    """The YOLOX-x zoo config on the sample at a w x h scale, as dotted keys."""
    labels, images = osp.join(SAMPLES, 'track/labels'), osp.join(SAMPLES, 'track/images')
    train = 'train_dataloader.dataset.'  # VideoMixDataset: mix pipeline + video dataset
    opts = {'model.detector.init_cfg': None,  # no download in tests
            train + 'pipeline.0.img_scale': (w, h), train + 'pipeline.1.border': (-w // 2, -h // 2),
            train + 'pipeline.2.img_scale': (w, h), train + 'pipeline.3.transforms.3.scale': (w, h),
            train + 'pipeline.3.transforms.4.crop_size': (w, h),
            train + 'pipeline.3.transforms.5.size': (w, h),
            train + 'dataset.image_sources': [], train + 'dataset.data_root': '',
            train + 'dataset.ann_file': labels, train + 'dataset.data_prefix.img': images,
            'default_hooks.logger.interval': 1}
    for split in ('train', 'val', 'test'):
        opts.update({f'{split}_dataloader.num_workers': 0,
                     f'{split}_dataloader.persistent_workers': False})
    for split in ('val', 'test'):
        opts.update({f'{split}_dataloader.dataset.pipeline.0.transforms.1.scale': (w, h),
                     f'{split}_dataloader.dataset.data_root': '',
                     f'{split}_dataloader.dataset.ann_file': labels,
                     f'{split}_dataloader.dataset.data_prefix.img': images,
                     f'{split}_evaluator.ann_file': labels})
    return opts


def as_cfg_options(options):
    return [f'{key}={value!r}'.replace(' ', '') for key, value in options.items()]


# an untrained model scores every box low: let all of them become tracks
TRACK_ALL = ['model.detector.test_cfg.rcnn.score_thr=0.0', 'model.tracker.init_score_thr=0.0',
             'model.tracker.obj_score_thr=0.0']


def train_two_iterations(config, work_dir):
    """tools/train.py of a QDTrack config on one sample video of 6 frames, 3
    key/reference pairs a batch: 2 iterations; returns the log."""
    return run_tool('tools/train.py', config, '--work-dir', work_dir, '--cfg-options',
                    *track_options(), 'train_cfg.max_epochs=1', 'train_dataloader.batch_size=3',
                    'train_dataloader.dataset.indices=1',
                    'default_hooks.checkpoint.save_optimizer=False',
                    'val_cfg=None', 'val_dataloader=None', 'val_evaluator=None')


@pytest.fixture(scope='module')
def trained_qdtrack(samples, tmp_path_factory):
    work_dir = str(tmp_path_factory.mktemp('qdtrack'))
    return work_dir, train_two_iterations(CONFIG, work_dir)


def test_train_two_iterations(trained_qdtrack):
    work_dir, log = trained_qdtrack
    assert 'Epoch(train) [1][2/2]' in log
    for loss in ('loss_rpn_cls', 'loss_cls', 'loss_bbox', 'loss_track', 'loss_track_aux'):
        assert loss in log
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))


def test_video_test_scores_and_submission_match_the_official_tool(trained_qdtrack, tmp_path):
    work_dir, _ = trained_qdtrack
    prefix = str(tmp_path / 'submission')
    # in this process: tools/dist_test.sh below starts tools/test.py as users do
    run_tool_here('test', CONFIG, osp.join(work_dir, 'epoch_1.pth'), '--work-dir',
                  str(tmp_path), '--outfile-prefix', prefix, '--cfg-options', *track_options(),
                  *TRACK_ALL)
    with open(tmp_path / 'scores.json') as f:
        metrics = json.load(f)['metrics']
    assert {'mMOTA', 'mIDF1', 'mMOTP', 'MOTA', 'IDF1', 'MOTP', 'FP', 'FN', 'IDSw', 'MT', 'PT',
            'ML', 'FM', 'MOTA/car', 'IDF1/pedestrian'} <= set(metrics)
    assert metrics['FP'] > 0  # the random boxes were tracked and scored
    with open(prefix + '/b1c66a42-6f7d68ca.json') as f:
        video = json.load(f)
    assert [frame['frameIndex'] for frame in video] == list(range(6))
    assert any(frame['labels'] for frame in video)
    out = tmp_path / 'official.json'
    subprocess.run([sys.executable, '-m', 'bdd100k.eval.run', '-t', 'box_track', '-g',
                    osp.join(SAMPLES, 'track/labels'), '-r', prefix, '--nproc', '1',
                    '--out-file', str(out), '-q'], check=True, capture_output=True)
    with open(out) as f:
        official = json.load(f)
    for key in ('mMOTA', 'mIDF1', 'mMOTP'):
        assert metrics[key] == pytest.approx(official[key], abs=1e-6)

    # two processes (gloo): each video on one process, every frame scored once
    env = dict(os.environ, PORT=str(random.randint(20000, 40000)), OMP_NUM_THREADS='1')
    dist_dir = tmp_path / 'dist'
    out = run_tool('tools/dist_test.sh', CONFIG, osp.join(work_dir, 'epoch_1.pth'), '2',
                   '--work-dir', str(dist_dir), '--show-dir', str(dist_dir / 'painted'),
                   '--cfg-options', *track_options(), *TRACK_ALL, env=env)
    with open(dist_dir / 'scores.json') as f:
        dist_metrics = json.load(f)['metrics']
    # readable: the summary line without the per-class scores (Scalabel's table has them)
    line = [x for x in out.splitlines() if 'Epoch(test) [' in x and 'mMOTA' in x][0]
    assert len(line) < 400 and 'bdd100k/mMOTA: ' in line and 'MOTA/car' not in line
    # each process painted its own video; one mp4 per video
    painted = dist_dir / 'painted'
    frames = sorted(f for _, _, files in os.walk(painted) for f in files if f.endswith('.jpg'))
    videos = sorted(os.listdir(osp.join(SAMPLES, 'track/images')))
    assert frames == sorted(f for v in videos
                            for f in os.listdir(osp.join(SAMPLES, 'track/images', v)))
    assert sorted(p.name for p in painted.iterdir() if p.suffix == '.mp4') == [
        f'{v}.mp4' for v in videos]
    assert dist_metrics.keys() == metrics.keys()
    # undefined (null in scores.json) for the classes the sample does not have; one
    # process runs torch's default threads, dist_test.sh OMP_NUM_THREADS=1: box
    # coordinates may differ in the last bits
    for key, value in metrics.items():
        if value is None:
            assert dist_metrics[key] is None, key
        else:
            assert dist_metrics[key] == pytest.approx(value, rel=1e-6), key


def test_yolox_x_qdtrack_trains_and_tracks_on_cpu(samples):
    from mmdet.registry import DATASETS, MODELS
    from mmengine.config import Config
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import init_default_scope

    init_default_scope('mmdet')
    cfg = Config.fromfile(YOLOX_CONFIG)
    assert cfg.model.detector.init_cfg.checkpoint.endswith(
        'yolox_x_8x8_300e_coco_20211126_140254-1ef88d67.pth')
    cfg.merge_from_dict(yolox_options(), allow_list_keys=True)
    model = MODELS.build(cfg.model)
    model.init_weights()
    assert type(model).__name__ == 'OneStageQDTrack'
    assert model.detector.bbox_head.num_classes == 8

    dataset = DATASETS.build(cfg.train_dataloader.dataset)  # mosaic / affine / mixup pairs
    batch = model.data_preprocessor(pseudo_collate([dataset[2], dataset[10]]), True)
    losses = model(**batch, mode='loss')
    assert {'loss_cls', 'loss_bbox', 'loss_obj', 'loss_track', 'loss_track_aux'} <= set(losses)
    loss, _ = model.parse_losses(losses)
    loss.backward()
    assert torch.isfinite(loss)
    assert model.track_head.embed_head.convs[0].conv.weight.grad.abs().sum() > 0
    assert model.detector.backbone.stem.conv.conv.weight.grad.abs().sum() > 0

    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    model.eval()
    model.detector.bbox_head.test_cfg.score_thr = 0.0
    model.tracker.init_score_thr = model.tracker.obj_score_thr = 0.0
    model.tracker.match_score_thr = 0.0  # untrained embeddings: any same-class match
    with torch.no_grad():
        ids = []
        for frame in range(2):
            batch = model.data_preprocessor(pseudo_collate([dataset[(0, frame)]]), False)
            out = model(**batch, mode='predict')[0][0]
            tracks = out.pred_track_instances
            assert len(tracks.bboxes) > 0 and out.frame_index == 165 + frame
            ids.append(set(tracks.instances_id.tolist()))
    assert ids[0] & ids[1]  # tracks carried over to the next frame


def test_yolox_x_config_through_the_train_and_test_tools(samples, tmp_path):
    """The zoo config as users run it (fp16 and EMA; fp32 without a GPU), on
    mixed key/reference pairs, then a video test with the tracking keys."""
    # YOLOX-x's layout at YOLOX-tiny's width and depth: the full model is the test above's
    small = {'model.detector.backbone.deepen_factor': 0.33,
             'model.detector.backbone.widen_factor': 0.25,
             'model.detector.neck.in_channels': [64, 128, 256],
             'model.detector.neck.out_channels': 64, 'model.detector.neck.num_csp_blocks': 1,
             'model.detector.bbox_head.in_channels': 64,
             'model.detector.bbox_head.feat_channels': 64,
             'model.track_head.roi_extractor.out_channels': 64,
             'model.track_head.embed_head.in_channels': 64}
    options = as_cfg_options(dict(yolox_options(), **small))
    log = run_tool('tools/train.py', YOLOX_CONFIG, '--work-dir', str(tmp_path), '--cfg-options',
                   *options, 'train_cfg.max_epochs=1', 'train_dataloader.batch_size=3',
                   'train_dataloader.dataset.dataset.indices=1',  # 6 frames: 2 iterations
                   'default_hooks.checkpoint.save_optimizer=False',
                   'val_cfg=None', 'val_dataloader=None', 'val_evaluator=None')
    assert 'AmpOptimWrapper replaced by OptimWrapper' in log
    assert 'Epoch(train) [1][2/2]' in log and 'loss_track' in log
    run_tool('tools/test.py', YOLOX_CONFIG, str(tmp_path / 'epoch_1.pth'), '--work-dir',
             str(tmp_path), '--cfg-options', *options,
             'model.detector.test_cfg.score_thr=0.0', 'model.tracker.init_score_thr=0.0',
             'model.tracker.obj_score_thr=0.0')
    with open(tmp_path / 'scores.json') as f:
        metrics = json.load(f)['metrics']
    assert {'mMOTA', 'mIDF1', 'IDSw'} <= set(metrics) and metrics['FP'] > 0
