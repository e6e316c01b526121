"""``tools/test.py --tta`` as mmdet 3.3 / mmseg 1.2 offer it, on the samples."""
import json
import sys
from unittest import mock

import pytest

from helpers import load_tool, random_weights
from test_doc_commands import bdd100k_root, rewritten

# mmseg's six TTA scales, tiny here: the wiring is under test, not the model
TINY_SEG_TTA = [f'tta_pipeline.1.transforms.0.{i}.scale_factor={0.1 + 0.02 * i:.2f}'
                for i in range(6)]


@pytest.mark.parametrize('config,task,key', [
    ('configs/faster_rcnn/faster_rcnn_r50_1x_bdd100k.py', 'det', 'AP'),
    ('configs/semantic_fpn/semantic_fpn_r50_40k_drivable_bdd100k.py', 'drivable', 'mIoU')])
def test_tta_scores_the_checkpoint_through_the_stock_tta_model(config, task, key, samples,
                                                               tmp_path):
    root = bdd100k_root(task, str(tmp_path / 'bdd100k'))
    ckpt = random_weights(config, str(tmp_path / 'model.pth'))
    argv = rewritten(f'python tools/test.py {config} CKPT --tta', root, ckpt, str(tmp_path))
    if task == 'drivable':
        argv += TINY_SEG_TTA
    with mock.patch.object(sys, 'argv', argv):
        load_tool('test').main()
    scores = json.loads((tmp_path / 'work' / 'scores.json').read_text())
    assert key in scores['metrics']
    # the zoo runner loads strictly: a checkpoint loaded into the TTA wrapper itself
    # (keys under module.) would have failed; the config the run kept names the wrapper
    kept = next((tmp_path / 'work').glob('*/*.log')).read_text()
    assert ('SegTTAModel' if task == 'drivable' else 'DetTTAModel') in kept


@pytest.mark.parametrize('config', ['configs/mask_rcnn/mask_rcnn_r50_1x_bdd100k.py',
                                    'configs/panoptic_fpn/panoptic_fpn_r50_1x_bdd100k.py',
                                    'configs/qdtrack/qdtrack_frcnn_r50_fpn_1x_bdd100k.py'])
def test_tta_is_refused_where_the_stack_has_none(config, tmp_path):
    argv = ['test.py', config, 'unused.pth', '--tta', '--work-dir', str(tmp_path)]
    with mock.patch.object(sys, 'argv', argv), \
            pytest.raises(ValueError, match=r'--tta is not offered for .*: mmdet 3\.3 merges'):
        load_tool('test').main()
    assert not list(tmp_path.iterdir())
