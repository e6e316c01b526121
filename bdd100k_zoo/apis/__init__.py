"""Run zoo models on your own images and videos (``tools/infer.py``).

    from bdd100k_zoo.apis import build_inferencer, run_inference
    inferencer = build_inferencer('configs/faster_rcnn/faster_rcnn_r50_1x_bdd100k.py', 'ckpt.pth')
    summary = run_inference(inferencer, 'my_dashcam.mp4', 'out/')
"""
from .inferencer import InferenceSummary, build_inferencer, run_inference, zoo_dataset_meta
from .sources import collect_sources

__all__ = ['InferenceSummary', 'build_inferencer', 'run_inference', 'zoo_dataset_meta',
           'collect_sources']
