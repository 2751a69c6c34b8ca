"""The full ATOM state dict must match pytracking's key list and shapes, so atom_default.pth loads strictly.

The expected list is written here from the inventory (§1.4: torchvision ResNet-18 layout for
`feature_extractor.*`, the AtomIoUNet layer table for `bb_regressor.*`), not derived from our model.
"""
import torch

from ltr.admin.atomic_io import atomic_torch_save
from ltr.admin.loading import load_network
from ltr.admin.model_constructor import NetConstructor
from ltr.models.bbreg.atom import atom_resnet18

BN_BUFFERS = ('weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked')


def _bn(prefix, c):
    return {f'{prefix}.{n}': (() if n == 'num_batches_tracked' else (c,)) for n in BN_BUFFERS}


def expected_resnet18(prefix):
    keys = {f'{prefix}.conv1.weight': (64, 3, 7, 7)}
    keys.update(_bn(f'{prefix}.bn1', 64))
    in_c = 64
    for layer, out_c in zip((1, 2, 3, 4), (64, 128, 256, 512)):
        for block in (0, 1):
            p = f'{prefix}.layer{layer}.{block}'
            c_in = in_c if block == 0 else out_c
            keys[f'{p}.conv1.weight'] = (out_c, c_in, 3, 3)
            keys.update(_bn(f'{p}.bn1', out_c))
            keys[f'{p}.conv2.weight'] = (out_c, out_c, 3, 3)
            keys.update(_bn(f'{p}.bn2', out_c))
            if block == 0 and layer > 1:   # stride-2 blocks have a 1x1 projection shortcut
                keys[f'{p}.downsample.0.weight'] = (out_c, in_c, 1, 1)
                keys.update(_bn(f'{p}.downsample.1', out_c))
        in_c = out_c
    keys[f'{prefix}.fc.weight'] = (1000, 512)
    keys[f'{prefix}.fc.bias'] = (1000,)
    return keys


def expected_iou_net(prefix):
    # name: (in, out, kernel) of the conv+BN+ReLU blocks, from the inventory's layer table.
    conv_blocks = {'conv3_1r': (128, 128, 3), 'conv3_1t': (128, 256, 3), 'conv3_2t': (256, 256, 3),
                   'fc3_1r': (128, 256, 3), 'conv4_1r': (256, 256, 3), 'conv4_1t': (256, 256, 3),
                   'conv4_2t': (256, 256, 3), 'fc34_3r': (512, 256, 1), 'fc34_4r': (512, 256, 1)}
    keys = {}
    for name, (cin, cout, k) in conv_blocks.items():
        keys[f'{prefix}.{name}.0.weight'] = (cout, cin, k, k)
        keys[f'{prefix}.{name}.0.bias'] = (cout,)
        keys.update(_bn(f'{prefix}.{name}.1', cout))
    for name, sz in (('fc3_rt', 5), ('fc4_rt', 3)):
        keys[f'{prefix}.{name}.linear.weight'] = (256, 256 * sz * sz)
        keys[f'{prefix}.{name}.linear.bias'] = (256,)
        keys.update(_bn(f'{prefix}.{name}.bn', 256))
    keys[f'{prefix}.iou_predictor.weight'] = (1, 512)
    keys[f'{prefix}.iou_predictor.bias'] = (1,)
    return keys


def test_full_state_dict_keys_and_shapes():
    expected = expected_resnet18('feature_extractor')
    expected.update(expected_iou_net('bb_regressor'))
    got = {k: tuple(v.shape) for k, v in atom_resnet18(backbone_pretrained=False).state_dict().items()}
    assert sorted(got) == sorted(expected)
    assert got == expected
    assert len(expected) == 122 + 79   # 122 torchvision ResNet-18 entries + 79 IoU-net entries


def test_pytracking_layout_checkpoint_loads_strictly(tmp_path):
    torch.manual_seed(0)
    src = atom_resnet18(backbone_pretrained=False)
    # pytracking's checkpoint layout; the released constructor asks for the ImageNet backbone.
    ckpt = {'epoch': 50, 'actor_type': 'AtomActor', 'net_type': 'ATOMnet', 'net': src.state_dict(), 'net_info': None,
            'constructor': NetConstructor('atom_resnet18', 'ltr.models.bbreg.atom', (),
                                          {'backbone_pretrained': True}),
            'optimizer': {}, 'stats': None, 'settings': {'project_path': 'ltr/bbreg/atom'}}
    path = tmp_path / 'ATOMnet_ep0050.pth.tar'
    atomic_torch_save(ckpt, path)
    net, ckpt_loaded = load_network(str(tmp_path), backbone_pretrained=False)
    assert ckpt_loaded['epoch'] == 50
    assert type(net).__name__ == 'ATOMnet'
    for k, v in src.state_dict().items():
        assert torch.equal(net.state_dict()[k], v), k
