#!/usr/bin/env bash
# Builds tracetui to run where Swift is not installed, and installs it under PREFIX:
#
#   PREFIX/bin/tracetui                                    release build, Swift runtime and Foundation
#                                                          linked in (--static-swift-stdlib), stripped (-s)
#   PREFIX/share/bash-completion/completions/tracetui      the completion scripts swift-argument-parser
#   PREFIX/share/zsh/site-functions/_tracetui              generates (tracetui --generate-completion-script)
#   PREFIX/share/fish/vendor_completions.d/tracetui.fish
#   PREFIX/share/man/man1/tracetui.1                       swift-argument-parser's generate-manual tool
#
# Usage: scripts/install.sh [PREFIX]   (default: /usr/local as root, else ~/.local)
#
# The installed binary needs only what every Debian/Ubuntu system has: libc6, libstdc++6, libncursesw6,
# libtinfo6 and zlib1g; nothing from the Swift toolchain. Copy it to a server as it is. It needs a glibc
# and a libstdc++ at least as new as the ones it was built against (it prints which).
#
# Building needs the Swift toolchain and the ncursesw and zlib headers (scripts/install-deps.sh). It
# builds in .build-install, a scratch path of its own, so the .build/release that
# scripts/setup-and-view-sample.sh builds is left alone; a second run rebuilds only what changed.
set -euo pipefail

die() { echo "install.sh: $*" >&2; exit 1; }

case "${1:-}" in
  -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
esac
[ $# -le 1 ] || die "one argument at most, the prefix (got $#: $*)"
if [ $# -eq 1 ]; then
  prefix=$1
elif [ "$(id -u)" -eq 0 ]; then
  prefix=/usr/local
else
  [ -n "${HOME:-}" ] || die "HOME is not set: name the prefix, e.g. scripts/install.sh /opt/tracetui"
  prefix=$HOME/.local
fi
[ -n "$prefix" ] || die "the prefix is an empty string"
case "$prefix" in /*) ;; *) prefix="$(pwd)/$prefix" ;; esac   # relative to where it was run from
cd "$(dirname "$0")/.."

# What the build needs, checked before a build of several minutes.
swift=$(command -v swift) \
  || die "swift is not on PATH: building needs the Swift 6 toolchain (https://www.swift.org/install/linux/), the installed binary does not"
toolchain_bin=$(dirname "$(readlink -f "$swift")")
[ -f "$toolchain_bin/../lib/swift_static/linux/static-stdlib-args.lnk" ] \
  || die "this Swift toolchain ($(dirname "$toolchain_bin")) has no static runtime (usr/lib/swift_static/linux): use a swift.org Linux toolchain"
for header in ncursesw/curses.h zlib.h; do
  printf '#include <%s>\n' "$header" | "$toolchain_bin/clang" -E -x c - -o /dev/null 2>/dev/null \
    || die "cannot find <$header>: install the ncursesw and zlib headers (Debian/Ubuntu: scripts/install-deps.sh, or apt-get install libncurses-dev zlib1g-dev)"
done
if ! { mkdir -p "$prefix" 2>/dev/null && [ -w "$prefix" ]; }; then
  die "cannot write to $prefix: run as a user who can, or name another prefix (scripts/install.sh ~/.local)"
fi

scratch=.build-install
echo "install.sh: building tracetui (release, Swift runtime linked in) in $scratch"
swift build --scratch-path "$scratch" -c release --static-swift-stdlib -Xlinker -s --product tracetui \
  || die "swift build failed (the errors are above)"
built=$scratch/release/tracetui

# The man page comes from swift-argument-parser's generate-manual: the tool its `swift package
# generate-manual` plugin runs, built here from the checkout this build resolved (a small debug build)
# and run on the binary just built. The plugin itself first builds every product of the package with
# `swift package`'s settings, which cannot include --static-swift-stdlib (a `swift build` option): in
# this scratch path it would recompile everything and relink tracetui dynamically, in another it would
# be a second full release build.
argument_parser=$scratch/checkouts/swift-argument-parser
[ -f "$argument_parser/Package.swift" ] || die "$argument_parser is missing: the build above should have resolved swift-argument-parser there"
echo "install.sh: building swift-argument-parser's generate-manual"
swift build --package-path "$argument_parser" --scratch-path "$scratch/generate-manual" --product generate-manual \
  || die "building generate-manual failed (the errors are above)"
generate_manual=$scratch/generate-manual/debug/generate-manual

stage=$(mktemp -d "${TMPDIR:-/tmp}/tracetui-install.XXXXXX")
trap 'rm -rf "$stage"' EXIT
cp "$built" "$stage/tracetui"
version=$("$stage/tracetui" --version) || die "the binary does not run: $built --version failed"
for shell in bash zsh fish; do
  "$stage/tracetui" --generate-completion-script "$shell" > "$stage/completion.$shell" \
    || die "tracetui --generate-completion-script $shell failed"
  [ -s "$stage/completion.$shell" ] || die "tracetui --generate-completion-script $shell printed nothing"
done
"$generate_manual" "$stage/tracetui" --section 1 --output-directory "$stage" \
  || die "generate-manual failed on $stage/tracetui"
[ -s "$stage/tracetui.1" ] || die "generate-manual wrote no $stage/tracetui.1"

install -D -m 0755 "$stage/tracetui" "$prefix/bin/tracetui"
install -D -m 0644 "$stage/completion.bash" "$prefix/share/bash-completion/completions/tracetui"
install -D -m 0644 "$stage/completion.zsh" "$prefix/share/zsh/site-functions/_tracetui"
install -D -m 0644 "$stage/completion.fish" "$prefix/share/fish/vendor_completions.d/tracetui.fish"
install -D -m 0644 "$stage/tracetui.1" "$prefix/share/man/man1/tracetui.1"

size() { du -h --apparent-size "$1" | cut -f1; }
newest() {  # the newest version of a symbol family the binary needs: newest GLIBC → GLIBC_2.35
  "$toolchain_bin/llvm-objdump" -T "$prefix/bin/tracetui" | grep -o -E "\b$1_[0-9.]+" | sort -V | tail -1
}
cat <<EOF

Installed tracetui $version under $prefix:
  $prefix/bin/tracetui ($(size "$prefix/bin/tracetui"))
  $prefix/share/bash-completion/completions/tracetui
  $prefix/share/zsh/site-functions/_tracetui
  $prefix/share/fish/vendor_completions.d/tracetui.fish
  $prefix/share/man/man1/tracetui.1

No Swift is needed to run it: copy the binary to a server as it is (scp $prefix/bin/tracetui HOST:bin/).
There it needs libc6, libstdc++6, libncursesw6, libtinfo6 and zlib1g, which every Debian and Ubuntu
system has, at least as new as this machine's ($(newest GLIBC), $(newest GLIBCXX)), and the same CPU
architecture ($(uname -m)).
EOF
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo; echo "$prefix/bin is not on PATH: add it (export PATH=\"$prefix/bin:\$PATH\") or call tracetui by its path." ;;
esac
cat <<EOF

Completions and the manual:
  bash  the bash-completion package loads it from /usr/local/share and ~/.local/share by itself;
        from another prefix, or without that package, add to ~/.bashrc:
          source $prefix/share/bash-completion/completions/tracetui
  zsh   /usr/local/share/zsh/site-functions is on Debian's default fpath; for another prefix add to
        ~/.zshrc, before compinit:  fpath=($prefix/share/zsh/site-functions \$fpath)
  fish  reads ~/.local/share/fish/vendor_completions.d by itself, /usr/local/share/fish/… only when
        XDG_DATA_DIRS names /usr/local/share; otherwise, in ~/.config/fish/config.fish:
          set -a fish_complete_path $prefix/share/fish/vendor_completions.d
  man   man tracetui (man finds $prefix/share/man when $prefix/bin is on PATH), or
        man -l $prefix/share/man/man1/tracetui.1
EOF
