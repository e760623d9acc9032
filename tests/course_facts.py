"""Reference figures of the course (../shared/course-facts.md), as test data.

The notebooks and tests re-measure every one of them with initlab; this file only
holds the published numbers to compare with.
"""

# Section 2: per-layer std of the activations, 1000 N(0,1) inputs, 10 tanh layers of 500.
# (The table prints tiny values with 6 decimals; layer 10 of the small init is "~0".)
TANH_TABLE = {
    "small": [0.2133, 0.0476, 0.0106, 0.00239, 0.000535, 0.000119, 0.000027, 0.000006, 0.000001, 0.0],
    "large": [0.982, 0.982, 0.982, 0.982, 0.981, 0.982, 0.982, 0.982, 0.982, 0.982],
    "lecun": [0.627, 0.486, 0.409, 0.357, 0.320, 0.293, 0.271, 0.256, 0.243, 0.231],
}
# The table's values are rounded to 6 decimals at most.
TANH_TABLE_ROUNDING = 0.5e-6
