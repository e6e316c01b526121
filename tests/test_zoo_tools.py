"""tools/test.py records a real evaluation of the sample in the zoo (into a
tmp results dir), with scores file and per-class plot, and the generated
table shows it; tools/browse_dataset.py paints the ground truth."""
import hashlib
import json
import os.path as osp
import shutil

from PIL import Image

from bdd100k_zoo.zoo import load_record
from bdd100k_zoo.zoo.plots import PLOT_SIZE
from conftest import FRCNN_CONFIG, REPO, load_tool, run_tool, sample_options

NAME = 'faster_rcnn_r50_1x_bdd100k'


def test_evaluation_is_recorded_and_lands_in_the_table(trained_detector, detect_sample,
                                                       tmp_path):
    work_dir, _ = trained_detector
    results = tmp_path / 'results'
    results.mkdir()
    shutil.copy(osp.join(REPO, 'results', f'{NAME}.json'), results)
    published = load_record(str(results / f'{NAME}.json')).published
    ckpt = osp.join(work_dir, 'epoch_2.pth')
    run_tool('tools/test.py', FRCNN_CONFIG, ckpt, '--work-dir', str(tmp_path / 'work'),
             '--results-dir', str(results), '--show-dir', str(results / 'visuals' / NAME),
             '--outfile-prefix', str(results / 'preds' / NAME),
             '--cfg-options', *sample_options(*detect_sample))

    record = load_record(str(results / f'{NAME}.json'))
    assert record.published == published  # the measurement went beside it
    run = record.measured['val']
    assert set(record.measured) == {'val'} and run.num_images == 1
    assert 'tools/test.py' in run.command and '--results-dir' in run.command
    assert run.code_version.startswith('0.') and run.date[:2] == '20'
    assert run.checkpoint.file == ckpt
    assert run.checkpoint.sha256 == hashlib.sha256(open(ckpt, 'rb').read()).hexdigest()
    assert (run.scores_file, run.plot) == (f'scores/{NAME}_val.json', f'plots/{NAME}_val.png')
    assert (run.preds, run.visuals) == (f'preds/{NAME}.json', f'visuals/{NAME}')
    scores = json.loads((results / run.scores_file).read_text())
    assert 'AP/car' in scores and run.scores['AP'] == scores['AP'] and 'AP/car' not in run.scores
    with Image.open(results / run.plot) as plot:
        assert plot.format == 'PNG' and plot.size == PLOT_SIZE

    readme = tmp_path / 'README.md'
    readme.write_text('<!-- zoo-table:start -->\n<!-- zoo-table:end -->\n')
    gen = load_tool('gen_results_table')
    assert gen.main(['--results-dir', str(results), '--readme', str(readme)]) == 0
    row = [line for line in (results / 'README.md').read_text().splitlines()
           if line.startswith('| R-50-FPN | 1x |')][0]
    assert f'| {scores["AP"]:.1f} (31.2†) |' in row
    assert f'[scores](scores/{NAME}_val.json) \\| [plot](plots/{NAME}_val.png)' in row
    assert row.endswith(f'| [preds](preds/{NAME}.json) | [visuals](visuals/{NAME}) |')


def test_browse_dataset_paints_ground_truth(detect_sample, tmp_path):
    run_tool('tools/browse_dataset.py', FRCNN_CONFIG, '--output-dir', str(tmp_path),
             '--not-show', '--cfg-options', *sample_options(*detect_sample))
    painted = tmp_path / '913b47b8-3cf1b886.jpg'
    with Image.open(painted) as img:
        assert img.size == (320, 180)  # the sample scale of the training pipeline
        pixels = img.convert('RGB')
        assert len(set(pixels.getdata())) > 100  # a real image, not blank
