#!/usr/bin/python3
"""Static check of the fuzzing drop-ins against the build they wrap (no Docker).

ci/fuzz-smoke runs it after fuzz/oss-fuzz/build.sh has filled OUT and WORK:

  - the two Dockerfiles (fuzz/oss-fuzz/, .clusterfuzzlite/) agree on the base image,
    the packages and the sources they clone, and each puts the checkout and the
    build script where the builder expects them;
  - every header the build compiled comes from the compiler and libc (which the
    base-builder image has), from a package the Dockerfiles install, or from a
    source clone they make (cJSON); every package they install is needed;
  - every fuzzer in OUT needs no shared library beyond libc/libm/libstdc++ (the
    runner image has nothing else), except the system cJSON of a local build when
    the image compiles cJSON in;
  - project.yaml files: language c; OSS-Fuzz: address and undefined, libfuzzer,
    a main_repo equal to the URL the Dockerfile clones;
  - fuzz/gen_seeds.py parses as Python 3.8 (the python3 of the Ubuntu base image).

Usage: check_image.py --root ROOT --out OUT --work WORK [--cc clang]
Prints one line per finding; exit 0 clean, 1 a mismatch. Standard library only.
"""
import argparse
import ast
import glob
import os
import re
import shutil
import subprocess
import sys

# Packages whose headers the base-builder image has: libc, kernel headers, the
# compiler's own headers.
BASE_PACKAGE = re.compile(r"^(libc6-dev|linux-libc-dev|libgcc-\d+-dev|libclang-common-[\d.]+-dev"
                          r"|libstdc\+\+-\d+-dev|libc\+\+-[\d.]*-?dev)$")
# A Debian -dev package that a source clone in the Dockerfile stands for: the fuzzers
# must link it statically, and Debian ships it as a shared library only.
CLONE_FOR = {"libcjson-dev": "github.com/DaveGamble/cJSON"}
# Shared libraries a fuzzer may need at run time (present in the runner image).
RUNTIME_OK = re.compile(r"^(libc|libm|libdl|librt|libpthread|libstdc\+\+|libgcc_s|ld-linux[-\w]*)"
                        r"\.so(\.\d+)*$")
SYSTEM_LIB_OF_CLONE = {"libcjson.so.1": "github.com/DaveGamble/cJSON"}
# Tools fuzz/build.sh runs that the image must install: name -> why.
TOOLS = {"python3": "fuzz/gen_seeds.py"}
STD = ["-std=c11", "-D_POSIX_C_SOURCE=200809L", "-D_DEFAULT_SOURCE"]

problems = []


def problem(msg):
    problems.append(msg)
    print("check_image: " + msg)


def parse_dockerfile(path):
    """FROM, apt packages, git clones (url, branch, dest), COPY and WORKDIR lines."""
    text = open(path).read().replace("\\\n", " ")
    info = {"from": None, "packages": set(), "clones": [], "copy": [], "workdir": []}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        word = word.upper()
        if word == "FROM":
            info["from"] = rest.split()[0]
        elif word == "COPY":
            info["copy"].append(rest.split())
        elif word == "WORKDIR":
            info["workdir"].append(rest.strip())
        elif word == "RUN":
            for cmd in re.split(r"&&|;", rest):
                toks = cmd.split()
                if "apt-get" in toks and "install" in toks:
                    after = toks[toks.index("install") + 1:]
                    info["packages"] |= {t for t in after if not t.startswith("-")}
                if toks[:2] == ["git", "clone"]:
                    args, branch, i = [], None, 2
                    while i < len(toks):
                        if toks[i] == "--branch":
                            branch, i = toks[i + 1], i + 2
                        elif toks[i] == "--depth":
                            i += 2
                        elif toks[i].startswith("-"):
                            i += 1
                        else:
                            args.append(toks[i])
                            i += 1
                    url = args[0]
                    dest = args[1] if len(args) > 1 else url.rstrip("/").split("/")[-1]
                    info["clones"].append((re.sub(r"^https?://|\.git$", "", url), branch, dest))
    return info


def parse_yaml(path):
    """The flat subset our project.yaml files use: key: value and key: [- item]."""
    data, key = {}, None
    for raw in open(path):
        line = raw.split(" #")[0].rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith((" ", "-")) and line.strip().startswith("- ") and key:
            data.setdefault(key, []).append(line.strip()[2:].strip().strip('"'))
        elif ":" in line and not line.startswith(" "):
            key, _, value = line.partition(":")
            value = value.strip().strip('"')
            data[key] = value if value else []
    return data


def compiled_sources(root, work):
    """Map the objects fuzz/build.sh left in WORK/obj back to their sources."""
    srcs = []
    for obj in sorted(glob.glob(os.path.join(work, "obj", "*.o"))):
        base = os.path.basename(obj)[:-2]
        if base == "cJSON":
            continue  # the clone's source: provided by the Dockerfile, not a package
        if base.startswith("ref_"):
            cand = os.path.join(root, "ref", "src", base[4:] + ".c")
        elif base.startswith("helper_"):
            cand = os.path.join(root, "fuzz", base[7:] + ".c")
        else:
            cand = os.path.join(root, "fuzz", base + ".c")
        if os.path.isfile(cand):
            srcs.append(cand)
        else:
            problem(f"object {obj} has no source at {cand}")
    return srcs


def headers_of(cc, root, work, src):
    inc = ["-I" + os.path.join(root, d) for d in ("ref/include", "ref/src", "fuzz")]
    inc += ["-idirafter", os.path.join(work, "include")]  # cJSON.h copied from a clone
    out = subprocess.run([cc, "-M"] + STD + inc + [src], capture_output=True, text=True)
    if out.returncode != 0:
        problem(f"{cc} -M {src} failed: {out.stderr.strip()[:200]}")
        return []
    deps = out.stdout.replace("\\\n", " ").split(":", 1)[1].split()
    return [os.path.realpath(d) for d in deps]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--cc", default="clang")
    a = ap.parse_args()
    root, work = os.path.realpath(a.root), os.path.realpath(a.work)

    oss = parse_dockerfile(os.path.join(root, "fuzz/oss-fuzz/Dockerfile"))
    cfl = parse_dockerfile(os.path.join(root, ".clusterfuzzlite/Dockerfile"))
    for name, d in (("fuzz/oss-fuzz", oss), (".clusterfuzzlite", cfl)):
        if not (d["from"] or "").startswith("gcr.io/oss-fuzz-base/base-builder"):
            problem(f"{name}/Dockerfile: FROM {d['from']} is not the OSS-Fuzz base-builder")
        if "$SRC/sioconform" not in d["workdir"]:
            problem(f"{name}/Dockerfile: WORKDIR is not $SRC/sioconform")
    if oss["from"] != cfl["from"] or oss["packages"] != cfl["packages"]:
        problem(f"the Dockerfiles differ: {oss['from']} {sorted(oss['packages'])} vs "
                f"{cfl['from']} {sorted(cfl['packages'])}")
    deps_oss = {c for c in oss["clones"] if c[2] != "$SRC/sioconform"}
    if deps_oss != set(cfl["clones"]):
        problem(f"the Dockerfiles clone different sources: {sorted(deps_oss)} vs {sorted(cfl['clones'])}")
    own = [c for c in oss["clones"] if c[2] == "$SRC/sioconform"]
    if not own or ["build.sh", "$SRC/"] not in oss["copy"]:
        problem("fuzz/oss-fuzz/Dockerfile: must clone the repository to $SRC/sioconform "
                "and COPY build.sh $SRC/")
    if [".", "$SRC/sioconform"] not in cfl["copy"] or [".clusterfuzzlite/build.sh", "$SRC/"] not in cfl["copy"]:
        problem(".clusterfuzzlite/Dockerfile: must COPY . $SRC/sioconform and "
                "COPY .clusterfuzzlite/build.sh $SRC/")
    if "fuzz/oss-fuzz/build.sh" not in open(os.path.join(root, ".clusterfuzzlite/build.sh")).read():
        problem(".clusterfuzzlite/build.sh does not run fuzz/oss-fuzz/build.sh")
    cloned = {c[0] for c in deps_oss}
    packages = oss["packages"]
    used = set()

    # Headers: who provides each one the build compiled.
    dpkg = shutil.which("dpkg")
    system_headers = set()
    for src in compiled_sources(root, work):
        for h in headers_of(a.cc, root, work, src):
            if h.startswith(root + os.sep):
                continue
            if h.startswith(work + os.sep):
                if "cjson" not in h.lower() or CLONE_FOR["libcjson-dev"] not in cloned:
                    problem(f"{h}: a header from WORK that no Dockerfile clone provides")
                continue
            system_headers.add(h)
    if not dpkg:
        print("check_image: dpkg not found: header-to-package check skipped")
    elif system_headers:
        out = subprocess.run([dpkg, "-S"] + sorted(system_headers), capture_output=True, text=True)
        owner = {}
        for line in out.stdout.splitlines():
            pkgs, _, path = line.partition(": ")
            owner[os.path.realpath(path)] = [p.split(":")[0] for p in pkgs.split(", ")]
        for h in sorted(system_headers):
            pkgs = owner.get(h)
            if not pkgs:
                problem(f"{h}: no Debian package owns it (not reproducible in the image)")
                continue
            if any(BASE_PACKAGE.match(p) for p in pkgs):
                continue
            pkg = pkgs[0]
            if pkg in packages:
                used.add(pkg)
            elif CLONE_FOR.get(pkg) in cloned:
                pass
            else:
                problem(f"{h} (package {pkg}): the Dockerfiles neither install {pkg} nor clone its source")

    # Shared libraries each fuzzer needs at run time.
    fuzzers = sorted(f for f in glob.glob(os.path.join(a.out, "*_fuzzer")) if os.access(f, os.X_OK))
    if not fuzzers:
        problem(f"no fuzzer in {a.out}")
    built_cjson = os.path.isfile(os.path.join(work, "obj", "cJSON.o"))
    for f in fuzzers:
        out = subprocess.run(["readelf", "-d", f], capture_output=True, text=True)
        for lib in re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out.stdout):
            if RUNTIME_OK.match(lib):
                continue
            if SYSTEM_LIB_OF_CLONE.get(lib) in cloned and not built_cjson:
                continue  # this local build used the system copy; the image compiles it in
            problem(f"{os.path.basename(f)} needs {lib} at run time (absent from the runner image)")

    for tool, why in TOOLS.items():
        if tool in packages:
            used.add(tool)
        else:
            problem(f"the Dockerfiles do not install {tool} ({why} runs at build time)")
    for pkg in sorted(packages - used):
        problem(f"the Dockerfiles install {pkg}, which the build does not use")

    y = parse_yaml(os.path.join(root, "fuzz/oss-fuzz/project.yaml"))
    if y.get("language") != "c":
        problem("fuzz/oss-fuzz/project.yaml: language is not c")
    for s in ("address", "undefined"):
        if s not in y.get("sanitizers", []):
            problem(f"fuzz/oss-fuzz/project.yaml: sanitizer {s} missing")
    if "libfuzzer" not in y.get("fuzzing_engines", []):
        problem("fuzz/oss-fuzz/project.yaml: fuzzing engine libfuzzer missing")
    repo = re.sub(r"^https?://|\.git$", "", str(y.get("main_repo", "")))
    if not own or not repo or own[0][0] != repo:
        problem("fuzz/oss-fuzz/project.yaml: main_repo differs from the URL the Dockerfile clones")
    if parse_yaml(os.path.join(root, ".clusterfuzzlite/project.yaml")).get("language") != "c":
        problem(".clusterfuzzlite/project.yaml: language is not c")

    try:
        ast.parse(open(os.path.join(root, "fuzz/gen_seeds.py")).read(), feature_version=(3, 8))
    except SyntaxError as e:
        problem(f"fuzz/gen_seeds.py is not Python 3.8: {e}")

    print(f"check_image: {len(fuzzers)} fuzzers, {len(system_headers)} system headers, "
          f"packages {sorted(packages)}, clones {sorted(cloned)}: "
          + ("OK" if not problems else f"{len(problems)} problem(s)"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
