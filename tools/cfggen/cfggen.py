#!/usr/bin/python3
"""cfggen: validate a Tessera scenario against its platform and generate its tables.

  cfggen.py generate --scenario PATH --out OUTDIR [--build-dir DIR] [--cache-dir DIR]
                     [--platform-root DIR] [--depfile FILE]
  cfggen.py check --scenario PATH [...]     validate only, print the review
"""

import argparse
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean when run from a build
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# pylint: disable=wrong-import-position
import outdir  # noqa: E402
from device_bindings import BindingError  # noqa: E402
from diagnostics import display_path  # noqa: E402
from emit_blobs import render_assembly, write_blobs  # noqa: E402
from emit_depfile import render_depfile  # noqa: E402
from emit_header import config_hash, render_header  # noqa: E402
from emit_linker import render_linker_script  # noqa: E402
from emit_review import render_review  # noqa: E402
from pipeline import Settings, configure  # noqa: E402
from repo import REPO_ROOT  # noqa: E402


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="cfggen", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="validate and write OUTDIR")
    check = commands.add_parser("check", help="validate only and print the review")
    for command in (generate, check):
        command.add_argument("--scenario", required=True, help="the .scenario.dts file")
        command.add_argument("--build-dir", help="what ${build} expands to in image paths")
        command.add_argument("--cache-dir", help="what ${cache} expands to "
                                                 "(default $XDG_CACHE_HOME/tessera)")
        command.add_argument("--platform-root", default=os.path.join(REPO_ROOT, "platform"),
                             help="directory holding <platform>/host.dts")
    generate.add_argument("--out", required=True, help="output directory (replaced)")
    generate.add_argument("--depfile", help="write a Make-syntax depfile here")
    return parser.parse_args(argv)


def image_variables(args):
    cache = args.cache_dir
    if not cache:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"),
                                                                 ".cache")
        cache = os.path.join(base, "tessera")
    variables = {"cache": os.path.abspath(cache), "source": REPO_ROOT}
    if args.build_dir:
        variables["build"] = os.path.abspath(args.build_dir)
    return variables


def write_outputs(config, header, review, out_dir):
    def write(staging):
        write_blobs(config, staging)
        outdir.write_text(os.path.join(staging, "tessera_scenario.hpp"), header)
        outdir.write_text(os.path.join(staging, "tessera_blobs.S"),
                          render_assembly(config, out_dir))
        outdir.write_text(os.path.join(staging, "scenario.ld"), render_linker_script(config))
        outdir.write_text(os.path.join(staging, "review.txt"), review)
    outdir.publish(out_dir, write)


def write_depfile(config, out_dir, depfile):
    staging = f"{depfile}.tmp"
    outdir.write_text(staging, render_depfile(config, out_dir))
    os.replace(staging, depfile)


def main(argv=None):
    args = parse_args(argv)
    settings = Settings(args.scenario, args.platform_root, image_variables(args))
    try:
        config, diags = configure(settings)
    except BindingError as error:
        print(f"cfggen: error: broken device binding (tools/cfggen/bindings): {error}",
              file=sys.stderr)
        if args.command == "generate":
            outdir.remove(os.path.abspath(args.out))
        return 1
    if config is None:
        print(diags.format() or "cfggen: internal error: no configuration and no error",
              file=sys.stderr)
        print(f"cfggen: {len(diags)} error(s)", file=sys.stderr)
        if args.command == "generate":
            outdir.remove(os.path.abspath(args.out))
        return 1
    if diags.warnings:
        print(diags.format_warnings(), file=sys.stderr)
    digest = config_hash(config)
    header = render_header(config, digest)
    review = render_review(config, digest)
    if args.command == "check":
        sys.stdout.write(review)
        return 0
    try:
        write_outputs(config, header, review, args.out)
        if args.depfile:
            write_depfile(config, args.out, args.depfile)
    except OSError as error:
        print(f"cfggen: error: cannot write outputs: {error}", file=sys.stderr)
        outdir.remove(os.path.abspath(args.out))
        return 1
    print(f"cfggen: {config.scenario.name}: {len(config.partitions)} partition(s), "
          f"config {digest[:16]}, review {display_path(os.path.join(args.out, 'review.txt'))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
