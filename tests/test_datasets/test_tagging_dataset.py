"""BDD100KTaggingDataset on real frames: the det_20 sample (with its image) and
the golden tagging frames (the 100K image labels' shape), one tag each."""
import json
import os.path as osp

import pytest

import bdd100k_zoo  # noqa: F401
from bdd100k_zoo.datasets import BDD100KTaggingDataset
from bdd100k_zoo.labels import TAGGING_VALUES
from bdd100k_zoo.scalabel import ScalabelFormatError

# mmpretrain's transforms by scope: whatever scope an earlier test left as the default
PIPELINE = [dict(type='mmpretrain.LoadImageFromFile'), dict(type='mmpretrain.ResizeEdge', scale=64),
            dict(type='mmpretrain.PackInputs')]


@pytest.mark.parametrize('tag,value', [('weather', 'clear'), ('scene', 'city street'),
                                       ('timeofday', 'dawn/dusk')])
def test_det_20_frame_with_its_image(detect_sample, tag, value):
    ann_file, img_dir = detect_sample
    dataset = BDD100KTaggingDataset(tag=tag, ann_file=ann_file, data_prefix=img_dir,
                                    pipeline=PIPELINE)
    assert dataset.metainfo['classes'] == TAGGING_VALUES[tag]
    assert len(dataset) == 1 and dataset.get_gt_labels().tolist() == \
        [TAGGING_VALUES[tag].index(value)]
    sample = dataset[0]
    assert sample['inputs'].shape[1] == 64  # the real image, read and resized
    assert sample['data_samples'].gt_label.tolist() == [TAGGING_VALUES[tag].index(value)]
    assert osp.basename(sample['data_samples'].img_path) == '913b47b8-3cf1b886.jpg'


def test_image_labels_frames(golden):
    ann_file = osp.join(golden, 'tagging', 'tag_gts.json')
    with open(ann_file) as f:
        frames = json.load(f)
    dataset = BDD100KTaggingDataset(tag='scene', ann_file=ann_file, data_prefix='/img')
    assert [osp.basename(dataset.get_data_info(i)['img_path']) for i in range(len(dataset))] == \
        [f['name'] for f in frames]
    assert dataset.get_gt_labels().tolist() == \
        [TAGGING_VALUES['scene'].index(f['attributes']['scene']) for f in frames]


def test_test_split_is_the_image_folder(detect_sample):
    dataset = BDD100KTaggingDataset(tag='weather', data_prefix=detect_sample[1])
    assert [osp.basename(d['img_path']) for d in dataset] == ['913b47b8-3cf1b886.jpg']
    assert 'gt_label' not in dataset.get_data_info(0)


def test_bad_input_is_named(golden, tmp_path):
    ann_file = osp.join(golden, 'tagging', 'tag_gts.json')
    with pytest.raises(KeyError, match='lighting'):
        BDD100KTaggingDataset(tag='lighting', ann_file=ann_file)
    with pytest.raises(ValueError, match='model order'):
        BDD100KTaggingDataset(tag='weather', ann_file=ann_file,
                              metainfo=dict(classes=('clear', 'rainy')))
    frames = json.load(open(ann_file))
    del frames[2]['attributes']['timeofday']
    (tmp_path / 'labels.json').write_text(json.dumps(frames))
    with pytest.raises(ScalabelFormatError,
                       match=f"labels.json: frame '{frames[2]['name']}' has no 'timeofday'"):
        BDD100KTaggingDataset(tag='timeofday', ann_file=str(tmp_path / 'labels.json'))
