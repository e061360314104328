#!/usr/bin/env bash
# Checks what scripts/install.sh gives a machine without Swift. Installs into a temporary prefix, then:
#   (a) ldd: the binary needs no library from the Swift toolchain, and only libraries every
#       Debian/Ubuntu system has; it is stripped;
#   (b) with the toolchain's folder hidden (an empty tmpfs over it, in a mount namespace of its own):
#       --version, `view --plain` of the sample (exact lines), `view --json` (parsed by python3), the
#       TUI in tmux (draws the tree, quits on q), `listen --no-tui` (binds, takes an OTLP/HTTP export,
#       records it);
#   (c) the bash completion loads and offers the subcommands and options;
#   (d) man shows the page: NAME and every subcommand, without groff warnings.
# zsh and fish completions are syntax-checked when those shells are installed (a note otherwise).
# Works as root (CI) and as another user (unshare --map-root-user). Every failure names what was wrong;
# the last line counts the checks, and the exit status is 1 when any failed. Run by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
sample=$root/sample-traces/agent-workflow.json

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "check-install: ok: $*"; }
fail() { failed=$((failed + 1)); echo "check-install: FAIL: $*" >&2; }
finish() {
  echo "check-install: $passed passed, $failed failed"
  if [ "$failed" -eq 0 ]; then exit 0; else exit 1; fi
}
indent() { sed 's/^/    /'; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tracetui-check-install.XXXXXX")
tmux_socket=$work/tmux.socket
listener=
cleanup() {
  [ -z "$listener" ] || kill "$listener" 2>/dev/null || true
  [ ! -S "$tmux_socket" ] || tmux -S "$tmux_socket" kill-server 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
prefix=$work/prefix
bin=$prefix/bin/tracetui

# The version is kept in one place; the binary must say the same.
version=$(sed -n 's/^ *version: "\([^"]*\)",.*$/\1/p' Sources/tracetui/TraceTUI.swift)
[ "$(printf '%s\n' "$version" | grep -c .)" -eq 1 ] \
  || { fail "expected one 'version: \"…\"' line in Sources/tracetui/TraceTUI.swift, found: '$version'"; finish; }

echo "check-install: scripts/install.sh $prefix"
if ! ./scripts/install.sh "$prefix" 2>&1 | indent; then
  fail "scripts/install.sh $prefix exited with an error (its output is above)"
  finish
fi
for f in bin/tracetui share/bash-completion/completions/tracetui share/zsh/site-functions/_tracetui \
         share/fish/vendor_completions.d/tracetui.fish share/man/man1/tracetui.1; do
  if [ -s "$prefix/$f" ]; then pass "installed $f"; else fail "install.sh did not install PREFIX/$f (or it is empty)"; fi
done
[ -x "$bin" ] || { fail "$bin is not executable"; finish; }

# Where the toolchain lives, from the swift on PATH: /opt/swift/usr/bin/swift is hidden as /opt/swift.
# A toolchain installed into /usr itself cannot be hidden whole; its runtime libraries are.
swift_path=$(readlink -f "$(command -v swift)") || { fail "swift is not on PATH (install.sh needs it too)"; finish; }
toolchain_usr=$(dirname "$(dirname "$swift_path")")
if [ "$(dirname "$toolchain_usr")" = / ]; then hide=$toolchain_usr/lib/swift; else hide=$(dirname "$toolchain_usr"); fi
runtime=$toolchain_usr/lib/swift/linux/libswiftCore.so
[ -e "$runtime" ] || { fail "the toolchain's runtime $runtime is not where expected: cannot check it is unused"; finish; }

# (a) The libraries the binary loads.
if ldd_out=$(ldd "$bin" 2>&1); then
  echo "check-install: ldd $bin"; indent <<< "$ldd_out"
  toolchain_libs=$(grep -F -e "$hide/" -e "$toolchain_usr/" -e libswift -e libFoundation -e lib_Foundation \
                     -e libdispatch -e libBlocksRuntime <<< "$ldd_out" || true)
  if [ -z "$toolchain_libs" ]; then pass "ldd: nothing from the Swift toolchain"; else fail "ldd: the binary needs the Swift toolchain's libraries: $toolchain_libs"; fi
  # What every Debian/Ubuntu system has: libc6, libstdc++6, libgcc-s1, libncursesw6, libtinfo6, zlib1g.
  unexpected=$(grep -v -E '^\s*(linux-vdso\.so\.1|/lib64/ld-linux-x86-64\.so\.2|/lib/ld-linux-aarch64\.so\.1|(libc|libm|libstdc\+\+|libgcc_s|libncursesw|libtinfo|libz)\.so\.[0-9]+ => /)' <<< "$ldd_out" || true)
  if [ -z "$unexpected" ]; then pass "ldd: only libc, libstdc++, libgcc_s, ncursesw, tinfo, zlib"; else fail "ldd: libraries a server may not have, or not found: $unexpected"; fi
else
  fail "ldd $bin failed: $ldd_out"
fi
sections=$("$(dirname "$swift_path")/llvm-objdump" --section-headers "$bin")
if grep -q -E ' \.(symtab|debug_[a-z]+) ' <<< "$sections"; then fail "$bin is not stripped: it has $(grep -o -E ' \.(symtab|debug_[a-z]+) ' <<< "$sections" | tr -d ' ' | tr '\n' ' ')"; else pass "stripped ($(du -h --apparent-size "$bin" | cut -f1))"; fi

# (b) The binary with the toolchain hidden. Root makes a mount namespace directly (CI); another user
# makes it inside a user namespace where it is root.
if [ "$(id -u)" -eq 0 ]; then namespace=(unshare --mount); else namespace=(unshare --map-root-user --mount); fi
hidden_prefix=("${namespace[@]}" sh -c 'mount -t tmpfs -o ro,mode=0755 tracetui-check "$0" && exec "$@"' "$hide")
hidden() { "${hidden_prefix[@]}" "$@"; }
if ! hidden_err=$(hidden sh -c '! command -v swift >/dev/null && [ ! -e "$0" ]' "$runtime" 2>&1); then
  fail "could not hide $hide (${namespace[*]}, mount -t tmpfs): ${hidden_err:-swift or $runtime still visible}"
  finish
fi
pass "$hide hidden: no swift, no $runtime"

if got=$(hidden "$bin" --version 2>&1) && [ "$got" = "$version" ]; then pass "--version: $got"; else fail "--version printed '$got', expected '$version'"; fi

expected_plain=$(cat <<'EOF'
trace c2b9546e0f0220f3edb7f1d5cbf15150  ai-service  2026-11-28 10:59:59 UTC  11 spans, 4 LLM calls, $0.0334
SPAN                KIND      DURATION  TOKENS IN/OUT      COST  STATUS
agent.workflow      workflow     335ms              -         -  unset
  agent.plan        agent       45.8ms              -         -  unset
    llm.generate    llm         45.7ms       1.2k/300   $0.0060  unset
  agent.step.0      llm         72.8ms              -         -  unset
    llm.generate    llm         70.5ms       2.0k/500   $0.0135  unset
  agent.step.1      tool         124ms              -         -  unset
    tool.execute    tool         121ms              -         -  error
  agent.step.2      llm         32.7ms              -         -  unset
    llm.generate    llm         30.4ms       1.0k/400  $0.00039  unset
  agent.synthesize  agent       59.8ms              -         -  unset
    llm.generate    llm         55.5ms       3.0k/600   $0.0135  unset
EOF
)
if got=$(hidden "$bin" view --plain "$sample" 2>&1) && [ "$got" = "$expected_plain" ]; then
  pass "view --plain $sample"
else
  fail "view --plain $sample printed something else (diff expected/got):"
  diff <(echo "$expected_plain") <(echo "$got") | indent >&2 || true
fi

check_json='import json, sys
d = json.load(sys.stdin)
t = d["traces"]
assert len(t) == 1, f"{len(t)} traces"
t = t[0]
got = (t["traceId"], t["spanCount"], t["llmCalls"], t["inputTokens"], t["outputTokens"], t["errorCount"], round(t["costUSD"], 5))
want = ("c2b9546e0f0220f3edb7f1d5cbf15150", 11, 4, 7200, 1800, 1, 0.03339)
assert got == want, f"{got} != {want}"'
if json_err=$(hidden "$bin" view --json "$sample" | python3 -c "$check_json" 2>&1); then
  pass "view --json $sample: one trace, 11 spans, 4 LLM calls, 7200/1800 tokens, 1 error, \$0.03339"
else
  fail "view --json $sample: $json_err"
fi

# The TUI: ncurses starts on a real terminal (tmux), draws the tree, and q quits with status 0.
wait_for() {  # wait_for PATTERN: up to 10 s for a line of the screen to match
  for _ in $(seq 1 50); do
    tmux -S "$tmux_socket" capture-pane -p -t tui > "$work/screen" 2>/dev/null && grep -q -E -- "$1" "$work/screen" && return 0
    sleep 0.2
  done
  return 1
}
header='^trace c2b9546e0f02 · ai-service · 11 spans · 4 LLM · 7\.2k/1\.8k tok · \$0\.0334 · 1 err · 335ms'
if ! hidden tmux -S "$tmux_socket" -f /dev/null new-session -d -s tui -x 100 -y 24 \
     "LANG=C.UTF-8 $(printf '%q view %q' "$bin" "$sample"); echo tracetui-exit=\$?; sleep 30"; then
  fail "tmux could not start a session for the TUI"
elif ! wait_for "$header"; then
  fail "TUI: the tree of the sample did not appear; the screen was:"; indent < "$work/screen" >&2
elif ! grep -q 'agent\.synthesize' "$work/screen"; then
  fail "TUI: the header appeared but not the tree; the screen was:"; indent < "$work/screen" >&2
else
  tmux -S "$tmux_socket" send-keys -t tui q
  if wait_for '^tracetui-exit=0$'; then pass "TUI: view draws the tree in tmux and q quits"; else fail "TUI: q did not quit with status 0; the screen was:"; indent < "$work/screen" >&2; fi
fi
tmux -S "$tmux_socket" kill-server 2>/dev/null || true

# The network listener: binds (ports chosen by the system), answers an OTLP/HTTP JSON export with
# 200, accepts a TCP connection on the gRPC port, records the spans, stops on SIGTERM.
# Not through the function, so that $! is tracetui itself (unshare, sh and the binary exec each other).
"${hidden_prefix[@]}" "$bin" listen --no-tui --grpc 127.0.0.1:0 --http 127.0.0.1:0 \
  --record "$work/recorded.jsonl" 2> "$work/listen.err" &
listener=$!
banner=
for _ in $(seq 1 50); do
  banner=$(grep -o -E 'listening on gRPC 127\.0\.0\.1:[0-9]+, HTTP 127\.0\.0\.1:[0-9]+' "$work/listen.err" || true)
  if [ -n "$banner" ] || ! kill -0 "$listener" 2>/dev/null; then break; fi
  sleep 0.2
done
if [ -z "$banner" ]; then
  fail "listen --no-tui did not say it was listening; its standard error:"; indent < "$work/listen.err" >&2
else
  grpc_port=$(sed -E 's/.*gRPC [0-9.]+:([0-9]+),.*/\1/' <<< "$banner")
  http_port=$(sed -E 's/.*HTTP [0-9.]+:([0-9]+)$/\1/' <<< "$banner")
  export_traces='import http.client, socket, sys
grpc, port, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
socket.create_connection(("127.0.0.1", grpc), timeout=5).close()
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
c.request("POST", "/v1/traces", body=open(path, "rb").read(), headers={"Content-Type": "application/json"})
r = c.getresponse()
body = r.read()
assert r.status == 200, f"HTTP {r.status}: {body!r}"'
  if export_err=$(python3 -c "$export_traces" "$grpc_port" "$http_port" "$sample" 2>&1); then
    pass "listen --no-tui: $banner; gRPC port connects; POST /v1/traces answered 200"
  else
    fail "listen --no-tui ($banner): $export_err"
  fi
fi
kill -TERM "$listener" 2>/dev/null || true
listen_status=0; wait "$listener" || listen_status=$?
listener=
if [ "$listen_status" -eq 0 ] && grep -q 'stopped; .*11 spans received' "$work/listen.err"; then
  pass "listen: stopped on SIGTERM after receiving the 11 spans"
else
  fail "listen: exit status $listen_status, expected 0 and 'stopped; … 11 spans received'; its standard error:"; indent < "$work/listen.err" >&2
fi
if got=$(hidden "$bin" view --plain "$work/recorded.jsonl" 2>&1) && [ "$got" = "$expected_plain" ]; then
  pass "listen --record: the recording reads back as the sample"
else
  fail "listen --record: view --plain of the recording differs from the sample (diff expected/got):"
  diff <(echo "$expected_plain") <(echo "$got") | indent >&2 || true
fi

# (c) The bash completion: loads, registers for tracetui, offers the subcommands and view's options.
complete_words='source "$0"
complete -p tracetui >/dev/null || exit 1
function=$(complete -p tracetui | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
"$function" tracetui "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf "%s\n" "${COMPREPLY[@]}"'
bash_completion=$prefix/share/bash-completion/completions/tracetui
if offered=$(PATH=$prefix/bin:$PATH hidden bash --norc --noprofile -c "$complete_words" "$bash_completion" tracetui "" 2>&1); then
  missing=$(for c in view listen summary prices; do grep -q -x "$c" <<< "$offered" || echo "$c"; done)
  if [ -z "$missing" ]; then pass "bash completion: 'tracetui <Tab>' offers view, listen, summary, prices"; else fail "bash completion: 'tracetui <Tab>' does not offer: $missing (offered: $(tr '\n' ' ' <<< "$offered"))"; fi
else
  fail "bash completion: sourcing $bash_completion or calling its function failed: $offered"
fi
if offered=$(PATH=$prefix/bin:$PATH hidden bash --norc --noprofile -c "$complete_words" "$bash_completion" tracetui view --pl 2>&1) \
   && grep -q -x -- --plain <<< "$offered"; then
  pass "bash completion: 'tracetui view --pl<Tab>' offers --plain"
else
  fail "bash completion: 'tracetui view --pl<Tab>' does not offer --plain (offered: $(tr '\n' ' ' <<< "$offered"))"
fi

# (d) The manual page.
man_page=$prefix/share/man/man1/tracetui.1
if ! command -v man >/dev/null; then
  fail "man is not installed (scripts/install-deps.sh installs man-db)"
elif ! shown=$(MANWIDTH=100 MANPAGER=cat man --warnings -l "$man_page" 2> "$work/man.err"); then
  fail "man -l $man_page failed: $(cat "$work/man.err")"
else
  # NAME, then each subcommand as an item of the single page: "     view    Open trace files…".
  missing=$(for want in '^NAME$' '^ +tracetui .{1,3} A terminal trace explorer for LLM' '^SYNOPSIS$' \
                        '^ +view( |$)' '^ +listen( |$)' '^ +summary( |$)' '^ +prices( |$)'; do
              grep -q -E -- "$want" <<< "$shown" || printf "'%s' " "$want"
            done)
  if [ -n "$missing" ]; then fail "man -l $man_page: no line matches $missing; the page begins:"; head -20 <<< "$shown" | indent >&2
  elif [ -s "$work/man.err" ]; then fail "man --warnings -l $man_page: $(cat "$work/man.err")"
  else pass "man -l: NAME and the subcommands view, listen, summary, prices; no warnings"; fi
  if found=$(MANPATH=$prefix/share/man man -w tracetui 2>&1) && [ "$found" = "$man_page" ]; then
    pass "MANPATH=PREFIX/share/man man tracetui finds the page"
  else
    fail "MANPATH=$prefix/share/man man -w tracetui gave '$found', expected $man_page"
  fi
fi

# zsh and fish: only a syntax check, and only where the shell is installed.
if command -v zsh >/dev/null; then
  if err=$(zsh -n "$prefix/share/zsh/site-functions/_tracetui" 2>&1); then pass "zsh -n _tracetui"; else fail "zsh -n _tracetui: $err"; fi
else
  echo "check-install: note: zsh is not installed; _tracetui is checked for being non-empty only"
fi
if command -v fish >/dev/null; then
  if err=$(fish --no-execute "$prefix/share/fish/vendor_completions.d/tracetui.fish" 2>&1); then pass "fish --no-execute tracetui.fish"; else fail "fish --no-execute tracetui.fish: $err"; fi
else
  echo "check-install: note: fish is not installed; tracetui.fish is checked for being non-empty only"
fi

finish
