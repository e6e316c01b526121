"""Painted frames people can open: the zoo's visualizers (registered in mmdet's and
mmseg's ``VISUALIZERS``; they paint on every process), ``--show-dir`` settings, and
painted frames assembled into one mp4 per video (GIF optional)."""
from .local_visualizer import (BDD100KDetVisualizer, BDD100KSegVisualizer,
                               BDD100KTagVisualizer, BDD100KTrackVisualizer, paint_gt_masks,
                               paint_on_every_rank)
from .videos import GIF_WIDTH, make_videos, video_frames, write_video

__all__ = ['BDD100KDetVisualizer', 'BDD100KSegVisualizer', 'BDD100KTagVisualizer',
           'BDD100KTrackVisualizer',
           'paint_gt_masks', 'paint_on_every_rank', 'GIF_WIDTH', 'make_videos',
           'video_frames', 'write_video']
