"""Generate every zoo page from the result records, the configs and the papers.

    python tools/model_zoo/gen_tables.py [--results-dir results] [--readme README.md]
        [--index-root DIR] [--check]

Writes the tables into ``<results-dir>/README.md``, their summary (each
family's best val score) between the README's zoo-table markers, and under
``--index-root`` (default: the parent of the results dir)
``configs/<family>/{README.md,metafile.yml}`` and ``model-index.yml``. Each goes to a temporary name, renamed when complete: a
full disk or Ctrl-C leaves the old file whole. ``--check`` writes nothing and
exits 1 when a file is stale (the test suite runs it).
"""
import argparse
import os
import os.path as osp
import sys

import yaml

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)  # this checkout's package, whatever is installed

from bdd100k_zoo.utils.io import atomic_write  # noqa: E402
from bdd100k_zoo.zoo import load_records, model_index  # noqa: E402
from bdd100k_zoo.zoo.table import load_configs, render, replace_section, summary  # noqa: E402

PAPERS = osp.join(osp.dirname(osp.abspath(__file__)), 'papers.yml')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Generate the BDD100K zoo tables and pages')
    parser.add_argument('--results-dir', default=osp.join(REPO, 'results'),
                        help='directory of the records; its README.md is written')
    parser.add_argument('--readme', default=osp.join(REPO, 'README.md'),
                        help='README whose zoo-table section is replaced')
    parser.add_argument('--index-root',
                        help='where configs/<family>/{README.md,metafile.yml} and model-index.yml '
                        'are written (default: the parent of --results-dir)')
    parser.add_argument('--check', action='store_true',
                        help='write nothing; exit 1 when a generated file is stale')
    return parser.parse_args(argv)


def generate(args):
    """{path: content} of every generated file."""
    records = load_records(args.results_dir)
    configs = load_configs(REPO, records)
    index_root = osp.abspath(args.index_root or osp.dirname(osp.abspath(args.results_dir)))
    results_md = osp.join(args.results_dir, 'README.md')
    outputs = {results_md: f'# BDD100K model zoo results\n\n<!-- {model_index.GENERATED} -->\n\n'
               + render(records, REPO, args.results_dir, osp.dirname(osp.abspath(results_md)),
                        level=2, configs=configs)}
    with open(args.readme) as f:
        readme = f.read()
    section = summary(records, REPO, osp.dirname(osp.abspath(args.readme)))
    outputs[args.readme] = replace_section(readme, section, args.readme)
    with open(PAPERS) as f:
        papers = yaml.safe_load(f)
    outputs.update(model_index.render(records, configs, REPO, args.results_dir, index_root,
                                      papers))
    return outputs


def main(argv=None) -> int:
    args = parse_args(argv)
    outputs = generate(args)
    stale = [p for p, text in outputs.items()
             if not osp.isfile(p) or open(p, encoding='utf-8').read() != text]
    if args.check:
        if stale:
            print('stale zoo table(s) / pages / model index: ' + ', '.join(stale) +
                  '\nrun: python tools/model_zoo/gen_tables.py', file=sys.stderr)
            return 1
        print(f'zoo tables, pages and model index are current ({len(outputs)} files)')
        return 0
    for path in stale:
        os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
        with atomic_write(path) as f:
            f.write(outputs[path])
        print(f'wrote {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
