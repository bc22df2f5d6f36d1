"""Builds the compiled core of the route evaluator (``solver/_routecost.c``).

Everything else about the package is in ``pyproject.toml``. The extension is optional:
without a C compiler the install still succeeds and ``solver.routes_eval`` times routes in
pure Python (the same costs, slower; ``docs/solver/ruin-and-recreate.md``).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "solver._routecost",
            ["solver/_routecost.c"],
            depends=[
                "solver/_routecost.h",
                "solver/_recreate.h",
                "solver/_regret.h",
                "solver/_ruin.h",
                "solver/_memo.h",
                "solver/_move.h",
            ],
            libraries=["m"],
            extra_compile_args=["-O2"],
            optional=True,
        )
    ]
)
