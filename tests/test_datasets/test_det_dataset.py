import json
import os.path as osp

import numpy as np
import pytest
from mmengine.registry import init_default_scope
from PIL import Image

from bdd100k_zoo.datasets import BDD100KDetDataset
from bdd100k_zoo.labels import DET_CLASSES
from bdd100k_zoo.scalabel import ScalabelFormatError


def make_dataset(ann_file, img_dir, pipeline=(), **kwargs):
    return BDD100KDetDataset(ann_file=ann_file, data_prefix=dict(img=img_dir),
                             pipeline=list(pipeline), **kwargs)


def test_detect_sample_boxes_classes_and_inclusive_corners(samples):
    ds = make_dataset(osp.join(samples, 'detect/labels/annotation.json'),
                      osp.join(samples, 'detect/images'))
    assert len(ds) == 1
    info = ds.get_data_info(0)
    assert info['img_path'] == osp.join(samples, 'detect/images/913b47b8-3cf1b886.jpg')
    assert (info['height'], info['width']) == (720, 1280)
    names = [DET_CLASSES[inst['bbox_label']] for inst in info['instances']]
    assert names == ['traffic light'] * 5 + ['traffic sign'] + ['car'] * 4
    assert not any(inst['ignore_flag'] for inst in info['instances'])
    # Scalabel corners are inclusive: x2, y2 gain one pixel.
    first = info['instances'][0]['bbox']
    np.testing.assert_allclose(first, [624.253824, 290.023202, 636.516861, 303.412543], rtol=1e-6)
    assert ds.metainfo['classes'] == DET_CLASSES


def test_track_sample_folder_counts_crowd_and_video_layout(samples):
    ds = make_dataset(osp.join(samples, 'track/labels'), osp.join(samples, 'track/images'),
                      test_mode=True)
    assert len(ds) == 12
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    # frames of a video live under images/<videoName>/<name>, as BDD100K ships them
    assert all(osp.isfile(info['img_path']) for info in infos)
    labels = np.concatenate([[i['bbox_label'] for i in info['instances']] for info in infos])
    counts = {DET_CLASSES[c]: int(n) for c, n in zip(*np.unique(labels, return_counts=True))}
    assert counts == {'car': 187, 'pedestrian': 35, 'truck': 20, 'rider': 6, 'motorcycle': 6}
    ignored = [(info['img_id'], inst['bbox']) for info in infos for inst in info['instances']
               if inst['ignore_flag']]
    assert ignored == [('00091078-875c1f73-0000171.jpg', [194.0, 403.0, 223.0, 420.0])]


def write_frames(path, frames):
    with open(path, 'w') as f:
        json.dump(frames, f)
    return str(path)


@pytest.fixture
def detect_frames(samples):
    with open(osp.join(samples, 'detect/labels/annotation.json')) as f:
        return json.load(f)


def test_name_mapping_and_ignored_categories(tmp_path, detect_frames):
    labels = detect_frames[0]['labels']
    labels[6]['category'] = 'van'            # name mapping -> car
    labels[7]['category'] = 'other vehicle'  # ignored mapping -> car, ignore
    labels[8]['category'] = 'trailer'        # ignored mapping -> truck, ignore
    labels[9]['attributes']['crowd'] = True  # crowd -> ignore
    ds = make_dataset(write_frames(tmp_path / 'det.json', detect_frames), str(tmp_path))
    insts = ds.get_data_info(0)['instances']
    assert [(DET_CLASSES[i['bbox_label']], i['ignore_flag']) for i in insts[6:]] == [
        ('car', 0), ('car', 1), ('truck', 1), ('car', 1)]


def test_training_filter_drops_frames_without_a_trainable_box(tmp_path, detect_frames):
    all_ignored = json.loads(json.dumps(detect_frames[0]))
    all_ignored['name'] = 'ignored-only.jpg'
    for label in all_ignored['labels']:
        label['attributes']['crowd'] = True
    empty = dict(name='empty.jpg', labels=None)
    path = write_frames(tmp_path / 'det.json', detect_frames + [all_ignored, empty])
    train = make_dataset(path, str(tmp_path), filter_cfg=dict(filter_empty_gt=True))
    assert [train.get_data_info(i)['img_id'] for i in range(len(train))] == [
        '913b47b8-3cf1b886.jpg']
    test = make_dataset(path, str(tmp_path), test_mode=True,
                        filter_cfg=dict(filter_empty_gt=True))
    assert len(test) == 3
    assert test.get_data_info(2)['instances'] == []


def test_test_split_without_labels_lists_the_images(samples):
    ds = make_dataset('', osp.join(samples, 'segment/images'), test_mode=True)
    assert [ds.get_data_info(i)['img_id'] for i in range(len(ds))] == [
        '91051a8d-dc9c6637.jpg', '913b47b8-3cf1b886.jpg']


def test_truncated_json_names_the_file(tmp_path, samples):
    with open(osp.join(samples, 'detect/labels/annotation.json')) as f:
        text = f.read()
    path = tmp_path / 'det_val.json'
    path.write_text(text[:len(text) // 2])
    with pytest.raises(ScalabelFormatError, match=r'det_val\.json: not valid JSON.*truncated'):
        make_dataset(str(path), str(tmp_path))


def test_unknown_category_names_file_frame_and_label(tmp_path, detect_frames):
    detect_frames[0]['labels'][3]['category'] = 'spaceship'
    path = write_frames(tmp_path / 'det.json', detect_frames)
    with pytest.raises(ScalabelFormatError,
                       match=r"det\.json: frame '913b47b8-3cf1b886\.jpg'.*'1032911'.*'spaceship'"):
        make_dataset(path, str(tmp_path))


@pytest.mark.parametrize('box2d, problem', [
    (dict(x1=50, y1=10, x2=40, y2=20), 'need x1 <= x2'),
    (dict(x1=1500, y1=10, x2=1600, y2=20), 'outside the 1280x720 image'),
    (dict(x1=1, y1=2, x2=3), 'malformed box2d'),
])
def test_broken_boxes_name_the_frame(tmp_path, detect_frames, box2d, problem):
    detect_frames[0]['labels'][0]['box2d'] = box2d
    path = write_frames(tmp_path / 'det.json', detect_frames)
    with pytest.raises(ScalabelFormatError, match=rf"'913b47b8-3cf1b886\.jpg'.*{problem}"):
        make_dataset(path, str(tmp_path))


def test_box_over_the_border_is_clipped(tmp_path, detect_frames):
    detect_frames[0]['labels'][0]['box2d'] = dict(x1=-5, y1=700, x2=20, y2=730)
    ds = make_dataset(write_frames(tmp_path / 'det.json', detect_frames), str(tmp_path))
    assert ds.get_data_info(0)['instances'][0]['bbox'] == [0.0, 700.0, 21.0, 720.0]


def test_duplicate_frame_is_an_error(tmp_path, detect_frames):
    path = write_frames(tmp_path / 'det.json', detect_frames * 2)
    with pytest.raises(ScalabelFormatError, match='appears twice'):
        make_dataset(path, str(tmp_path))


def test_missing_image_names_the_file(tmp_path, samples):
    init_default_scope('mmdet')
    ds = BDD100KDetDataset(
        ann_file=osp.join(samples, 'detect/labels/annotation.json'),
        data_prefix=dict(img=str(tmp_path)), pipeline=[dict(type='LoadImageFromFile')],
        test_mode=True)
    with pytest.raises(FileNotFoundError, match='913b47b8-3cf1b886.jpg'):
        ds[0]


@pytest.fixture
def images_with_problems(tmp_path, detect_frames, samples):
    """Three frames: a real image, a missing one and one that is not a JPEG."""
    src = osp.join(samples, 'detect/images/913b47b8-3cf1b886.jpg')
    (tmp_path / 'good.jpg').write_bytes(open(src, 'rb').read())
    (tmp_path / 'corrupt.jpg').write_bytes(b'not an image at all')
    frames = []
    for name in ('good.jpg', 'missing.jpg', 'corrupt.jpg'):
        frame = json.loads(json.dumps(detect_frames[0]))
        frame['name'] = name
        frames.append(frame)
    return write_frames(tmp_path / 'det.json', frames), str(tmp_path)


@pytest.mark.parametrize('name, error', [('missing.jpg', FileNotFoundError),
                                         ('corrupt.jpg', AssertionError)])
def test_unreadable_image_stops_the_run_by_default(images_with_problems, name, error):
    init_default_scope('mmdet')
    ann_file, img_dir = images_with_problems
    ds = make_dataset(ann_file, img_dir, pipeline=[dict(type='LoadImageFromFile')])
    index = [ds.get_data_info(i)['img_id'] for i in range(len(ds))].index(name)
    with pytest.raises(error, match=rf"cannot read image .*{name} \(frame '{name}'\)"):
        ds[index]


def test_opt_in_skip_reports_each_unreadable_training_image(images_with_problems, caplog):
    init_default_scope('mmdet')
    ann_file, img_dir = images_with_problems
    ds = make_dataset(ann_file, img_dir, pipeline=[dict(type='LoadImageFromFile')],
                      skip_unreadable_images=True)
    samples = [ds[i] for i in range(len(ds))]
    assert all(s['img_path'].endswith('good.jpg') for s in samples)  # refetched
    assert {osp.basename(p) for p in ds.skipped_images} == {'corrupt.jpg', 'missing.jpg'}
    test = make_dataset(ann_file, img_dir, pipeline=[dict(type='LoadImageFromFile')],
                        skip_unreadable_images=True, test_mode=True)
    with pytest.raises(FileNotFoundError, match='missing.jpg'):
        test[1]


@pytest.fixture
def odd_image(tmp_path, samples):
    """``913b47b8-3cf1b886.jpg`` (labels for 1280x720) written by ``save``."""
    src = Image.open(osp.join(samples, 'detect/images/913b47b8-3cf1b886.jpg'))

    def write(save):
        save(src, str(tmp_path / '913b47b8-3cf1b886.jpg'))
        return osp.join(samples, 'detect/labels/annotation.json'), str(tmp_path)
    return write


def turned_jpeg(image, path):
    """The frame stored 720x1280 whose EXIF orientation (6) turns it back to 1280x720."""
    exif = Image.Exif()
    exif[0x0112] = 6
    image.transpose(Image.Transpose.ROTATE_90).save(path, format='JPEG', exif=exif.tobytes())


def test_exif_orientation_counts_as_the_loader_decodes_it(odd_image):
    """cv2 (mmcv's loader) turns the stored 720x1280 pixels to 1280x720: the
    labels fit what is decoded, with mmcv's default loading and without any."""
    init_default_scope('mmdet')
    ann_file, img_dir = odd_image(turned_jpeg)
    ds = make_dataset(ann_file, img_dir, pipeline=[dict(type='LoadImageFromFile')])
    assert ds[0]['img'].shape == (720, 1280, 3)
    make_dataset(ann_file, img_dir)
    with pytest.raises(ScalabelFormatError, match=r"913b47b8-3cf1b886\.jpg: the image is 720x1280 "
                       r"\(WxH\) but its labels in .*annotation\.json \(frame '913b47b8-3cf1b886"
                       r"\.jpg'\) are for 1280x720"):
        make_dataset(ann_file, img_dir, pipeline=[
            dict(type='LoadImageFromFile', color_type='color_ignore_orientation')])


def test_exif_turned_image_is_named_at_load(odd_image):
    """Stored 1280x720 as the labels say, but decoded 720x1280 by cv2."""
    def save(image, path):
        exif = Image.Exif()
        exif[0x0112] = 8
        image.save(path, format='JPEG', exif=exif.tobytes())
    ann_file, img_dir = odd_image(save)
    with pytest.raises(ScalabelFormatError, match=r"913b47b8-3cf1b886\.jpg: the image is 720x1280 "
                       r".*frame '913b47b8-3cf1b886\.jpg'.* are for 1280x720; it is stored "
                       r'1280x720 and its EXIF orientation turns it'):
        make_dataset(ann_file, img_dir)


@pytest.mark.parametrize('fmt', ['BMP', 'WEBP', 'PNG'])
def test_other_formats_saved_as_jpg_are_checked(odd_image, fmt):
    init_default_scope('mmdet')
    ann_file, img_dir = odd_image(lambda image, path: image.save(path, format=fmt))
    ds = make_dataset(ann_file, img_dir, pipeline=[dict(type='LoadImageFromFile')])
    assert ds[0]['img'].shape == (720, 1280, 3)  # the right size: it loads
    ann_file, img_dir = odd_image(
        lambda image, path: image.resize((640, 360)).save(path, format=fmt))
    with pytest.raises(ScalabelFormatError, match=r"913b47b8-3cf1b886\.jpg: the image is 640x360 "
                       r".*frame '913b47b8-3cf1b886\.jpg'.* are for 1280x720"):
        make_dataset(ann_file, img_dir)
