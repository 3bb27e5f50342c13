"""csh activation (the generator, ``conda-shell activate --eval --shell csh``) against
``python -S -c pass``; target: at most 2x."""

from pathlib import Path

from testharness.activation_bench import run

PACKAGE = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    run("csh", "hello.csh", "set bench_hello = 1\n", target=2.0, package=PACKAGE)
