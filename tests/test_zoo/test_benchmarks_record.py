"""A benchmark run prints its figures; only `--record` rewrites the project's
recorded ones (results/benchmarks.json), so a quick `--scale 0.1` run cannot
replace the README's numbers."""
import glob
import json
import os.path as osp
import sys

from helpers import REPO


def test_figures_are_recorded_only_when_asked(tmp_path, capsys):
    sys.path.insert(0, REPO)
    try:
        from benchmarks.common import parser, record
    finally:
        sys.path.remove(REPO)
    path = tmp_path / 'benchmarks.json'
    path.write_text(json.dumps({'label_loading': {'scale': 1.0}}))
    quick = parser('bench').parse_args([])
    assert record('label_loading', {'scale': 0.1}, quick.record, path=str(path)) is None
    assert json.loads(path.read_text()) == {'label_loading': {'scale': 1.0}}
    assert 'not recorded (add --record' in capsys.readouterr().out
    asked = parser('bench').parse_args(['--record'])
    assert record('label_loading', {'scale': 0.1}, asked.record, path=str(path)) == str(path)
    assert json.loads(path.read_text())['label_loading']['scale'] == 0.1


def test_every_benchmark_takes_record():
    scripts = sorted(glob.glob(osp.join(REPO, 'benchmarks', 'bench_*.py')))
    assert len(scripts) == 5  # label loading, worker memory, eval, training, inference
    for script in scripts:
        source = open(script).read()
        assert 'benchmark_parser(' in source and 'args.record' in source, script
