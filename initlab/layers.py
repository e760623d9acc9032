"""Two building blocks of today's networks, forward and backward in numpy: a normalization layer and a residual block.

Normalization (``Normalization``), over the features of each sample (LayerNorm)
or over the samples of each feature (BatchNorm, with the statistics of the batch
it is given)::

    z_hat = (z - mean(z)) / sqrt(var(z) + eps)        y = gamma * z_hat + beta

and its backward pass (``axis`` the one normalized over, n its length)::

    dz = (dz_hat - mean(dz_hat) - z_hat * mean(dz_hat * z_hat)) / sqrt(var(z) + eps),  dz_hat = gamma * dy

A pre-activation residual block (``ResidualBlock``), the branch F with two
weight layers and an optional normalization after the first::

    u = relu(x)     z = u @ W1 (+ b1)     n = norm(z) or z     h = relu(n)     F = h @ W2 + b2
    x' = x + alpha * F

``alpha`` is the branch scale: fixed (1 for a plain ResNet, 1/sqrt(L) for the
scaled fix) or learnable (ReZero/SkipInit, starting at 0).  Back-propagation::

    dF = alpha * dx'      d alpha = sum(dx' * F)      dW2 = h.T @ dF     dh = dF @ W2.T
    dz = norm_backward(dh * [n > 0])      dW1 = u.T @ dz      dx = dx' + (dz @ W1.T) * [x > 0]

PyTorch: ``nn.LayerNorm``, ``nn.BatchNorm1d`` (training mode, without running
averages); Keras: ``LayerNormalization``, ``BatchNormalization``.
"""

from __future__ import annotations

import numpy as np

from . import initializers as _initializers
from .checks import ArgumentError, as_generator, check_array, check_bool, check_choice, check_float, check_int

__all__ = ["Normalization", "ResidualBlock", "NORMS", "EPS"]

#: The normalizations: "layer" over each sample's features, "batch" over each feature's samples.
NORMS = {"layer": 1, "batch": 0}
#: Added to the variance before the square root, as PyTorch's and Keras' default (1e-5, 1e-3 in Keras).
EPS = 1e-5


class Normalization:
    """y = gamma (z - mean(z)) / sqrt(var(z) + eps) + beta, over each sample's features or each feature's samples.

    ``kind="layer"`` is LayerNorm (PyTorch ``nn.LayerNorm``, Keras
    ``LayerNormalization``), ``kind="batch"`` BatchNorm (``nn.BatchNorm1d``,
    ``BatchNormalization``) of ``width`` features, starting at gamma = 1, beta = 0.
    BatchNorm here always uses the mean and variance of the batch it is given (as
    in training); it keeps no running averages.
    """

    def __init__(self, kind, width, eps=EPS):
        self.kind = check_choice("kind", kind, NORMS)
        self.axis = NORMS[self.kind]
        width = check_int("width", width, minimum=1)
        self.eps = check_float("eps", eps, minimum=0.0)
        self.gamma = np.ones(width)
        self.beta = np.zeros(width)

    def parameters(self) -> list:
        return [self.gamma, self.beta]

    def forward(self, z):
        """y = gamma * z_hat + beta; returns (y, cache).  ``z`` has shape (n_samples, width)."""
        z = _checked_batch("z", z, self.gamma.size)
        if self.eps == 0 and np.any(z.var(axis=self.axis) == 0):
            raise ArgumentError(f"z has a constant {'sample' if self.axis else 'feature'} and eps=0: normalizing it "
                                f"divides by 0 (use eps > 0, e.g. PyTorch's 1e-5)")
        return self._forward(z)

    def _forward(self, z):
        centered = z - z.mean(axis=self.axis, keepdims=True)
        inv_std = 1.0 / np.sqrt((centered * centered).mean(axis=self.axis, keepdims=True) + self.eps)  # var(z)
        z_hat = centered * inv_std
        return self.gamma * z_hat + self.beta, (z_hat, inv_std)

    def backward(self, dy, cache):
        """(dz, [d gamma, d beta]) for the upstream gradient dy."""
        z_hat, inv_std = cache
        d_hat = dy * self.gamma
        dz = inv_std * (d_hat - d_hat.mean(axis=self.axis, keepdims=True)
                        - z_hat * (d_hat * z_hat).mean(axis=self.axis, keepdims=True))
        return dz, [(dy * z_hat).sum(axis=0), dy.sum(axis=0)]

    def __repr__(self) -> str:
        return f"Normalization({self.kind!r}, width={self.gamma.size})"


#: Entries beyond this overflow float64 when squared (for a variance or a mean square).
_LARGEST_ENTRY = 1e150


def _checked_batch(name, values, width):
    """A batch (n_samples, width) of finite numbers small enough to square, or a clear error."""
    values = check_array(name, values, ndim=2)
    if values.shape[1] != width:
        raise ArgumentError(f"{name} must have shape (n_samples, {width}), got {values.shape}")
    if np.max(np.abs(values)) > _LARGEST_ENTRY:
        raise ArgumentError(f"{name} has entries up to {np.max(np.abs(values)):.3g}: their squares overflow float64 "
                            f"(keep them below {_LARGEST_ENTRY:g})")
    return values


class ResidualBlock:
    """x' = x + alpha * F(x), F(x) = relu(norm(relu(x) @ W1 (+ b1))) @ W2 + b2.

    PyTorch has no single layer for it; torchvision's ResNets start the last
    BatchNorm of each branch at gamma = 0 with ``zero_init_residual=True``, the
    same identity start as ``last_layer_scale=0`` here.

    Parameters
    ----------
    width : int
        Units of the stream and of the branch's hidden layer.
    init : str or initializer
        W1 and W2 are drawn from it (default He: each weight layer follows a ReLU).
    last_layer_scale : float >= 0
        Multiplies W2 as drawn: 0 is Fixup's zero-initialized last layer, 1/sqrt(N)
        GPT-2's scaling of the residual projections (N residual layers).
    branch_scale : float
        alpha at the start.
    learnable_scale : bool
        alpha is a parameter trained with the others (ReZero: start it at 0).
    norm : None, "layer" or "batch"
        A normalization after the first weight layer; W1 then has no bias (beta
        plays its part).
    rng : seed or Generator
    """

    def __init__(self, width, init="he_normal", last_layer_scale=1.0, branch_scale=1.0, learnable_scale=False,
                 norm=None, rng=None):
        width = check_int("width", width, minimum=1)
        init = _initializers.get(init)
        last_layer_scale = check_float("last_layer_scale", last_layer_scale, minimum=0.0)
        branch_scale = check_float("branch_scale", branch_scale)
        learnable_scale = check_bool("learnable_scale", learnable_scale)
        norm = None if norm is None else check_choice("norm", norm, NORMS)
        rng = as_generator(rng)
        self.w1 = np.asarray(init(width, width, rng), dtype=np.float64)
        self.w2 = last_layer_scale * np.asarray(init(width, width, rng), dtype=np.float64)
        self.b2 = np.zeros(width)
        self.norm = None if norm is None else Normalization(norm, width)
        self.b1 = np.zeros(width) if self.norm is None else None
        self.alpha = np.array([branch_scale])  # an array, so that SGD can update it in place
        self.learnable_scale = learnable_scale

    def parameters(self) -> list:
        """The trained arrays, updated in place by SGD: W1, (b1 | gamma, beta), W2, b2, (alpha)."""
        middle = [self.b1] if self.norm is None else self.norm.parameters()
        return [self.w1, *middle, self.w2, self.b2] + ([self.alpha] if self.learnable_scale else [])

    def forward(self, x):
        """(x', cache) with x' = x + alpha * F(x); ``x`` has shape (n_samples, width)."""
        x = _checked_batch("x", x, self.w1.shape[0])
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported just below
            result = self._forward(x)
        if not np.all(np.isfinite(result[0])):
            raise ArgumentError("the block's output overflows float64 for this x: scale x or the weights down")
        return result

    def _forward(self, x):
        u = np.maximum(x, 0.0)
        z = u @ self.w1
        if self.norm is None:
            z += self.b1
            n, norm_cache = z, None
        else:
            n, norm_cache = self.norm._forward(z)
        h = np.maximum(n, 0.0)
        branch = h @ self.w2 + self.b2
        return x + self.alpha[0] * branch, (x, u, n, norm_cache, h, branch)

    def backward(self, grad, cache):
        """(dL/dx, gradients in the order of ``parameters()``) for grad = dL/dx'."""
        x, u, n, norm_cache, h, branch = cache
        d_branch = self.alpha[0] * grad
        dw2 = h.T @ d_branch
        dn = d_branch @ self.w2.T
        dn *= n > 0
        if self.norm is None:
            dz, middle = dn, [dn.sum(axis=0)]
        else:
            dz, middle = self.norm.backward(dn, norm_cache)
        dw1 = u.T @ dz
        dx = grad + (dz @ self.w1.T) * (x > 0)
        grads = [dw1, *middle, dw2, d_branch.sum(axis=0)]
        if self.learnable_scale:
            grads.append(np.array([np.sum(grad * branch)]))
        return dx, grads

    def hidden(self, cache) -> np.ndarray:
        """The branch's ReLU layer h from a forward cache (for counting dead units)."""
        return cache[4]
