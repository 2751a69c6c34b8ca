"""Base class of the still-image datasets (pytracking's `BaseImageDataset`)."""
import torch.utils.data

from ltr.data.image_loader import jpeg4py_loader


class BaseImageDataset(torch.utils.data.Dataset):
    """An image dataset: images with one annotated object each. Subclasses fill `image_list` (and
    `class_list`) and implement `get_name`, `get_image_info` and `get_image`."""

    def __init__(self, name, root, image_loader=jpeg4py_loader):
        """
        args:
            name - dataset name
            root - root folder of the dataset
            image_loader - function reading an image path into an RGB uint8 HxWx3 array
        """
        self.name = name
        self.root = root
        self.image_loader = image_loader
        self.image_list = []  # filled by subclasses
        self.class_list = []

    def __len__(self):
        """Number of images (pytracking: `get_num_images`)."""
        return self.get_num_images()

    def __getitem__(self, index):
        """Not used: samples come from the sampler (as in pytracking)."""
        return None

    def get_name(self):
        raise NotImplementedError

    def get_num_images(self):
        return len(self.image_list)

    def has_class_info(self):
        return False

    def get_class_name(self, image_id):
        return None

    def get_num_classes(self):
        return len(self.class_list)

    def get_class_list(self):
        return self.class_list

    def get_images_in_class(self, class_name):
        raise NotImplementedError

    def has_segmentation_info(self):
        return False

    def get_image_info(self, seq_id):
        """Dict with at least 'bbox' (4 float32 x,y,w,h), 'valid' and 'visible'."""
        raise NotImplementedError

    def get_image(self, image_id, anno=None):
        """Returns (image, anno, object_meta)."""
        raise NotImplementedError
