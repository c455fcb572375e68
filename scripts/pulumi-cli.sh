#!/usr/bin/env bash
# pulumi-cli.sh: print (last line of stdout) a directory holding a `pulumi` CLI
# that is at least as new as the installed Python SDK, for prepending to PATH:
#
#     PATH="$(bash pulumi-cli.sh | tail -n1):$PATH"
#
# 1. If `pulumi` on PATH is >= the SDK version (and a pulumi-language-python is
#    beside it or on PATH), its directory is printed and nothing is built.
# 2. Otherwise pulumi, pulumi-language-python and (best effort)
#    pulumi-language-yaml are built from the Go module proxy into
#    $CACHE/v<version>/bin, once; later runs only check a stamp file.
#
# Environment:
#   PYTHON                    python whose `pulumi` package sets the version (python3)
#   PULUMI_CLI_CACHE          cache root (${XDG_CACHE_HOME:-$HOME/.cache}/twitter-secrets/pulumi-cli)
#   PULUMI_CLI_VERSION        build exactly this CLI version instead of the SDK's
#   PULUMI_CLI_PYTHON_HOST    required (default) | optional: what to do when the
#                             proxy does not serve the python language host
#   PULUMI_CLI_YAML           1 (default) build pulumi-language-yaml if it builds; 0 skip
#   PULUMI_YAML_VERSION       pulumi-yaml version (default: newest the proxy serves)
#   PULUMI_CLI_FORCE          1: ignore PATH and the stamp, rebuild
# Progress goes to stderr; only the bin directory goes to stdout.
set -euo pipefail

RECIPE=1   # bump when the build recipe changes, invalidates stamps
PKG_MOD=github.com/pulumi/pulumi/pkg/v3
SDK_MOD=github.com/pulumi/pulumi/sdk/v3
PY_MOD=github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3
YAML_MOD=github.com/pulumi/pulumi-yaml
VERSION_VAR=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version
YAML_VERSION_VAR=github.com/pulumi/pulumi-yaml/pkg/version.Version

log() { printf 'pulumi-cli: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# version_ge A B: A >= B (versions without a leading v)
version_ge() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]; }

given_python=${PYTHON:-python3}
# An absolute path: the build steps run in other directories (PYTHON=.venv/bin/python is relative).
PYTHON=$(command -v "$given_python" 2>/dev/null || true)
case "$PYTHON" in
  "") die "no python at $given_python (set PYTHON to a python with the pulumi package installed)" ;;
  /*) ;;
  *) PYTHON="$PWD/$PYTHON" ;;
esac
sdk_version=$("$PYTHON" -c 'import importlib.metadata as m; print(m.version("pulumi"))') \
  || die "cannot read the pulumi SDK version with $PYTHON (is the pulumi package installed?)"
sdk_version=${sdk_version%%+*}
log "python SDK pulumi==$sdk_version ($PYTHON)"

# --- 1. a pulumi already on PATH -------------------------------------------
if [ "${PULUMI_CLI_FORCE:-0}" != 1 ] && existing=$(command -v pulumi 2>/dev/null); then
  have=$(PULUMI_SKIP_UPDATE_CHECK=1 "$existing" version 2>/dev/null | tail -n1 || true)
  have=${have#v}
  dir=$(dirname "$existing")
  if [ -n "$have" ] && version_ge "$have" "$sdk_version" \
     && { [ -x "$dir/pulumi-language-python" ] || command -v pulumi-language-python >/dev/null \
          || [ "${PULUMI_CLI_PYTHON_HOST:-required}" = optional ]; }; then
    log "using $existing (v$have >= $sdk_version)"
    printf '%s\n' "$dir"
    exit 0
  fi
  log "not using $existing (version '${have:-?}'; need >= $sdk_version, with a pulumi-language-python)"
fi

# --- 2. build from the Go module proxy --------------------------------------
command -v go >/dev/null || die "go is not installed"
CACHE=${PULUMI_CLI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/twitter-secrets/pulumi-cli}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
export GOPATH="$CACHE/gopath" GOMODCACHE="$CACHE/gopath/pkg/mod" GOCACHE="$CACHE/gocache"
export GOFLAGS="-mod=mod -modcacherw -buildvcs=false" GOTOOLCHAIN=${GOTOOLCHAIN:-local}
export GO111MODULE=on GOWORK=off CGO_ENABLED=${CGO_ENABLED:-0}
scratch="$CACHE/tmp"
mkdir -p "$scratch"

# served MODULE VERSION: 0 if the proxy serves MODULE@VERSION (downloads it)
served() {
  local out
  out=$(cd "$scratch" && go mod download -json "$1@$2" 2>/dev/null || true)
  [ -n "$out" ] && ! printf '%s' "$out" | grep -q '"Error"'
}
# gomod_file MODULE VERSION: path of the module's go.mod in the module cache
gomod_file() { (cd "$scratch" && go mod download -json "$1@$2" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p'); }
# versions MODULE: released versions the proxy lists, oldest first (may be empty)
versions() { (cd "$scratch" && go list -m -versions "$1" 2>/dev/null | tr ' ' '\n' | tail -n +2 | grep -v -- - | sort -V) || true; }
# resolve MODULE WANT: WANT if served, else the oldest served version >= WANT, else nothing
resolve() {
  local v
  if served "$1" "v$2"; then printf '%s\n' "$2"; return; fi
  for v in $(versions "$1"); do
    v=${v#v}
    if version_ge "$v" "$2" && served "$1" "v$v"; then printf '%s\n' "$v"; return; fi
  done
}

# Serialise concurrent runs sharing the cache.
if command -v flock >/dev/null; then
  exec 9>"$CACHE/.lock"
  flock 9
fi

if [ -n "${PULUMI_CLI_VERSION:-}" ]; then
  cli_version=${PULUMI_CLI_VERSION#v}
  served "$PKG_MOD" "v$cli_version" || die "the Go module proxy does not serve $PKG_MOD@v$cli_version"
else
  stamp_hit=""
  # fast path: a build for this SDK version, or a newer one made for it, is stamped
  for s in "$CACHE"/v*/stamp; do
    [ -f "$s" ] || continue
    if grep -qx "recipe=$RECIPE" "$s" && grep -qx "for_sdk=$sdk_version" "$s"; then stamp_hit=$s; fi
  done
  # (a build without the python host counts only when PULUMI_CLI_PYTHON_HOST=optional)
  if [ -n "$stamp_hit" ] && [ "${PULUMI_CLI_FORCE:-0}" != 1 ] && [ -x "$(dirname "$stamp_hit")/bin/pulumi" ] \
     && { [ -x "$(dirname "$stamp_hit")/bin/pulumi-language-python" ] || [ "${PULUMI_CLI_PYTHON_HOST:-required}" = optional ]; }; then
    log "reusing $(dirname "$stamp_hit")/bin ($(grep '^built=' "$stamp_hit" | cut -d= -f2-))"
    printf '%s\n' "$(dirname "$stamp_hit")/bin"
    exit 0
  fi
  log "looking up $PKG_MOD@v$sdk_version on the Go module proxy"
  cli_version=$(resolve "$PKG_MOD" "$sdk_version")
  [ -n "$cli_version" ] || die "the Go module proxy serves no $PKG_MOD version >= v$sdk_version"
  [ "$cli_version" = "$sdk_version" ] \
    || log "$PKG_MOD@v$sdk_version is not served; using the oldest newer version, v$cli_version"
fi

out="$CACHE/v$cli_version"
bin="$out/bin"
stamp="$out/stamp"
if [ "${PULUMI_CLI_FORCE:-0}" != 1 ] && [ -f "$stamp" ] && grep -qx "recipe=$RECIPE" "$stamp" && [ -x "$bin/pulumi" ] \
   && { [ -x "$bin/pulumi-language-python" ] || [ "${PULUMI_CLI_PYTHON_HOST:-required}" = optional ]; }; then
  grep -qx "for_sdk=$sdk_version" "$stamp" || echo "for_sdk=$sdk_version" >>"$stamp"
  log "reusing $bin"
  printf '%s\n' "$bin"
  exit 0
fi

# build NAME MODULE VERSION PKGPATH LDFLAGS: build PKGPATH of MODULE@VERSION into
# $bin.new/NAME in a wrapper module carrying MODULE's own replace directives.
build() {
  local name=$1 mod=$2 ver=$3 pkg=$4 ldflags=$5 src="$out/src/$1" gomod line old new pins=()
  rm -rf "$src"; mkdir -p "$src"
  gomod=$(gomod_file "$mod" "v$ver") && [ -n "$gomod" ] || return 1
  (
    cd "$src"
    go mod init "twitter-secrets.invalid/pulumi-cli/$name" 2>/dev/null || exit 1
    # Copy the upstream replace directives; local-path ones (=> ../sdk) become
    # requirements of that module at the same version.
    while read -r line; do
      old=${line%% *}; new=${line#* }
      case "$new" in
        LOCAL) pins+=("${old%@*}@v$ver") ;;
        *) go mod edit -replace="$old=$new" || exit 1 ;;
      esac
    done < <(go mod edit -json "$gomod" | "$PYTHON" -c '
import json, sys
for r in json.load(sys.stdin).get("Replace") or []:
    o, n = r["Old"], r["New"]
    old = o["Path"] + ("@" + o["Version"] if o.get("Version") else "")
    if n["Path"].startswith((".", "/")):
        print(old, "LOCAL")
    else:
        print(old, n["Path"] + ("@" + n["Version"] if n.get("Version") else ""))
')
    log "$name: go get $pkg@v$ver ${pins[*]:-} (log: $buildlog)"
    echo "== $name: go get $pkg@v$ver ${pins[*]:-}" >>"$buildlog"
    go get "$pkg@v$ver" "${pins[@]}" >>"$buildlog" 2>&1 || { tail -n 20 "$buildlog" >&2; exit 1; }
    log "$name: go build"
    echo "== $name: go build" >>"$buildlog"
    go build -trimpath -ldflags "-s -w $ldflags" -o "$bin.new/$name" "$pkg" >>"$buildlog" 2>&1 \
      || { tail -n 20 "$buildlog" >&2; exit 1; }
  )
}

# Python language host: same version as the CLI, else the oldest newer one served.
# Looked up before anything is built so that a missing module fails fast.
log "looking up $PY_MOD@v$cli_version on the Go module proxy"
py_version=$(resolve "$PY_MOD" "$cli_version")
if [ -z "$py_version" ]; then
  [ "${PULUMI_CLI_PYTHON_HOST:-required}" = optional ] \
    || die "the Go module proxy does not serve $PY_MOD@v$cli_version (nor a newer version); set PULUMI_CLI_PYTHON_HOST=optional to build the CLI without it"
  log "warning: the Go module proxy does not serve $PY_MOD (>= v$cli_version); building without pulumi-language-python: python programs will not run"
fi

rm -rf "$bin.new"; mkdir -p "$bin.new"
buildlog="$out/build.log"
: >"$buildlog"
started=$(date +%s)
log "building pulumi v$cli_version into $bin (first build takes several minutes)"
build pulumi "$PKG_MOD" "$cli_version" "$PKG_MOD/cmd/pulumi" "-X $VERSION_VAR=v$cli_version" \
  || die "building $PKG_MOD/cmd/pulumi@v$cli_version failed"

if [ -n "$py_version" ]; then
  build pulumi-language-python "$PY_MOD" "$py_version" "$PY_MOD" "-X $VERSION_VAR=v$py_version" \
    || die "building $PY_MOD@v$py_version failed"
fi
# Scripts the CLI distribution ships beside the python host (dynamic providers, policy packs).
sdkdir=$(cd "$scratch" && go mod download -json "$SDK_MOD@v$cli_version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
for f in "$sdkdir"/python/dist/pulumi-resource-pulumi-python "$sdkdir"/python/dist/pulumi-analyzer-policy-python; do
  if [ -f "$f" ]; then install -m 0755 "$f" "$bin.new/"; fi
done

yaml_version=""
if [ "${PULUMI_CLI_YAML:-1}" = 1 ]; then
  yaml_version=${PULUMI_YAML_VERSION:-$(versions "$YAML_MOD" | tail -n1)}
  yaml_version=${yaml_version#v}
  if [ -z "$yaml_version" ]; then
    log "warning: the Go module proxy lists no $YAML_MOD version; skipping pulumi-language-yaml"
  elif build pulumi-language-yaml "$YAML_MOD" "$yaml_version" "$YAML_MOD/cmd/pulumi-language-yaml" \
         "-X $YAML_VERSION_VAR=v$yaml_version"; then
    :
  else
    log "warning: $YAML_MOD/cmd/pulumi-language-yaml@v$yaml_version did not build; continuing without it"
    yaml_version=""
  fi
fi

rm -rf "$bin"; mv "$bin.new" "$bin"
rm -rf "$out/src"
{
  echo "recipe=$RECIPE"
  echo "pulumi=v$cli_version"
  echo "pulumi-language-python=${py_version:+v$py_version}"
  echo "pulumi-language-yaml=${yaml_version:+v$yaml_version}"
  echo "for_sdk=$sdk_version"
  echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ) in $(( $(date +%s) - started ))s"
} >"$stamp"
log "built: $(tr '\n' ' ' <"$stamp")"
printf '%s\n' "$bin"
