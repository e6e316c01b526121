# BDD100K drivable area at the earlier BDD100K zoo's 512x1024 crop
# (bdd100k-models drivable/configs/_base_/datasets/bdd100k_512x1024.py): the
# base is that pipeline already; this name pairs with bdd100k_drivable_769x769.py
# (and bdd100k_sem_seg_512x1024.py) so the family configs read alike.
_base_ = './bdd100k_drivable.py'
