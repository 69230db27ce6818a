"""numpy's Philox-4x64 stream in numba, bit for bit: the fast path draws exactly the numbers the
event engine draws through `numpy.random.Generator(numpy.random.Philox(key=seed, counter=...))`.

Philox-4x64-10 (Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC 2011;
the Random123 constants), as numpy implements it: the 256-bit counter is incremented (with carry)
before each block of four 64-bit outputs, which are then used in order; a double is the top 53 bits
of one output times 2^-53.
"""
from __future__ import annotations

import numpy as np
from numba import njit, uint64

M0 = np.uint64(0xD2E7470EE14C6C93)
M1 = np.uint64(0xCA5A826395121157)
W0 = np.uint64(0x9E3779B97F4A7C15)
W1 = np.uint64(0xBB67AE8584CAA73B)
MASK32 = np.uint64(0xFFFFFFFF)
S32 = np.uint64(32)
S11 = np.uint64(11)
ONE = np.uint64(1)
ZERO = np.uint64(0)
TWO_M53 = 1.0 / 9007199254740992.0


@njit(cache=True, inline="always")
def _mulhilo(a, b):
    a_lo, a_hi = a & MASK32, a >> S32
    b_lo, b_hi = b & MASK32, b >> S32
    lo_lo = a_lo * b_lo
    hi_lo = a_hi * b_lo
    lo_hi = a_lo * b_hi
    cross = (lo_lo >> S32) + (hi_lo & MASK32) + lo_hi
    hi = a_hi * b_hi + (hi_lo >> S32) + (cross >> S32)
    lo = (cross << S32) | (lo_lo & MASK32)
    return hi, lo


@njit(cache=True)
def _block(c0, c1, c2, c3, k0, k1, out):
    """The four outputs of Philox-4x64-10 for counter (c0..c3) and key (k0, k1) into out[0:4]."""
    for r in range(10):
        if r > 0:
            k0 = k0 + W0
            k1 = k1 + W1
        hi0, lo0 = _mulhilo(M0, c0)
        hi1, lo1 = _mulhilo(M1, c2)
        c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
    out[0] = c0
    out[1] = c1
    out[2] = c2
    out[3] = c3


@njit(cache=True)
def uniforms(key_lo, key_hi, c2, n, out):
    """The first n doubles of `Generator(Philox(key=key, counter=[0, 0, c2, 0])).random(n)` into out[:n]."""
    buf = np.empty(4, dtype=np.uint64)
    c0 = uint64(0)
    c1 = uint64(0)
    cc2 = uint64(c2)
    c3 = uint64(0)
    pos = 4
    for j in range(n):
        if pos == 4:
            c0 = c0 + ONE
            if c0 == ZERO:
                c1 = c1 + ONE
                if c1 == ZERO:
                    cc2 = cc2 + ONE
                    if cc2 == ZERO:
                        c3 = c3 + ONE
            _block(c0, c1, cc2, c3, key_lo, key_hi, buf)
            pos = 0
        out[j] = float(buf[pos] >> S11) * TWO_M53
        pos += 1


def key_words(seed: int) -> tuple[np.uint64, np.uint64]:
    """numpy's 128-bit Philox key of an integer seed, as (low, high) 64-bit words."""
    seed = int(seed)
    return np.uint64(seed & 0xFFFFFFFFFFFFFFFF), np.uint64((seed >> 64) & 0xFFFFFFFFFFFFFFFF)


@njit(cache=True)
def uniform_at(key_lo, key_hi, c2, index, buf):
    """Double number `index` (0-based) of the same stream, computed directly: the counter is
    counter-based, so draw j comes from block j // 4 + 1 (no carry below 2^64 blocks)."""
    _block(uint64(index // 4 + 1), uint64(0), uint64(c2), uint64(0), key_lo, key_hi, buf)
    return float(buf[index % 4] >> S11) * TWO_M53


@njit(cache=True)
def uniform_of_trials(key_lo, key_hi, first, n, index, out):
    """Double number `index` of each of the streams of trials first..first+n-1, into out[:n]."""
    buf = np.empty(4, dtype=np.uint64)
    for t in range(n):
        out[t] = uniform_at(key_lo, key_hi, uint64(first + t), index, buf)
