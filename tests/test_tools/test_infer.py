"""tools/infer.py on the real samples, every task, with random weights of the
zoo configs: Scalabel JSON that the official tool evaluates, painted frames
and videos, tracking ids per video, bad input."""
import json
import os
import os.path as osp
import sys
import warnings
from unittest import mock

import cv2
import numpy as np
import pytest

from helpers import SAMPLES, load_tool, random_weights

CONFIGS = dict(
    det='configs/faster_rcnn/faster_rcnn_r50_1x_bdd100k.py',
    ins_seg='configs/mask_rcnn/mask_rcnn_r50_1x_bdd100k.py',
    sem_seg='configs/semantic_fpn/semantic_fpn_r50_40k_bdd100k.py',
    box_track='configs/qdtrack/qdtrack_frcnn_r50_fpn_1x_bdd100k.py',
    seg_track='configs/qdtrack/qdtrack_mask_rcnn_r50_fpn_12e_mots_bdd100k.py',
    tagging='configs/resnet/resnet18_5x_224_weather_bdd100k.py',
    pose='configs/simplebaseline/simplebaseline_mobilenetv2_1x_256x192_bdd100k.py')
# small test scale, few boxes: the pipeline is under test, not the model
FEW_BOXES = ['model.test_cfg.rpn.max_per_img=50', 'model.test_cfg.rcnn.max_per_img=10']
OPTIONS = dict(
    det=['test_dataloader.dataset.pipeline.1.scale=(320,180)'] + FEW_BOXES,
    ins_seg=['test_dataloader.dataset.pipeline.1.scale=(320,180)'] + FEW_BOXES,
    sem_seg=['test_dataloader.dataset.pipeline.1.scale=(320,180)'],
    # an untrained model scores every box low: let all of them become tracks
    box_track=['test_dataloader.dataset.pipeline.0.transforms.1.scale=(192,108)',
               'model.detector.test_cfg.rpn.max_per_img=50',
               'model.detector.test_cfg.rcnn.max_per_img=8',
               'model.detector.test_cfg.rcnn.score_thr=0.0', 'model.tracker.init_score_thr=0.0',
               'model.tracker.obj_score_thr=0.0'])
TRACK_VIDEOS = ('00091078-875c1f73', 'b1c66a42-6f7d68ca')
OPTIONS['seg_track'] = OPTIONS['box_track']
OPTIONS['tagging'] = ['test_dataloader.num_workers=0']  # 224 x 224 already
OPTIONS['pose'] = ['model.test_cfg.flip_test=False']  # person crops of 256 x 192 already


@pytest.fixture(scope='module')
def weights(samples, tmp_path_factory):
    folder = tmp_path_factory.mktemp('infer_weights')
    return {task: random_weights(config, str(folder / f'{task}.pth'))
            for task, config in CONFIGS.items()}


def infer(task, ckpt, inputs, out_dir, *extra):
    """tools/infer.py in this process (its main(argv)), as a user runs it."""
    return load_tool('infer').main([CONFIGS[task], ckpt, str(inputs), '--out-dir', str(out_dir),
                                    *extra, '--cfg-options', *OPTIONS[task]])


def official_eval(task, gt, result, out_file):
    """``python -m bdd100k.eval.run`` (its run(), in this process)."""
    from bdd100k.eval.run import run
    argv = ['run', '-t', task, '-g', str(gt), '-r', str(result), '--nproc', '1',
            '--out-file', str(out_file), '-q']
    with mock.patch.object(sys, 'argv', argv):
        run()
    with open(out_file) as f:
        return json.load(f)


def scalabel_frames(path):
    from scalabel.label.io import load
    return load(str(path), nprocs=0).frames


def video_frame_count(path):
    capture = cv2.VideoCapture(str(path))
    count = 0
    while capture.read()[0]:
        count += 1
    return count


def write_mp4(frame_paths, path, size=(320, 180)):
    from bdd100k_zoo.visualization import write_video
    return write_video((cv2.resize(cv2.imread(p), size) for p in frame_paths), str(path), 5)


def track_frames(video):
    folder = osp.join(SAMPLES, 'track/images', video)
    return [osp.join(folder, n) for n in sorted(os.listdir(folder))]


def test_detection_image_evaluates_with_the_official_tool(weights, tmp_path):
    summary = infer('det', weights['det'], osp.join(SAMPLES, 'detect/images'), tmp_path)
    assert (summary.frames, summary.images, summary.videos, summary.unreadable) == (1, 1, 0, [])
    frames = scalabel_frames(tmp_path / 'predictions.json')
    assert [f.name for f in frames] == ['913b47b8-3cf1b886.jpg']
    from bdd100k_zoo.labels import DET_CLASSES  # no meta: classes of the config's task
    assert frames[0].labels and {l.category for l in frames[0].labels} <= set(DET_CLASSES)
    scores = official_eval('det', osp.join(SAMPLES, 'detect/labels/annotation.json'),
                           tmp_path / 'predictions.json', tmp_path / 'eval.json')
    assert 'AP' in scores
    painted = cv2.imread(str(tmp_path / 'painted/913b47b8-3cf1b886.jpg'))
    assert painted.shape == (720, 1280, 3)
    assert not [n for n in os.listdir(tmp_path) if n.startswith('.infer-tmp')]


def test_instance_segmentation_writes_rle_masks_the_official_tool_reads(weights, tmp_path):
    # ground truth with RLE masks: one frame of the track sample, as an image set
    with open(osp.join(SAMPLES, 'track/labels', TRACK_VIDEOS[1] + '.json')) as f:
        gt = json.load(f)[0]
    gt = dict(name=gt['name'], labels=gt['labels'])
    (tmp_path / 'gt.json').write_text(json.dumps([gt]))
    infer('ins_seg', weights['ins_seg'], track_frames(TRACK_VIDEOS[1])[0], tmp_path, '--no-paint')
    frames = scalabel_frames(tmp_path / 'predictions.json')
    assert [f.name for f in frames] == [gt['name']] and frames[0].labels
    # (a mask emptied by the overlap removal stays a box without rle, as in tools/test.py)
    rles = [l.rle for l in frames[0].labels if l.rle is not None]
    assert rles and all(tuple(rle.size) == (720, 1280) for rle in rles)
    scores = official_eval('ins_seg', tmp_path / 'gt.json', tmp_path / 'predictions.json',
                           tmp_path / 'eval.json')
    assert 'AP' in scores
    assert not osp.exists(tmp_path / 'painted')


def test_semantic_segmentation_folder_pngs_rle_json_and_painting(weights, tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')  # whatever this process has shown before
        infer('sem_seg', weights['sem_seg'], osp.join(SAMPLES, 'segment/images'), tmp_path)
    # the console: the run, not mmseg's notices about how its heads build their losses
    assert not [w for w in caught if 'build_loss' in str(w.message) or
                'avg_non_ignore' in str(w.message)]
    names = ['91051a8d-dc9c6637', '913b47b8-3cf1b886']
    assert sorted(os.listdir(tmp_path / 'predictions')) == [n + '.png' for n in names]
    assert sorted(os.listdir(tmp_path / 'painted')) == [n + '.jpg' for n in names]
    frames = scalabel_frames(tmp_path / 'predictions.json')
    assert sorted(f.name for f in frames) == [n + '.jpg' for n in names]
    scores = official_eval('sem_seg', osp.join(SAMPLES, 'segment/labels/annotation.json'),
                           tmp_path / 'predictions.json', tmp_path / 'eval.json')
    assert {'IoU', 'fIoU', 'pAcc'} <= set(scores)


def small_copies(videos, folder, size=(320, 180)):
    """The track sample's frame folders, frames downscaled (names kept)."""
    for video in videos:
        os.makedirs(folder / video)
        for path in track_frames(video):
            cv2.imwrite(str(folder / video / osp.basename(path)),
                        cv2.resize(cv2.imread(path), size))
    return folder


def test_tracking_frame_folders_one_tracker_per_video(weights, tmp_path):
    inputs = small_copies(TRACK_VIDEOS, tmp_path / 'inputs')
    summary = infer('box_track', weights['box_track'], inputs, tmp_path)
    assert (summary.frames, summary.videos) == (12, 2)
    frames = scalabel_frames(tmp_path / 'predictions.json')
    per_video = {v: [f for f in frames if f.videoName == v] for v in TRACK_VIDEOS}
    # BDD100K frame names keep BDD100K's frameIndex: the labels' own
    assert [f.frameIndex for f in per_video[TRACK_VIDEOS[0]]] == list(range(165, 171))
    assert [f.frameIndex for f in per_video[TRACK_VIDEOS[1]]] == list(range(6))
    for video, video_frames in per_video.items():
        ids = [l.id for f in video_frames for l in f.labels or ()]
        assert ids, video
        # a track keeps its id within the video; every frame's ids are distinct
        assert all(len({l.id for l in f.labels}) == len(f.labels) for f in video_frames)
        with open(tmp_path / 'predictions' / f'{video}.json') as f:
            assert [fr['name'] for fr in json.load(f)] == [fr.name for fr in video_frames]
        assert video_frame_count(tmp_path / 'painted' / f'{video}.mp4') == 6
        assert len(os.listdir(tmp_path / 'painted' / video)) == 6
    # each video's tracker starts afresh: its first frame's ids start from 0
    for video in TRACK_VIDEOS:
        first = {int(l.id) for l in per_video[video][0].labels}
        assert min(first) == 0, (video, first)
    scores = official_eval('box_track', osp.join(SAMPLES, 'track/labels'),
                           tmp_path / 'predictions', tmp_path / 'eval.json')
    assert 'mMOTA' in scores


def test_tracking_a_video_file(weights, tmp_path):
    video = tmp_path / 'dashcam.mp4'
    assert write_mp4(track_frames(TRACK_VIDEOS[1]), video) == 6
    out = tmp_path / 'out'
    summary = infer('box_track', weights['box_track'], video, out)
    assert (summary.frames, summary.videos, summary.unreadable) == (6, 1, [])
    frames = scalabel_frames(out / 'predictions/dashcam.json')
    assert [(f.videoName, f.name, f.frameIndex) for f in frames] == [
        ('dashcam', f'dashcam-{i + 1:07d}.jpg', i) for i in range(6)]
    assert video_frame_count(out / 'painted/dashcam.mp4') == 6
    painted = cv2.imread(str(out / 'painted/dashcam/dashcam-0000001.jpg'))
    assert painted.shape == (180, 320, 3)


def test_mots_tracks_masks_in_both_submission_formats(weights, tmp_path):
    video = TRACK_VIDEOS[1]
    inputs = small_copies([video], tmp_path / 'inputs')
    summary = infer('seg_track', weights['seg_track'], inputs, tmp_path)
    assert (summary.frames, summary.videos) == (6, 1)
    frames = scalabel_frames(tmp_path / 'predictions.json')
    labels = [label for frame in frames for label in frame.labels or ()]
    assert labels and all(label.id is not None and tuple(label.rle.size) == (180, 320)
                          for label in labels)
    with open(tmp_path / 'predictions' / f'{video}.json') as f:
        assert [frame['name'] for frame in json.load(f)] == [frame.name for frame in frames]
    bitmasks = sorted(os.listdir(tmp_path / 'predictions_bitmasks' / video))
    assert bitmasks == [osp.splitext(frame.name)[0] + '.png' for frame in frames]
    assert cv2.imread(str(tmp_path / 'predictions_bitmasks' / video / bitmasks[0]),
                      cv2.IMREAD_UNCHANGED).shape == (180, 320, 4)
    assert video_frame_count(tmp_path / 'painted' / f'{video}.mp4') == 6


def test_tagging_a_video_file(weights, tmp_path):
    from bdd100k_zoo.labels import tag_values
    video = tmp_path / 'dashcam.mp4'
    assert write_mp4(track_frames(TRACK_VIDEOS[1]), video) == 6
    summary = infer('tagging', weights['tagging'], video, tmp_path / 'out')
    assert (summary.frames, summary.videos) == (6, 1)
    with open(tmp_path / 'out/predictions.json') as f:
        frames = json.load(f)
    assert [frame['name'] for frame in frames] == [f'dashcam-{i + 1:07d}.jpg' for i in range(6)]
    assert all(frame['attributes']['weather'] in tag_values('weather') for frame in frames)
    assert video_frame_count(tmp_path / 'out/painted/dashcam.mp4') == 6


def test_pose_on_a_detectors_person_boxes_or_the_whole_image(weights, tmp_path):
    """A pose model on each pedestrian / rider box a zoo detector finds, with the
    detector's scores; without a detector on the whole frame of a video as one person.
    The submission is Scalabel frames with 18-node graphs, the skeletons are painted."""
    from mmengine.config import Config
    from bdd100k_zoo.apis import build_inferencer
    from bdd100k_zoo.apis.sources import collect_sources
    frame_path = track_frames(TRACK_VIDEOS[0])[0]
    det_options = {'test_dataloader.dataset.pipeline.1.scale': (320, 180),
                   'model.test_cfg.rpn.max_per_img': 50, 'model.test_cfg.rcnn.max_per_img': 100,
                   'model.test_cfg.rcnn.score_thr': 0.0}
    det_cfg = Config.fromfile(CONFIGS['det'])
    det_cfg.merge_from_dict(det_options)
    detector = build_inferencer(det_cfg, weights['det'], device='cpu')
    # the detector's file and options (tools/infer.py --det-cfg-options): the same boxes
    pose = build_inferencer(CONFIGS['pose'], weights['pose'], device='cpu',
                            cfg_options={'model.test_cfg.flip_test': False},
                            det_config=CONFIGS['det'], det_checkpoint=weights['det'],
                            det_score_thr=0.0, det_cfg_options=det_options)
    [(frame, image)] = list(collect_sources(frame_path)[0].frames())
    [boxes] = detector.postprocess([(frame, image)], detector.forward(
        next(detector.preprocess([(frame, image)]))[1]), score_thr=0.0)
    classes = detector.model.dataset_meta['classes']
    persons = [i for i, label in enumerate(boxes.pred_instances.labels.tolist())
               if classes[label] in ('pedestrian', 'rider')]
    assert persons  # an untrained detector still names some boxes persons
    [sample] = pose.forward([(frame, image)])
    assert sample.pred_instances.keypoints.shape == (len(persons), 18, 2)
    assert np.allclose(sample.pred_instances.bboxes,
                       boxes.pred_instances.bboxes[persons].numpy(), atol=1e-3)
    assert np.allclose(sample.pred_instances.bbox_scores,
                       boxes.pred_instances.scores[persons].numpy())
    # tools/infer.py on a video without a detector: each whole frame is the person
    video = tmp_path / 'walk.mp4'
    assert write_mp4(track_frames(TRACK_VIDEOS[0])[:3], video) == 3
    summary = infer('pose', weights['pose'], video, tmp_path / 'whole')
    frames = scalabel_frames(tmp_path / 'whole/predictions.json')
    assert [(f.name, len(f.labels)) for f in frames] == [
        (f'walk-{i + 1:07d}.jpg', 1) for i in range(3)]
    assert all(len(f.labels[0].graph.nodes) == 18 for f in frames) and summary.frames == 3
    assert video_frame_count(tmp_path / 'whole/painted/walk.mp4') == 3


def test_detection_on_a_video_and_a_folder_with_unreadable_frames(weights, tmp_path):
    inputs = tmp_path / 'inputs'
    (inputs / 'clip').mkdir(parents=True)
    for i, path in enumerate(track_frames(TRACK_VIDEOS[1])[:2]):
        cv2.imwrite(str(inputs / 'clip' / f'f{i + 1}.jpg'), cv2.resize(cv2.imread(path),
                                                                      (320, 180)))
    (inputs / 'clip' / 'f3.jpg').write_bytes(b'')  # 0 bytes
    (inputs / 'clip' / 'f10.jpg').write_bytes(b'\xff\xd8 not a jpeg')
    write_mp4(track_frames(TRACK_VIDEOS[0])[:3], inputs / 'road.mp4')
    (inputs / 'notes.txt').write_text('not an image')
    out = tmp_path / 'out'
    summary = infer('det', weights['det'], inputs, out, '--batch-size', '2')
    assert summary.frames == 5 and summary.videos == 2
    assert sorted(summary.unreadable) == sorted(str(inputs / 'clip' / n)
                                                for n in ('f3.jpg', 'f10.jpg'))
    frames = scalabel_frames(out / 'predictions.json')
    assert [(f.videoName, f.name, f.frameIndex) for f in frames] == [
        ('clip', 'f1.jpg', 0), ('clip', 'f2.jpg', 1), ('road', 'road-0000001.jpg', 0),
        ('road', 'road-0000002.jpg', 1), ('road', 'road-0000003.jpg', 2)]
    assert video_frame_count(out / 'painted/clip.mp4') == 2
    assert video_frame_count(out / 'painted/road.mp4') == 3


@pytest.mark.parametrize('make, error', [
    (lambda p: p.mkdir(), r'no images .* videos .* in it'),
    (lambda p: p.write_text('x'), r"unknown file type '\.txt'"),
    (lambda p: p.write_text('not a video'), r'cannot open as a video'),
    (lambda p: None, 'does not exist'),
])
def test_bad_input_is_a_clear_error(make, error, tmp_path):
    from bdd100k_zoo.apis import collect_sources
    path = tmp_path / ('in.txt' if 'unknown' in error else
                       'in.mp4' if 'video' in error else 'in')
    make(path)
    with pytest.raises((ValueError, FileNotFoundError), match=error):
        collect_sources(str(path))


def test_two_videos_of_one_name_are_refused(tmp_path):
    from bdd100k_zoo.apis import collect_sources
    (tmp_path / 'a').mkdir()
    cv2.imwrite(str(tmp_path / 'a' / '1.jpg'), cv2.imread(track_frames(TRACK_VIDEOS[1])[0]))
    write_mp4(track_frames(TRACK_VIDEOS[1])[:1], tmp_path / 'a.mp4')
    with pytest.raises(ValueError, match="two videos named 'a'"):
        collect_sources(str(tmp_path))


def test_a_run_failing_halfway_keeps_earlier_outputs(weights, tmp_path):
    from bdd100k_zoo.apis import build_inferencer, run_inference
    out = tmp_path / 'out'
    (out / 'painted').mkdir(parents=True)
    (out / 'predictions.json').write_text('earlier run')
    (out / 'painted' / 'mine.jpg').write_text('a user file')
    inferencer = build_inferencer(CONFIGS['det'], weights['det'], cfg_options={
        'test_dataloader.dataset.pipeline.1.scale': (320, 180),
        'model.test_cfg.rpn.max_per_img': 50, 'model.test_cfg.rcnn.max_per_img': 10})
    calls = []

    def forward(data):
        calls.append(data)
        if len(calls) == 2:
            raise RuntimeError('out of memory (simulated)')
        return type(inferencer).forward(inferencer, data)

    inferencer.forward = forward
    with pytest.raises(RuntimeError, match='simulated'):
        run_inference(inferencer, osp.join(SAMPLES, 'segment/images'), str(out), paint=False)
    assert (out / 'predictions.json').read_text() == 'earlier run'
    assert (out / 'painted' / 'mine.jpg').read_text() == 'a user file'


def test_input_kinds_and_frame_numbering(tmp_path):
    """Which sources an input gives (no model): stills vs videos, natural
    order, BDD100K frame names keep their frameIndex, others count from 0."""
    from bdd100k_zoo.apis import collect_sources
    small = cv2.resize(cv2.imread(track_frames(TRACK_VIDEOS[1])[0]), (64, 36))
    (tmp_path / 'clip').mkdir()
    for name in ('f10.jpg', 'f2.jpg', 'f1.png'):
        cv2.imwrite(str(tmp_path / 'clip' / name), small)
    (tmp_path / 'bdd').mkdir()
    for name in ('bdd-0000012.jpg', 'bdd-0000011.jpg'):
        cv2.imwrite(str(tmp_path / 'bdd' / name), small)
    cv2.imwrite(str(tmp_path / 'still.jpg'), small)

    def frames(source):
        return [(f.video, f.name, f.index) for f, image in source.frames()
                if image is not None]

    sources = collect_sources(str(tmp_path))
    assert [(s.kind, s.video, s.num_frames) for s in sources] == [
        ('images', None, 1), ('frames', 'bdd', 2), ('frames', 'clip', 3)]
    assert frames(sources[1]) == [('bdd', 'bdd-0000011.jpg', 10), ('bdd', 'bdd-0000012.jpg', 11)]
    assert frames(sources[2]) == [('clip', 'f1.png', 0), ('clip', 'f2.jpg', 1),
                                  ('clip', 'f10.jpg', 2)]
    # tracking: a folder of images, or one image, is a video named after its folder
    [source] = collect_sources(str(tmp_path / 'clip'), images_as_video=True)
    assert (source.kind, source.video, source.num_frames) == ('frames', 'clip', 3)
    [source] = collect_sources(str(tmp_path / 'still.jpg'), images_as_video=True)
    assert frames(source) == [(tmp_path.name, 'still.jpg', 0)]
    [source] = collect_sources(str(tmp_path / 'clip'))
    assert (source.kind, source.video, source.num_frames) == ('images', None, 3)


def test_a_video_claiming_more_frames_than_it_holds_ends_at_its_last_frame(tmp_path):
    """A container whose header claims 2e9 frames (an AVI of 3): its 3 frames,
    and a warning naming the file and the count it claimed."""
    import struct
    import numpy as np
    from bdd100k_zoo.apis import collect_sources
    small = tmp_path / 'small.avi'
    writer = cv2.VideoWriter(str(small), cv2.VideoWriter_fourcc(*'MJPG'), 5, (64, 36))
    for value in (0, 100, 200):
        writer.write(np.full((36, 64, 3), value, np.uint8))
    writer.release()
    data = bytearray(small.read_bytes())
    for chunk, offset in ((b'avih', 16), (b'strh', 32)):  # dwTotalFrames, dwLength
        struct.pack_into('<I', data, data.index(chunk) + 8 + offset, 2_000_000_000)
    claims = tmp_path / 'claims.avi'
    claims.write_bytes(bytes(data))
    [source] = collect_sources(str(claims))
    assert source.num_frames == 2_000_000_000
    with mock.patch('bdd100k_zoo.visualization.videos.print_log') as log:
        frames = [(frame.name, image.shape) for frame, image in source.frames()]
    assert frames == [(f'claims-{i:07d}.jpg', (36, 64, 3)) for i in (1, 2, 3)]
    assert str(claims) in log.call_args[0][0] and '2000000000' in log.call_args[0][0]


def test_frames_of_one_name_but_for_the_extension_are_refused(weights, tmp_path):
    (tmp_path / 'in').mkdir()
    image = cv2.resize(cv2.imread(track_frames(TRACK_VIDEOS[1])[0]), (64, 36))
    for name in ('x.jpg', 'x.png'):
        cv2.imwrite(str(tmp_path / 'in' / name), image)
    with pytest.raises(ValueError, match=r"two images named 'x'.*x\.jpg and .*x\.png"):
        infer('sem_seg', weights['sem_seg'], tmp_path / 'in', tmp_path / 'out')
    assert not osp.exists(tmp_path / 'out' / 'painted')


def test_a_second_run_replaces_the_paintings_and_a_users_folder_is_refused(weights, tmp_path):
    from bdd100k_zoo.utils.io import OutputError
    out = tmp_path / 'out'
    infer('det', weights['det'], osp.join(SAMPLES, 'segment/images'), out)
    assert len(os.listdir(out / 'painted')) == 2
    infer('det', weights['det'], osp.join(SAMPLES, 'detect/images'), out)
    assert os.listdir(out / 'painted') == ['913b47b8-3cf1b886.jpg']  # this run's only
    mine = tmp_path / 'mine'
    (mine / 'painted').mkdir(parents=True)
    (mine / 'painted' / 'holiday.jpg').write_text('a user file')
    with pytest.raises(OutputError, match=r'painted.*not written by a bdd100k_zoo'):
        infer('det', weights['det'], osp.join(SAMPLES, 'detect/images'), mine)
    assert os.listdir(mine / 'painted') == ['holiday.jpg']


@pytest.mark.parametrize('flag', [['--det-checkpoint', 'det.pth'], ['--det-cfg-options', 'a=1']])
def test_detector_options_without_a_detector_are_refused(flag, capsys):
    """A pose run's detector flags mean nothing without --det-config: an argparse error
    (exit 2) naming them, before any model is built."""
    with pytest.raises(SystemExit) as exit_info:
        load_tool('infer').main([CONFIGS['pose'], 'pose.pth', 'in', '--out-dir', 'out', *flag])
    assert exit_info.value.code == 2
    assert '--det-checkpoint and --det-cfg-options need --det-config' in capsys.readouterr().err
