"""Issue #12: nothing lost, nothing silently wrong, every bad input named.

Each test feeds a hostile input (made from copies of the real samples in a
tmp dir) to the dataset, metric or tool a user would run, and checks what
the README's "What happens when..." table promises."""
import copy
import json
import math
import os
import os.path as osp
import resource
import shutil
import signal
import socket
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import CheckpointLoader
from mmengine.structures import InstanceData
from PIL import Image

from bdd100k_zoo.engine import runtime
from bdd100k_zoo.utils.checkpoint import CheckpointError
from bdd100k_zoo.datasets import (BDD100KBoxTrackDataset, BDD100KDetDataset,
                                  BDD100KInsSegDataset)
from bdd100k_zoo.evaluation import BDD100KDetMetric, BDD100KInsSegMetric, BDD100KTrackMetric
from bdd100k_zoo.labels import BOX_TRACK_CLASSES, DET_CLASSES, INS_SEG_CLASSES
from bdd100k_zoo.scalabel import ScalabelFormatError
from bdd100k_zoo.zoo.records import RecordError, parse_record
from helpers import (FRCNN_CONFIG, REPO, SAMPLES, full_disk, run_evaluator, run_tool,
                     sample_options)

sys.path.insert(0, osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'test_evaluation'))
from test_box_track_metric import gt_frames, to_samples  # noqa: E402
from test_det_metric import GOLDEN, model_outputs  # noqa: E402

VIDEOS = ('00091078-875c1f73', 'b1c66a42-6f7d68ca')


def new_api():
    """What this issue added (imported per test, so that every other test runs,
    and fails for its own reason, on the code before it)."""
    from bdd100k_zoo.engine import runtime
    from bdd100k_zoo.utils import io as fileio
    return fileio, runtime


@pytest.fixture(autouse=True)
def mmdet_scope():
    init_default_scope('mmdet')


def read(path):
    with open(path) as f:
        return json.load(f)


def write(path, obj):
    path = str(path)
    with open(path, 'w') as f:
        json.dump(obj, f)
    return path


def detect_frames():
    return read(osp.join(SAMPLES, 'detect/labels/annotation.json'))


def track_video(video):
    return read(osp.join(SAMPLES, 'track/labels', f'{video}.json'))


def det_dataset(ann_file, img_dir=None, **kwargs):
    return BDD100KDetDataset(ann_file=ann_file, pipeline=kwargs.pop('pipeline', []),
                             data_prefix=dict(img=img_dir or osp.join(SAMPLES, 'detect/images')),
                             **kwargs)


def evaluate(metric, samples, classes=DET_CLASSES):
    return run_evaluator(metric, samples, classes, max(1, len(samples)))


@pytest.fixture
def golden_gt(golden):
    return osp.join(golden, 'det/track_sample_anns.json')


@pytest.fixture
def golden_samples(golden, golden_gt):
    return model_outputs(osp.join(golden, 'det/bbox_predictions.json'), golden_gt)


# ------------------------------------------------------------------ 1, 2: data loss

def test_track_submission_never_deletes_a_folder_it_did_not_write(samples, tmp_path):
    """--outfile-prefix W/ named the work dir: it was rmtree'd."""
    OutputError = new_api()[0].OutputError
    work_dir = tmp_path / 'work'
    work_dir.mkdir()
    (work_dir / 'epoch_1.pth').write_bytes(b'weights')
    with pytest.raises(OutputError, match=r'refusing to write the submission folder .*work: '
                                          r".*it holds \['epoch_1\.pth'\]"):
        BDD100KTrackMetric(ann_file=osp.join(samples, 'track/labels'),
                           outfile_prefix=str(work_dir))
    with pytest.raises(OutputError, match="ends in a folder"):
        BDD100KTrackMetric(ann_file=osp.join(samples, 'track/labels'),
                           outfile_prefix=str(work_dir) + '/')
    assert (work_dir / 'epoch_1.pth').read_bytes() == b'weights'


def test_track_submission_replaces_only_its_own_earlier_submission(samples, tmp_path):
    fileio = new_api()[0]
    gt_dir = osp.join(samples, 'track/labels')
    prefix = str(tmp_path / 'preds')
    for _ in range(2):  # the second run replaces the first one's folder
        metric = BDD100KTrackMetric(ann_file=gt_dir, outfile_prefix=prefix)
        evaluate(metric, to_samples(gt_frames(gt_dir)), BOX_TRACK_CLASSES)
    assert sorted(os.listdir(prefix)) == [f'{v}.json' for v in VIDEOS]
    assert fileio.is_ours(prefix)  # the marker beside: .preds.bdd100k_zoo_submission
    assert sorted(os.listdir(tmp_path)) == ['.preds.bdd100k_zoo_submission', 'preds',
                                            'preds.json', 'preds.zip']  # no scratch left


def test_unwritable_outfile_prefix_fails_before_inference(tmp_path):
    OutputError = new_api()[0].OutputError
    (tmp_path / 'a_file').write_text('x')
    (tmp_path / 'gt.json').write_text('[]')
    with pytest.raises(OutputError, match=r'cannot write .*a_file/sub/preds\.json'):
        BDD100KDetMetric(ann_file=str(tmp_path / 'gt.json'), outfile_prefix=str(tmp_path / 'a_file/sub/preds'))
    (tmp_path / 'preds.json').mkdir()
    with pytest.raises(OutputError, match='a folder of that name exists'):
        BDD100KDetMetric(ann_file=str(tmp_path / 'gt.json'), outfile_prefix=str(tmp_path / 'preds'))


@pytest.fixture
def small_file_limit():
    """Files may grow to 64 KB only: a full disk, for this process."""
    with full_disk(64 * 1024):
        yield


def test_a_failed_submission_write_keeps_the_scores_and_the_old_file(
        golden_gt, golden_samples, tmp_path, small_file_limit):
    prefix = str(tmp_path / 'preds')
    (tmp_path / 'preds.json').write_text('[]')  # an earlier submission
    metric = BDD100KDetMetric(ann_file=golden_gt, outfile_prefix=prefix)
    scores = evaluate(metric, golden_samples)
    assert scores['bdd100k/AP'] == pytest.approx(GOLDEN['AP'], abs=1e-6)
    assert 'could not be written' in metric.submission_error and 'preds' in \
        metric.submission_error
    assert (tmp_path / 'preds.json').read_text() == '[]'  # not a truncated new one
    assert os.listdir(tmp_path) == ['preds.json']


def test_test_tool_writes_scores_then_fails_when_the_submission_cannot_be_written(
        trained_detector, detect_sample, tmp_path):
    """tools/test.py with a target that turns out unwritable only at the end
    (a 4 KB file limit: the submission of 100 boxes does not fit)."""
    work_dir, _ = trained_detector
    opts = sample_options(*detect_sample) + ['model.test_cfg.rcnn.score_thr=0.0']
    cmd = [sys.executable, 'tools/test.py', FRCNN_CONFIG, osp.join(work_dir, 'epoch_2.pth'),
           '--work-dir', str(tmp_path), '--outfile-prefix', str(tmp_path / 'preds'),
           '--cfg-options', *opts]

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (12 * 1024, 12 * 1024))

    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, preexec_fn=limit,
                          timeout=600)
    assert proc.returncode != 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert 'the submission could not be written' in proc.stderr
    scores = read(tmp_path / 'scores.json')['metrics']
    assert {'AP', 'AP50', 'AP/car'} <= set(scores)
    assert not osp.exists(tmp_path / 'preds.json')


# ---------------------------------------------------------------------- 3: resume, lock

def test_resume_without_last_checkpoint_continues_from_the_newest(trained_detector, tmp_path,
                                                                  detect_sample):
    """mmengine reads only last_checkpoint: without it (here: empty) it trained
    from scratch over epoch_1/2.pth. Resuming the finished 2-epoch run trains nothing."""
    work_dir, _ = trained_detector
    for name in ('epoch_1.pth', 'epoch_2.pth'):
        shutil.copy2(osp.join(work_dir, name), tmp_path / name)
    before = os.stat(tmp_path / 'epoch_1.pth').st_mtime_ns
    (tmp_path / 'last_checkpoint').write_text('')
    log = run_tool('tools/train.py', FRCNN_CONFIG, '--work-dir', str(tmp_path), '--resume',
                   '--cfg-options', *sample_options(*detect_sample), 'train_cfg.max_epochs=2')
    assert 'last_checkpoint is empty; resuming from the newest checkpoint there, ' \
           'epoch_2.pth' in log
    assert 'resumed epoch: 2, iter: 2' in log and 'Epoch(train)' not in log
    assert os.stat(tmp_path / 'epoch_1.pth').st_mtime_ns == before  # not overwritten
    runtime.WorkDirLock(str(tmp_path)).acquire().release()  # released at the end


def test_find_resume_checkpoint(tmp_path):
    find_resume_checkpoint = runtime.find_resume_checkpoint
    assert find_resume_checkpoint(str(tmp_path)) is None  # nothing there: a fresh start
    for name in ('epoch_2.pth', 'epoch_10.pth', 'best_AP.pth'):
        (tmp_path / name).write_bytes(b'')
    assert find_resume_checkpoint(str(tmp_path)) == str(tmp_path / 'epoch_10.pth')
    # a moved work dir: last_checkpoint names the old absolute path
    (tmp_path / 'last_checkpoint').write_text('/old/place/epoch_2.pth')
    assert find_resume_checkpoint(str(tmp_path)) == str(tmp_path / 'epoch_2.pth')
    (tmp_path / 'last_checkpoint').write_text('')
    for name in ('epoch_2.pth', 'epoch_10.pth'):
        (tmp_path / name).unlink()
    with pytest.raises(FileNotFoundError, match='last_checkpoint is empty.*no epoch_'):
        find_resume_checkpoint(str(tmp_path))


def test_a_second_run_in_the_work_dir_is_refused(tmp_path):
    lock = runtime.WorkDirLock(str(tmp_path)).acquire()
    try:
        with pytest.raises(runtime.WorkDirBusy, match=rf'in use by another training run: '
                                                      rf'pid {os.getpid()} on '
                                                      rf'{socket.gethostname()}'):
            runtime.WorkDirLock(str(tmp_path)).acquire()
        proc = subprocess.run([sys.executable, 'tools/train.py', FRCNN_CONFIG, '--work-dir',
                               str(tmp_path)], cwd=REPO, capture_output=True, text=True)
        assert proc.returncode != 0 and 'WorkDirBusy' in proc.stderr
        assert f'pid {os.getpid()}' in proc.stderr
        assert not osp.exists(tmp_path / 'last_checkpoint')
    finally:
        lock.release()
    runtime.WorkDirLock(str(tmp_path)).acquire().release()  # free again


def test_the_lock_of_a_killed_run_is_free_at_once(tmp_path):
    """The kernel drops the lock with its process: no stale lock to clean up."""
    holder = subprocess.Popen(
        [sys.executable, '-c', 'import sys, time; from bdd100k_zoo.engine.runtime import '
         'WorkDirLock; WorkDirLock(sys.argv[1]).acquire(); print("held", flush=True); '
         'time.sleep(600)', str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == 'held'
        with pytest.raises(runtime.WorkDirBusy, match=rf'pid {holder.pid} on'):
            runtime.WorkDirLock(str(tmp_path)).acquire()
    finally:
        holder.kill()
        holder.wait()
    lock = runtime.WorkDirLock(str(tmp_path)).acquire()  # its lock file is still there
    assert read(tmp_path / 'train.lock')['pid'] == os.getpid()
    lock.release()


# ---------------------------------------------------- 4, 9: frames identified, none ignored

def test_frames_sharing_a_name_across_videos_are_all_scored(samples, tmp_path):
    """Per-video label files whose frames are all named 0000.jpg ... 0005.jpg."""
    label_dir = tmp_path / 'labels'
    label_dir.mkdir()
    for video in VIDEOS:
        frames = track_video(video)
        for i, frame in enumerate(frames):
            frame['name'] = f'{i:04d}.jpg'
        write(label_dir / f'{video}.json', frames)
    metric = BDD100KDetMetric(ann_file=str(label_dir), outfile_prefix=str(tmp_path / 'preds'))
    preds = []
    for frame in gt_frames(str(label_dir)):
        boxes = [lab for lab in frame.labels if not (lab.attributes or {}).get('crowd')]
        sample = DetDataSample(metainfo=dict(img_path=f'/img/{frame.videoName}/{frame.name}'))
        sample.pred_instances = InstanceData(
            bboxes=torch.tensor([[lab.box2d.x1, lab.box2d.y1, lab.box2d.x2 + 1, lab.box2d.y2 + 1]
                                 for lab in boxes]),
            scores=torch.ones(len(boxes)),
            labels=torch.tensor([DET_CLASSES.index(lab.category) for lab in boxes]))
        preds.append(sample)
    scores = evaluate(metric, preds)
    assert scores['bdd100k/AP'] == pytest.approx(100.0)
    submission = read(tmp_path / 'preds.json')
    assert len(submission) == 12
    assert {(f['videoName'], f['name']) for f in submission} == {
        (v, f'{i:04d}.jpg') for v in VIDEOS for i in range(6)}


def test_bitmask_submission_refuses_names_repeated_across_videos(tmp_path):
    from scalabel.label.typing import Frame
    metric = BDD100KInsSegMetric(format_only=True, outfile_prefix=str(tmp_path / 'p'))
    frames = [Frame(name='0000.jpg', videoName=v, labels=[]) for v in VIDEOS]
    with pytest.raises(OSError, match=r"frame names \['0000\.jpg'\] repeat"):
        metric.write_bitmasks(frames)


def test_predicted_frames_the_ground_truth_lacks_are_named(golden, golden_samples, tmp_path):
    gt = read(osp.join(golden, 'det/track_sample_anns.json'))[:10]
    gt_file = write(tmp_path / 'ten.json', gt)
    with pytest.raises(ValueError, match=r"192 of 202 predicted frames are not in the ground "
                                         r"truth .*ten\.json, e\.g\. frame"):
        evaluate(BDD100KDetMetric(ann_file=gt_file), golden_samples)
    with pytest.raises(ValueError, match='not in the ground truth'):
        evaluate(BDD100KInsSegMetric(ann_file=gt_file), [
            DetDataSample(metainfo=dict(img_path='/x/unknown.jpg'), pred_instances=InstanceData(
                bboxes=torch.zeros(0, 4), scores=torch.zeros(0),
                labels=torch.zeros(0, dtype=torch.long),
                masks=torch.zeros(0, 720, 1280, dtype=torch.bool)))], INS_SEG_CLASSES)


# ------------------------------------------------------------ 5: NaN never reaches a score

@pytest.mark.parametrize('field', ['bboxes', 'scores'])
def test_non_finite_predictions_are_an_error_naming_the_frame(golden_gt, golden_samples, field):
    samples = copy.deepcopy(golden_samples)
    values = samples[7]['pred_instances'][field]
    values.view(-1)[0] = float('nan') if field == 'bboxes' else float('inf')
    name = osp.basename(samples[7]['img_path'])
    with pytest.raises(ValueError, match=rf"non-finite .*frame '{name}'"):
        evaluate(BDD100KDetMetric(ann_file=golden_gt), samples)


def test_a_track_id_twice_in_a_frame_is_an_error(samples):
    gt_dir = osp.join(samples, 'track/labels')
    preds = to_samples(gt_frames(gt_dir))
    frame = preds[3].video_data_samples[0]
    frame.pred_track_instances.instances_id[1] = frame.pred_track_instances.instances_id[0]
    with pytest.raises(ValueError, match=rf"frame '{osp.basename(frame.img_path)}' of video "
                                         r".*a track id appears twice"):
        evaluate(BDD100KTrackMetric(ann_file=gt_dir), preds, BOX_TRACK_CLASSES)


def test_class_ids_outside_the_classes_are_an_error(golden_gt, golden_samples):
    samples = copy.deepcopy(golden_samples)
    samples[0]['pred_instances']['labels'][0] = -1  # would have become 'bicycle'
    with pytest.raises(ValueError, match=r'class ids \[-1'):
        evaluate(BDD100KDetMetric(ann_file=golden_gt), samples)


def test_undefined_scores_are_null_in_json_and_refused_in_records(samples):
    json_safe = new_api()[0].json_safe
    gt_dir = osp.join(samples, 'track/labels')
    metrics = evaluate(BDD100KTrackMetric(ann_file=gt_dir),
                       to_samples(gt_frames(gt_dir)), BOX_TRACK_CLASSES)
    undefined = [k for k, v in metrics.items() if math.isnan(v)]
    assert undefined  # classes absent from the sample: MOTA of 'bus', ...
    text = json.dumps(json_safe(metrics), allow_nan=False)
    assert json.loads(text)[undefined[0]] is None
    record = dict(name='x_bdd100k', task='det', model='m', config='configs/x/x_bdd100k.py',
                  published=dict(val=dict(scores=dict(AP=float('nan')), source='s')))
    with pytest.raises(RecordError, match='expected a finite number, got nan'):
        parse_record(record, 'x_bdd100k.json')


# ------------------------------------------------------------------ 6, 7: pixels checked

def test_16_bit_semantic_mask_values_are_not_wrapped(samples, tmp_path):
    from mmseg.registry import DATASETS
    init_default_scope('mmseg')
    img_dir = osp.join(samples, 'segment/images')
    seg_dir = tmp_path / 'masks'
    seg_dir.mkdir()
    for name in os.listdir(img_dir):
        mask = np.zeros((720, 1280), np.uint16)
        mask[10, 10] = 256  # as uint8: 0, road
        cv2.imwrite(str(seg_dir / name.replace('.jpg', '.png')), mask)
    ds = DATASETS.build(dict(type='BDD100KSemSegDataset', ann_file='',
                             data_prefix=dict(img_path=img_dir, seg_map_path=str(seg_dir)),
                             pipeline=[dict(type='LoadImageFromFile'),
                                       dict(type='LoadBDD100KSemSegAnnotations')]))
    with pytest.raises(ValueError, match=r'masks/.*\.png .*label values \[256\] \(uint16'):
        ds[0]


def test_image_of_another_size_than_its_labels_is_named_at_load(tmp_path):
    image = cv2.imread(osp.join(SAMPLES, 'detect/images/913b47b8-3cf1b886.jpg'))
    cv2.imwrite(str(tmp_path / '913b47b8-3cf1b886.jpg'), cv2.resize(image, (640, 360)))
    ann_file = osp.join(SAMPLES, 'detect/labels/annotation.json')
    with pytest.raises(ScalabelFormatError, match=r'913b47b8-3cf1b886\.jpg: the image is 640x360 '
                                                  r'.*annotation\.json .*are for 1280x720'):
        det_dataset(ann_file, str(tmp_path))


def test_bitmask_of_half_the_image_size_is_named_at_load(samples, tmp_path):
    from ins_seg_samples import write_gt_bitmasks
    mask_dir, img_dir = write_gt_bitmasks(samples, str(tmp_path))
    name = sorted(os.listdir(mask_dir))[3]
    path = osp.join(mask_dir, name)
    Image.open(path).resize((640, 360), Image.NEAREST).save(path)
    with pytest.raises(ScalabelFormatError, match=rf'{name[:-4]}\.jpg: the image is 1280x720 '
                                                  rf'.*bitmasks/{name}.* are for 640x360'):
        BDD100KInsSegDataset(ann_file=mask_dir, data_prefix=dict(img=img_dir), pipeline=[])


# ---------------------------------------------------------------- 10-13: load-time errors

def test_absurd_polygon_vertices_are_named_not_a_segfault(tmp_path):
    frames = detect_frames()
    car = next(lab for lab in frames[0]['labels'] if lab.get('poly2d'))
    car['poly2d'][0]['vertices'][1] = [1e8, 1e8]
    ann_file = write(tmp_path / 'poly.json', frames)
    with pytest.raises(ScalabelFormatError, match=rf"poly\.json: frame '913b47b8-3cf1b886.jpg': "
                                                  rf"label '{car['id']}' has a poly2d vertex "
                                                  r"\[100000000.0, 100000000.0\] far outside"):
        BDD100KInsSegDataset(ann_file=ann_file, data_prefix=dict(img=str(tmp_path)),
                             pipeline=[], mask_format='poly2d',
                             drop_categories=('traffic light', 'traffic sign'))


def test_empty_image_file_is_named_or_skipped(tmp_path):
    (tmp_path / 'empty.jpg').write_bytes(b'')
    os.symlink(osp.join(SAMPLES, 'detect/images/913b47b8-3cf1b886.jpg'), tmp_path / 'good.jpg')
    frames = []
    for name in ('good.jpg', 'empty.jpg'):
        frames.append(dict(detect_frames()[0], name=name))
    ann_file = write(tmp_path / 'det.json', frames)
    pipeline = [dict(type='LoadImageFromFile')]
    with pytest.raises(Exception, match=r"cannot read image .*empty\.jpg \(frame 'empty\.jpg'\)"):
        det_dataset(ann_file, str(tmp_path), pipeline=pipeline)[1]
    train = det_dataset(ann_file, str(tmp_path), pipeline=pipeline, skip_unreadable_images=True)
    assert train[1]['img_path'].endswith('good.jpg')
    assert {osp.basename(p) for p in train.skipped_images} == {'empty.jpg'}


def test_label_ids_are_checked_at_load(tmp_path):
    frames = detect_frames()
    del frames[0]['labels'][3]['id']
    with pytest.raises(ScalabelFormatError, match=r"913b47b8-3cf1b886\.jpg': label #3 \(category "
                                                  r"'traffic light'\) has no \"id\""):
        det_dataset(write(tmp_path / 'det.json', frames))
    video = track_video(VIDEOS[1])
    video[2]['labels'][1]['id'] = video[2]['labels'][0]['id']
    label_dir = tmp_path / 'track'
    label_dir.mkdir()
    write(label_dir / 'v.json', video)
    track = dict(ann_file=str(label_dir), data_prefix=dict(img=osp.join(SAMPLES, 'track/images')),
                 pipeline=[], test_mode=True)
    with pytest.raises(ScalabelFormatError, match=rf"v\.json: frame '{video[2]['name']}' of video "
                                                  rf"'{VIDEOS[1]}': track id .* used by two"):
        BDD100KBoxTrackDataset(**track)
    video = track_video(VIDEOS[1])
    video[4]['name'] = video[3]['name']
    write(label_dir / 'v.json', video)
    with pytest.raises(ScalabelFormatError, match=rf"frame '{video[3]['name']}' appears twice in "
                                                  rf"video '{VIDEOS[1]}' \(frameIndex 3 and 4\)"):
        BDD100KBoxTrackDataset(**track)


@pytest.mark.parametrize('content, message', [
    ('[{"name": "caf\xe9.jpg"}]'.encode('latin-1'),
     r'not UTF-8 text \(byte 0xe9 at offset 14, line 1'),
    (b'\xef\xbb\xbf[]', 'byte-order mark'),
    (b'[' * 100000 + b']' * 100000, 'nested too deeply'),
    (b'[{"name": "a.jpg",\n "labels": [', r'not valid JSON \(Expecting value: line 2'),
    (b'[]', r'no frames \(an empty label file'),
])
def test_unreadable_label_files_name_the_file(tmp_path, content, message):
    path = tmp_path / 'labels.json'
    path.write_bytes(content)
    with pytest.raises(ScalabelFormatError, match=rf'labels\.json: .*{message}'):
        det_dataset(str(path))


def test_out_of_range_numbers_name_the_label(tmp_path):
    frames = detect_frames()
    label = frames[0]['labels'][2]
    text = json.dumps(frames).replace(json.dumps(label['box2d']['x1']), '1e400', 1)
    (tmp_path / 'det.json').write_text(text)
    with pytest.raises(ScalabelFormatError, match=rf"label '{label['id']}' has a broken box2d "
                                                  r".*inf.*all finite"):
        det_dataset(str(tmp_path / 'det.json'))


def test_garbage_rle_is_named(samples, tmp_path):
    video = track_video(VIDEOS[1])
    video[1]['labels'][0]['rle']['counts'] = 'garbage!!'
    label_dir = tmp_path / 'labels'
    label_dir.mkdir()
    write(label_dir / 'v.json', video)
    with pytest.raises(ScalabelFormatError, match=rf"frame '{video[1]['name']}' of video .*"
                                                  r"label .* has an invalid rle"):
        BDD100KInsSegDataset(ann_file=str(label_dir), mask_format='rle', pipeline=[],
                             data_prefix=dict(img=osp.join(samples, 'track/images')))


def test_checkpoint_that_is_no_checkpoint(tmp_path):
    text = tmp_path / 'config.py'
    text.write_text('model = dict()\n')
    with pytest.raises(CheckpointError, match=r'config\.py is not a checkpoint: it starts with'):
        CheckpointLoader.load_checkpoint(str(text))
    empty = tmp_path / 'empty.pth'
    empty.write_bytes(b'')
    with pytest.raises(CheckpointError, match=r'empty\.pth is not a checkpoint: the file is '
                                              r'empty'):
        CheckpointLoader.load_checkpoint(str(empty))


# ------------------------------------------------------------------ 14: one box rule

@pytest.mark.parametrize('dx, ok', [(0, True), (-0.5, False), (-5, False)])
def test_one_box_rule_x1_le_x2(tmp_path, dx, ok):
    frames = detect_frames()
    box = frames[0]['labels'][0]['box2d']
    box['x2'] = box['x1'] + dx
    ann_file = write(tmp_path / 'det.json', frames)
    if ok:  # inclusive corners: x1 == x2 is a box 1 px wide
        info = det_dataset(ann_file).get_data_info(0)
        assert info['instances'][0]['bbox'][2] - info['instances'][0]['bbox'][0] == \
            pytest.approx(1)
    else:
        with pytest.raises(ScalabelFormatError, match=r'broken box2d .*need x1 <= x2 and y1 <= '
                                                      r'y2, all finite'):
            det_dataset(ann_file)


# --------------------------------------------- #18: categories the official evaluation refuses

def test_categories_the_official_evaluation_asserts_on_are_named_at_load(tmp_path):
    """Instance segmentation on the detection sample: its traffic lights carry
    no mask, but the official ground-truth conversion asserts on them."""
    ann_file = osp.join(SAMPLES, 'detect/labels/annotation.json')
    img = dict(img=osp.join(SAMPLES, 'detect/images'))
    with pytest.raises(ScalabelFormatError, match=r"annotation\.json: frame '913b47b8-3cf1b886"
                                                  r"\.jpg': label .* unknown category 'traffic "
                                                  r"light'"):
        BDD100KInsSegDataset(ann_file=ann_file, data_prefix=img, pipeline=[])
    assert len(BDD100KInsSegDataset(ann_file=ann_file, data_prefix=img, pipeline=[],
                                    drop_categories=('traffic light', 'traffic sign'))) == 1
    with pytest.raises(ScalabelFormatError, match=r"label .* has category 'traffic light', which "
                                                  r"is neither a BDD100K ins_seg class"):
        evaluate(BDD100KInsSegMetric(ann_file=ann_file), [], INS_SEG_CLASSES)
