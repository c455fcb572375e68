#!/usr/bin/env bash
# pulumi-cli.sh: print (last line of stdout) a directory holding a `pulumi` CLI
# that is at least as new as the installed Python SDK, for prepending to PATH:
#
#     PATH="$(bash pulumi-cli.sh | tail -n1):$PATH"
#
# 1. If `pulumi` on PATH is >= the SDK version (and a pulumi-language-python is
#    beside it or on PATH), its directory is printed and nothing is built: a
#    user's own install from pulumi.com keeps working as it is.
# 2. Otherwise pulumi (from the Go module proxy), the Python, Node.js and Go language
#    hosts and pulumi-language-yaml are built into $CACHE/v<version>/bin, once;
#    later runs only check a stamp file. The proxy serves the CLI and YAML host
#    but not the Python, Node.js and Go hosts: those are built from their source in
#    ../shared/pulumi-language-hosts beside the checkout (a team-provided folder;
#    a user's clone has none, and is told to install Pulumi from pulumi.com).
#
# Environment:
#   PYTHON                    python whose `pulumi` package sets the version (python3)
#   PULUMI_CLI_CACHE          cache root (${XDG_CACHE_HOME:-$HOME/.cache}/twitter-secrets/pulumi-cli)
#   PULUMI_CLI_VERSION        build exactly this CLI version instead of the SDK's
#   PULUMI_LANGUAGE_HOSTS_SRC where the language hosts' source is (default:
#                             ../shared/pulumi-language-hosts beside the checkout, or beside
#                             the local checkout it was cloned from)
#   PULUMI_NODEJS_HOST_SDK    pkg/v3 and sdk/v3 version the Node.js host builds against (3.260.0:
#                             its source is from that line and does not compile against later ones)
#   PULUMI_CLI_YAML           1 (default) build pulumi-language-yaml; 0 skip it
#   PULUMI_YAML_VERSION       pulumi-yaml version (default 1.38.1, see YAML_DEFAULT)
#   PULUMI_CLI_FORCE          1: ignore PATH and the stamp, rebuild
# Progress goes to stderr; only the bin directory goes to stdout.
set -euo pipefail

RECIPE=5   # bump when the build recipe changes, invalidates stamps
PKG_MOD=github.com/pulumi/pulumi/pkg/v3
SDK_MOD=github.com/pulumi/pulumi/sdk/v3
PY_MOD=github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3
NODE_MOD=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
YAML_MOD=github.com/pulumi/pulumi-yaml
VERSION_VAR=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version
YAML_VERSION_VAR=github.com/pulumi/pulumi-yaml/pkg/version.Version
# The newest pulumi-yaml found served by the proxy (its version list names only v1.11.1 and
# v1.25.0, but asking for a version by name works). It must be built on Pulumi v3.248 or later:
# older YAML hosts start a plugin folder's Python host with flags (-root=…) today's host refuses,
# so `packages: {twitter-secrets: ../provider}` would fail.
YAML_DEFAULT=1.38.1

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
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The hosts' source: where PULUMI_LANGUAGE_HOSTS_SRC says, else ../shared beside this checkout,
# else beside the checkout this one was cloned from (a clean clone made elsewhere).
have_hosts_source() { [ -f "$1/python/main.go" ] && [ -f "$1/nodejs/main.go" ] && [ -f "$1/go/main.go" ]; }
HOSTS_SRC=${PULUMI_LANGUAGE_HOSTS_SRC:-}
if [ -z "$HOSTS_SRC" ]; then
  HOSTS_SRC=$here/../../shared/pulumi-language-hosts
  origin=$(git -C "$here/.." config --get remote.origin.url 2>/dev/null || true)
  if ! have_hosts_source "$HOSTS_SRC" && [ -d "$origin" ] && have_hosts_source "$origin/../shared/pulumi-language-hosts"; then
    HOSTS_SRC=$origin/../shared/pulumi-language-hosts
  fi
fi
INSTALL_HINT="install the Pulumi CLI from https://www.pulumi.com/docs/install/ (it ships the Python, Node.js and Go language hosts) and put it on PATH"

# --- 1. a pulumi already on PATH -------------------------------------------
if [ "${PULUMI_CLI_FORCE:-0}" != 1 ] && existing=$(command -v pulumi 2>/dev/null); then
  have=$(PULUMI_SKIP_UPDATE_CHECK=1 "$existing" version 2>/dev/null | tail -n1 || true)
  have=${have#v}
  dir=$(dirname "$existing")
  has_host() { [ -x "$dir/pulumi-language-$1" ] || command -v "pulumi-language-$1" >/dev/null; }
  if [ -n "$have" ] && version_ge "$have" "$sdk_version" && has_host python && has_host nodejs && has_host go \
     && { [ "${PULUMI_CLI_YAML:-1}" != 1 ] || has_host yaml; }; then
    log "using $existing (v$have >= $sdk_version)"
    printf '%s\n' "$dir"
    exit 0
  fi
  log "not using $existing (version '${have:-?}'; need >= $sdk_version, with the python, nodejs, go and yaml language hosts)"
fi

# --- 2. build from the Go module proxy --------------------------------------
# need_go: only a build needs Go (a stamped cache does not).
need_go() { command -v go >/dev/null || die "go is not installed (it builds the Pulumi CLI here); or $INSTALL_HINT"; }
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
else
  log "warning: no flock on this machine: do not run two of these at once on the same cache"
fi

# What a build is made from besides versions: the pinned YAML host and Node.js host SDK, and the
# hosts' source. A stamp made from other inputs is not reused; without the source here (nothing to
# build from) a stamp made from any source is.
inputs="nodejs_sdk=${PULUMI_NODEJS_HOST_SDK:-3.260.0},yaml=${PULUMI_CLI_YAML:-1}:${PULUMI_YAML_VERSION:-$YAML_DEFAULT}"
hosts_sum=""
if have_hosts_source "$HOSTS_SRC"; then
  hosts_sum=$(find "$HOSTS_SRC"/python "$HOSTS_SRC"/nodejs "$HOSTS_SRC"/go -type f | sort | xargs cat | sha256sum | cut -c1-16)
fi
# stamp_ok STAMP: made by this recipe from these inputs (and this source, when there is one)
stamp_ok() {
  grep -qx "recipe=$RECIPE" "$1" && grep -qxF "inputs=$inputs" "$1" \
    && { [ -z "$hosts_sum" ] || grep -qxF "hosts=$hosts_sum" "$1"; }
}

# check_hosts_source: fail before any download when neither the proxy nor a source folder has the hosts.
check_hosts_source() {
  if ! have_hosts_source "$HOSTS_SRC"; then
    [ -n "$(versions "$PY_MOD")" ] && [ -n "$(versions "$NODE_MOD")" ] || die \
      "the Go module proxy does not serve Pulumi's Python and Node.js language hosts, and there is no source for them at $HOSTS_SRC: $INSTALL_HINT"
  fi
}

if [ -n "${PULUMI_CLI_VERSION:-}" ]; then
  cli_version=${PULUMI_CLI_VERSION#v}
  need_go
  check_hosts_source
  served "$PKG_MOD" "v$cli_version" || die "the Go module proxy does not serve $PKG_MOD@v$cli_version"
else
  stamp_hit=""
  # fast path: a build for this SDK version, or a newer one made for it, is stamped
  for s in "$CACHE"/v*/stamp; do
    [ -f "$s" ] || continue
    if stamp_ok "$s" && grep -qx "for_sdk=$sdk_version" "$s"; then
      stamp_hit=$s
    fi
  done
  if [ -n "$stamp_hit" ] && [ "${PULUMI_CLI_FORCE:-0}" != 1 ] && [ -x "$(dirname "$stamp_hit")/bin/pulumi" ] \
     && [ -x "$(dirname "$stamp_hit")/bin/pulumi-language-python" ] \
     && [ -x "$(dirname "$stamp_hit")/bin/pulumi-language-nodejs" ] \
     && [ -x "$(dirname "$stamp_hit")/bin/pulumi-language-go" ] \
     && { [ "${PULUMI_CLI_YAML:-1}" != 1 ] || [ -x "$(dirname "$stamp_hit")/bin/pulumi-language-yaml" ]; }; then
    log "reusing $(dirname "$stamp_hit")/bin ($(grep '^built=' "$stamp_hit" | cut -d= -f2-))"
    printf '%s\n' "$(dirname "$stamp_hit")/bin"
    exit 0
  fi
  need_go
  check_hosts_source
  log "looking up $PKG_MOD@v$sdk_version on the Go module proxy"
  cli_version=$(resolve "$PKG_MOD" "$sdk_version")
  [ -n "$cli_version" ] || die "the Go module proxy serves no $PKG_MOD version >= v$sdk_version"
  [ "$cli_version" = "$sdk_version" ] \
    || log "$PKG_MOD@v$sdk_version is not served; using the oldest newer version, v$cli_version"
fi

out="$CACHE/v$cli_version"
bin="$out/bin"
stamp="$out/stamp"
if [ "${PULUMI_CLI_FORCE:-0}" != 1 ] && [ -f "$stamp" ] && stamp_ok "$stamp" && [ -x "$bin/pulumi" ] \
   && [ -x "$bin/pulumi-language-python" ] && [ -x "$bin/pulumi-language-nodejs" ] && [ -x "$bin/pulumi-language-go" ] \
   && { [ "${PULUMI_CLI_YAML:-1}" != 1 ] || [ -x "$bin/pulumi-language-yaml" ]; }; then
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

# Python and Node.js language hosts: from the proxy when it serves them, else from their
# source. Decided before anything is built so that a missing source fails fast.
log "looking up $PY_MOD@v$cli_version on the Go module proxy"
py_version=$(resolve "$PY_MOD" "$cli_version")
node_version=$(resolve "$NODE_MOD" "$cli_version")
if [ -z "$py_version" ] || [ -z "$node_version" ]; then
  have_hosts_source "$HOSTS_SRC" || die \
    "the Go module proxy does not serve Pulumi's Python and Node.js language hosts, and there is no source for them at $HOSTS_SRC: $INSTALL_HINT"
  HOSTS_SRC=$(cd "$HOSTS_SRC" && pwd)
  log "the proxy does not serve the language hosts; building them from $HOSTS_SRC"
fi
rm -rf "$bin.new"; mkdir -p "$bin.new"
buildlog="$out/build.log"
: >"$buildlog"
started=$(date +%s)
log "building pulumi v$cli_version into $bin (first build takes several minutes)"
build pulumi "$PKG_MOD" "$cli_version" "$PKG_MOD/cmd/pulumi" "-X $VERSION_VAR=v$cli_version" \
  || die "building $PKG_MOD/cmd/pulumi@v$cli_version failed"

# build_from_source NAME FOLDER VERSION: the host whose main package is in $HOSTS_SRC/FOLDER,
# against pkg/v3 and sdk/v3 at VERSION from the proxy instead of the monorepo paths its go.mod
# points at (its other replace lines stay); the source folder itself is never written.
build_from_source() {
  local name=$1 folder=$2 ver=$3 src="$out/src/$1"
  rm -rf "$src"; mkdir -p "$src"
  cp -R "$HOSTS_SRC/$folder"/. "$src"/  # the Go host has packages in subfolders
  chmod -R u+w "$src"
  (
    cd "$src"
    rm -f ./*_test.go
    go mod edit -dropreplace="$PKG_MOD" -dropreplace="$SDK_MOD" \
      -require="$PKG_MOD@v$ver" -require="$SDK_MOD@v$ver" || exit 1
    log "$name: go mod tidy against $PKG_MOD@v$ver (log: $buildlog)"
    echo "== $name (from $HOSTS_SRC/$folder): go mod tidy against v$ver" >>"$buildlog"
    go mod tidy >>"$buildlog" 2>&1 || { tail -n 20 "$buildlog" >&2; exit 1; }
    log "$name: go build"
    echo "== $name: go build" >>"$buildlog"
    go build -trimpath -ldflags "-s -w -X $VERSION_VAR=v$ver" -o "$bin.new/$name" . >>"$buildlog" 2>&1 \
      || { tail -n 20 "$buildlog" >&2; exit 1; }
  )
}

if [ -n "$py_version" ]; then
  build pulumi-language-python "$PY_MOD" "$py_version" "$PY_MOD" "-X $VERSION_VAR=v$py_version" \
    || die "building $PY_MOD@v$py_version failed"
else
  py_version=$cli_version
  build_from_source pulumi-language-python python "$py_version" \
    || die "building pulumi-language-python from $HOSTS_SRC/python against v$py_version failed"
fi
if [ -n "$node_version" ]; then
  build pulumi-language-nodejs "$NODE_MOD" "$node_version" "$NODE_MOD" "-X $VERSION_VAR=v$node_version" \
    || die "building $NODE_MOD@v$node_version failed"
else
  node_version=${PULUMI_NODEJS_HOST_SDK:-3.260.0}
  build_from_source pulumi-language-nodejs nodejs "$node_version" \
    || die "building pulumi-language-nodejs from $HOSTS_SRC/nodejs against v$node_version failed"
fi
# The Go host (runs Go programs; `pulumi package add` in a Go project uses it to wire the SDK),
# from its source against the CLI's version: it compiles against it.
build_from_source pulumi-language-go go "$cli_version" \
  || die "building pulumi-language-go from $HOSTS_SRC/go against v$cli_version failed"
# Scripts the CLI distribution ships beside the hosts (the python host's exec shim, dynamic
# providers, policy packs), from the sdk/v3 module the hosts were built against.
sdk_dir() { (cd "$scratch" && go mod download -json "$SDK_MOD@v$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p'); }
pysdk=$(sdk_dir "$py_version")
nodesdk=$(sdk_dir "$node_version")
for f in "$pysdk"/python/cmd/pulumi-language-python-exec "$pysdk"/python/dist/* "$nodesdk"/nodejs/dist/*; do
  if [ -f "$f" ]; then install -m 0755 "$f" "$bin.new/"; fi
done
[ -x "$bin.new/pulumi-language-python-exec" ] || die "no pulumi-language-python-exec in $SDK_MOD@v$py_version"

yaml_version=""
if [ "${PULUMI_CLI_YAML:-1}" = 1 ]; then
  yaml_version=${PULUMI_YAML_VERSION:-$YAML_DEFAULT}
  yaml_version=${yaml_version#v}
  served "$YAML_MOD" "v$yaml_version" || die "the Go module proxy does not serve $YAML_MOD@v$yaml_version"
  build pulumi-language-yaml "$YAML_MOD" "$yaml_version" "$YAML_MOD/cmd/pulumi-language-yaml" \
    "-X $YAML_VERSION_VAR=v$yaml_version" \
    || die "building $YAML_MOD/cmd/pulumi-language-yaml@v$yaml_version failed"
fi

rm -rf "$bin"; mv "$bin.new" "$bin"
rm -rf "$out/src"
{
  echo "recipe=$RECIPE"
  echo "inputs=$inputs"
  echo "hosts=${hosts_sum:-none}"
  echo "pulumi=v$cli_version"
  echo "pulumi-language-python=v$py_version"
  echo "pulumi-language-nodejs=v$node_version"
  echo "pulumi-language-go=v$cli_version"
  echo "pulumi-language-yaml=${yaml_version:+v$yaml_version}"
  echo "for_sdk=$sdk_version"
  echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ) in $(( $(date +%s) - started ))s"
} >"$stamp"
log "built: $(tr '\n' ' ' <"$stamp")"
printf '%s\n' "$bin"
