import pytest
from bdd100k.label.label import labels as bdd100k_labels

from bdd100k_zoo.labels import (BOX_TRACK_CLASSES, DET_CLASSES, INS_SEG_CLASSES,
                                SEM_SEG_CLASSES, get_task_labels, sem_seg_train_ids)


def test_class_tuples_follow_the_official_configs():
    assert DET_CLASSES == ('pedestrian', 'rider', 'car', 'truck', 'bus', 'train', 'motorcycle',
                           'bicycle', 'traffic light', 'traffic sign')
    assert INS_SEG_CLASSES == DET_CLASSES[:8]
    assert BOX_TRACK_CLASSES == DET_CLASSES[:8]
    assert len(SEM_SEG_CLASSES) == 19


def test_sem_seg_classes_are_in_train_id_order():
    train_ids = sem_seg_train_ids()
    assert [train_ids[name] for name in SEM_SEG_CLASSES] == list(range(19))
    ignored = {label.name for label in bdd100k_labels if label.trainId == 255}
    assert {'unlabeled', 'dynamic', 'guard rail', 'trailer'} <= ignored
    assert not ignored & set(SEM_SEG_CLASSES)


def test_palettes_come_from_the_bdd100k_colours():
    colors = {label.name: tuple(label.color) for label in bdd100k_labels}
    sem = get_task_labels('sem_seg')
    assert sem.palette == tuple(colors[name] for name in SEM_SEG_CLASSES)
    det = get_task_labels('det')
    assert len(det.palette) == 10
    assert det.palette[0] == colors['person']  # pedestrian is "person" in the pixel taxonomy
    assert det.palette[2] == colors['car']


def test_name_and_ignored_mappings():
    det = get_task_labels('det')
    assert det.name_mapping['person'] == 'pedestrian'
    assert det.name_mapping['van'] == 'car'
    assert det.ignored_mapping == {'other person': 'pedestrian', 'other vehicle': 'car',
                                   'trailer': 'truck'}
    assert not det.remove_ignored
    assert get_task_labels('sem_seg').remove_ignored


def test_unknown_task_is_a_clear_error():
    with pytest.raises(KeyError, match='Unknown BDD100K task'):
        get_task_labels('lanes')
