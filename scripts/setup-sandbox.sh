#!/usr/bin/env bash
# Prepares this machine for the code-execution sandbox (src/infra/sandbox): the isolation tools (bubblewrap,
# setpriv/prlimit), the toolchains of the eight supported languages, and the seccomp BPF filter the runner
# hands to bubblewrap. Idempotent: when everything is in place it only runs a few `command -v` checks and a
# hash comparison, so it is cheap to call on every `npm start` / `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup-sandbox] %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

# 1. Debian packages. Each entry is "<path that proves it is installed> <package>". Paths are absolute on
#    purpose: the sandbox only sees /usr, so a toolchain found elsewhere on PATH (pyenv, rustup) does not count.
required=(
  "/usr/bin/bwrap bubblewrap"
  "/usr/bin/setpriv util-linux"
  "/usr/bin/prlimit util-linux"
  "/usr/bin/mount mount"
  "/usr/include/seccomp.h libseccomp-dev"
  "/usr/bin/gcc gcc"
  "/usr/bin/g++ g++"
  "/usr/bin/python3 python3"
  "/usr/bin/javac openjdk-17-jdk-headless"
  "/usr/bin/go golang-go"
  "/usr/bin/rustc rustc"
)
missing=()
for entry in "${required[@]}"; do
  path=${entry%% *}; pkg=${entry#* }
  [ -e "$path" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  log "installing ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. Two small C programs, kept here so they are rebuilt whenever they change: the seccomp filter generator
#    (its output is a raw BPF program that bwrap loads with --seccomp FD) and the launcher starting the chain.
out_dir=${SANDBOX_STATE_DIR:-.data/sandbox}  # same default as src/infra/sandbox/paths.ts
filter="$out_dir/seccomp.bpf"
read -r -d '' generator <<'EOF' || true
/* Writes the sandbox seccomp filter as raw BPF to argv[1].
 * Default: allow. Namespaces already cut the sandbox off from the host; this filter removes the kernel
 * interfaces namespaces do not cover (vsock to the hypervisor, keyrings, io_uring, ptrace, mounts, new
 * namespaces, module/kexec calls) and every socket family except local and IP ones (the network namespace
 * leaves IP with nothing but a downed loopback). */
#define _GNU_SOURCE /* CLONE_NEW* */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static int deny(scmp_filter_ctx ctx, const char *name, int err) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) return 0; /* not on this architecture */
  return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), nr, 0);
}

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: %s OUT.bpf\n", argv[0]); return 2; }
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) return 1;
  /* Syscalls from other ABIs (i386, x32) would bypass the argument checks below: kill them. */
  if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) < 0) return 1;
  int rc = 0;

  static const char *denied[] = {
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp", "personality",
    "keyctl", "add_key", "request_key", "bpf", "userfaultfd", "perf_event_open",
    "mount", "umount2", "pivot_root", "chroot", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick",
    "open_tree", "mount_setattr", "unshare", "setns",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "swapon", "swapoff", "reboot", "acct", "quotactl", "quotactl_fd", "open_by_handle_at",
    "name_to_handle_at", "fanotify_init", "iopl", "ioperm", "syslog", "lookup_dcookie", "vhangup",
    "sethostname", "setdomainname", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
  };
  for (size_t i = 0; i < sizeof denied / sizeof *denied; i++) rc |= deny(ctx, denied[i], EPERM);

  /* ENOSYS (not EPERM) so runtimes take their "kernel too old" fallback: libuv drops io_uring, glibc
   * falls back from clone3 to clone, whose flags we can inspect (clone3 passes them in memory). */
  rc |= deny(ctx, "io_uring_setup", ENOSYS);
  rc |= deny(ctx, "io_uring_enter", ENOSYS);
  rc |= deny(ctx, "io_uring_register", ENOSYS);
  rc |= deny(ctx, "clone3", ENOSYS);

  /* No new namespaces through clone either (unshare/setns are denied above). */
  static const unsigned long ns_flags[] = {
    CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWCGROUP,
    CLONE_NEWTIME,
  };
  for (size_t i = 0; i < sizeof ns_flags / sizeof *ns_flags; i++)
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                           SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));

  /* Sockets: only AF_UNIX (1), AF_INET (2), AF_INET6 (10). The >= rule compares all 64 bits, so values
   * with high bits set (which the kernel truncates to int) are refused too. */
  static const int bad_low_families[] = { 0, 3, 4, 5, 6, 7, 8, 9 };
  const char *socket_calls[] = { "socket", "socketpair" };
  for (size_t s = 0; s < 2; s++) {
    int nr = seccomp_syscall_resolve_name(socket_calls[s]);
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), nr, 1, SCMP_A0(SCMP_CMP_GE, AF_INET6 + 1));
    for (size_t i = 0; i < sizeof bad_low_families / sizeof *bad_low_families; i++)
      rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), nr, 1,
                             SCMP_A0(SCMP_CMP_EQ, bad_low_families[i]));
  }
  if (rc != 0) { fprintf(stderr, "seccomp rule failed\n"); return 1; }

  int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || seccomp_export_bpf(ctx, fd) < 0 || close(fd) < 0) { perror(argv[1]); return 1; }
  seccomp_release(ctx);
  return 0;
}
EOF
read -r -d '' enter <<'EOF' || true
/* sandbox-enter: first link of the sandbox launch chain, run as root by the worker.
 *   usage: sandbox-enter [-k] [-r RESOURCE=SOFT:HARD]... CGROUP_PROCS_FILE... -- COMMAND [ARG...]
 *          sandbox-enter [-k] -w CGROUP_PROCS_FILE... --
 *          sandbox-enter [-k] -p CGROUP_PROCS_FILE... -- COMMAND [ARG...]
 *          sandbox-enter --drop UID GID -- COMMAND [ARG...]
 *          sandbox-enter --wait-drop UID GID --
 * First form (on the host): moves itself into each given cgroup before anything else runs (children inherit it,
 * so nothing escapes the limits), sets the given resource limits (cpu, fsize, nofile, nproc, stack, core;
 * inherited by everything it starts, so no separate prlimit exec is needed), closes every inherited descriptor
 * above 5 (3 = seccomp filter, 4 = bwrap status pipe, 5 = bwrap arguments; with -k also keeps 6 = this program,
 * opened read-only, which bwrap runs inside the sandbox as /proc/self/fd/6; anything else was leaked to the worker
 * by its own parent and must not reach untrusted code), then execs COMMAND.
 * With -w the launcher is started ahead of a run: it joins the cgroups (moving a task between cgroups waits for
 * the kernel's RCU grace periods, which can take milliseconds), then waits for the rest of its command line
 * ("[-r RESOURCE=SOFT:HARD]... -- COMMAND [ARG...]", NUL-separated) on fd 7 until EOF; EOF with nothing exits 0.
 * With -p (a sandbox started ahead of its run) fd 7 is kept open for COMMAND (bwrap), whose last step inside the
 * sandbox is the --wait-drop form reading it.
 * --drop (inside the sandbox, bwrap's last step): drops to UID/GID for good - no supplementary groups, empty
 * capability sets including the bounding and ambient sets, no_new_privs - closes every descriptor above 2, then
 * execs COMMAND: what setpriv did, without loading a dynamically linked binary on every run.
 * --wait-drop: the same inside a sandbox started ahead of its run, once the run's command line has arrived on
 * fd 7 ("[-r RESOURCE=SOFT:HARD]... -- COMMAND [ARG...]", NUL-separated, until EOF): sets those limits while still
 * privileged, then drops and execs as --drop does. EOF with nothing (the sandbox was not needed) exits 0. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <grp.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FIRST_FD_TO_CLOSE 6
#define CONTROL_FD 7
#define MAX_CONTROL 65536

static const struct { const char *name; int resource; } LIMITS[] = {
  {"cpu", RLIMIT_CPU}, {"fsize", RLIMIT_FSIZE}, {"nofile", RLIMIT_NOFILE},
  {"nproc", RLIMIT_NPROC}, {"stack", RLIMIT_STACK}, {"core", RLIMIT_CORE},
};

/* "RESOURCE=SOFT:HARD" (decimal). Returns 0, or -1 with errno set. */
static int set_limit(const char *spec) {
  const char *eq = strchr(spec, '=');
  if (!eq) { errno = EINVAL; return -1; }
  for (size_t k = 0; k < sizeof LIMITS / sizeof LIMITS[0]; k++) {
    if (strlen(LIMITS[k].name) != (size_t)(eq - spec) || strncmp(spec, LIMITS[k].name, eq - spec) != 0) continue;
    char *end;
    errno = 0;
    unsigned long long soft = strtoull(eq + 1, &end, 10);
    if (errno || end == eq + 1 || *end != ':') { errno = EINVAL; return -1; }
    const char *hard_text = end + 1;
    unsigned long long hard = strtoull(hard_text, &end, 10);
    if (errno || end == hard_text || *end != '\0' || soft > hard) { errno = EINVAL; return -1; }
    struct rlimit rl = { (rlim_t)soft, (rlim_t)hard };
    return setrlimit(LIMITS[k].resource, &rl);
  }
  errno = EINVAL;
  return -1;
}

static void close_from(int first) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, first, ~0U, 0) == 0) return;
#endif
  /* Kernels before 5.9: collect the open descriptors first, then close them. */
  int fds[4096], n = 0;
  DIR *d = opendir("/proc/self/fd");
  if (!d) { perror("sandbox-enter: /proc/self/fd"); exit(125); }
  for (struct dirent *e; (e = readdir(d)) && n < 4096;) {
    int fd = atoi(e->d_name);
    if (fd >= first && fd != dirfd(d)) fds[n++] = fd;
  }
  closedir(d);
  for (int i = 0; i < n; i++) close(fds[i]);
}

static int parse_id(const char *text, unsigned *out) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(text, &end, 10);
  if (errno || end == text || *end != '\0' || v == 0 || v > 0x7fffffffUL) return -1;
  *out = (unsigned)v;
  return 0;
}

/* The privilege drop, in setpriv's order: no_new_privs, groups, gid, bounding and ambient sets (while
 * CAP_SETPCAP is still held), uid (clears the permitted and effective sets), then every set explicitly. */
static int drop_privileges(uid_t uid, gid_t gid) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
  if (setgroups(0, NULL) != 0) return -1;
  if (setresgid(gid, gid, gid) != 0) return -1;
  for (int cap = 0; cap < 64; cap++) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) return -1;
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) return -1;
  if (setresuid(uid, uid, uid) != 0) return -1;
  struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  if (syscall(SYS_capset, &header, data) != 0) return -1;
  /* Never go on unless the drop really happened. */
  uid_t r, e, s;
  if (getresuid(&r, &e, &s) != 0 || r != uid || e != uid || s != uid) { errno = EPERM; return -1; }
  return 0;
}

/* Reads the NUL-separated rest of the command line from CONTROL_FD. Returns the word count (0: cancelled). */
static int read_command(char ***words) {
  static char buf[MAX_CONTROL];
  size_t n = 0;
  for (;;) {
    ssize_t r = read(CONTROL_FD, buf + n, sizeof buf - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) break;
    n += (size_t)r;
    if (n == sizeof buf) { errno = E2BIG; return -1; }
  }
  close(CONTROL_FD);
  if (n == 0) return 0;
  if (buf[n - 1] != '\0') { errno = EINVAL; return -1; }
  int count = 0;
  for (size_t k = 0; k < n; k++) count += buf[k] == '\0';
  char **v = calloc((size_t)count + 1, sizeof *v);
  if (!v) return -1;
  for (size_t k = 0, w = 0; k < n; k += strlen(buf + k) + 1) v[w++] = buf + k;
  *words = v;
  return count;
}

static int apply_limits(char **words, int from, int to) {
  for (int k = from; k < to; k += 2) {
    if (set_limit(words[k + 1]) != 0) {
      fprintf(stderr, "sandbox-enter: cannot set limit %s: %s\n", words[k + 1], strerror(errno));
      return -1;
    }
  }
  return 0;
}

/* The run's limits and command from a command line read on CONTROL_FD: "[-r R=S:H]... -- COMMAND [ARG...]".
 * Returns the command, or NULL after printing why (*cancelled set when nothing came at all). */
static char **limits_then_command(int *cancelled) {
  char **words = NULL;
  int count = read_command(&words);
  *cancelled = count == 0;
  if (count == 0) return NULL;
  if (count < 0) { fprintf(stderr, "sandbox-enter: reading the command: %s\n", strerror(errno)); return NULL; }
  int j = 0;
  while (j + 1 < count && strcmp(words[j], "-r") == 0) j += 2;
  if (j + 1 >= count || strcmp(words[j], "--") != 0) { fprintf(stderr, "sandbox-enter: malformed command\n"); return NULL; }
  if (apply_limits(words, 0, j) != 0) return NULL;
  return words + j + 1;
}

static int drop_and_exec(int argc, char **argv) {
  unsigned uid, gid;
  int waits = strcmp(argv[1], "--wait-drop") == 0;
  if ((waits ? argc != 5 : argc < 6) || parse_id(argv[2], &uid) != 0 || parse_id(argv[3], &gid) != 0 ||
      strcmp(argv[4], "--") != 0) {
    fprintf(stderr, "usage: %s --drop UID GID -- COMMAND [ARG...]\n       %s --wait-drop UID GID --\n", argv[0], argv[0]);
    return 125;
  }
  char **command = argv + 5;
  if (waits) {
    int cancelled;
    command = limits_then_command(&cancelled);
    if (!command) return cancelled ? 0 : 125;
  }
  if (drop_privileges(uid, gid) != 0) {
    fprintf(stderr, "sandbox-enter: cannot drop privileges: %s\n", strerror(errno));
    return 125;
  }
  close_from(3);
  execv(command[0], command);
  fprintf(stderr, "sandbox-enter: exec %s: %s\n", command[0], strerror(errno));
  return 127;
}

int main(int argc, char **argv) {
  if (argc > 1 && (strcmp(argv[1], "--drop") == 0 || strcmp(argv[1], "--wait-drop") == 0)) return drop_and_exec(argc, argv);
  char pid[32];
  int len = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
  int i = 1, keep_self = 0, wait_command = 0, pass_control = 0;
  for (; i < argc; i++) {
    if (strcmp(argv[i], "-k") == 0) keep_self = 1;
    else if (strcmp(argv[i], "-w") == 0) wait_command = 1;
    else if (strcmp(argv[i], "-p") == 0) pass_control = 1;
    else break;
  }
  if (wait_command && pass_control) { fprintf(stderr, "sandbox-enter: -w and -p exclude each other\n"); return 125; }
  int first_limit = i;
  while (i + 1 < argc && strcmp(argv[i], "-r") == 0) i += 2;
  int after_limits = i;
  for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
    int fd = open(argv[i], O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, pid, len) != len) {
      fprintf(stderr, "sandbox-enter: cannot join %s: %s\n", argv[i], strerror(errno));
      return 125;
    }
    close(fd);
  }
  if (i >= argc || (wait_command ? i + 1 != argc : i + 1 >= argc)) {
    fprintf(stderr, "usage: %s [-k] [-p] [-r RESOURCE=SOFT:HARD]... CGROUP_PROCS... -- COMMAND [ARG...]\n"
                    "       %s [-k] -w CGROUP_PROCS... --\n", argv[0], argv[0]);
    return 125;
  }
  if (apply_limits(argv, first_limit, after_limits) != 0) return 125;
  char **command = argv + i + 1;
  if (wait_command) {
    int cancelled;
    command = limits_then_command(&cancelled);
    if (!command) return cancelled ? 0 : 125;
  }
  close_from(pass_control ? CONTROL_FD + 1 : keep_self ? FIRST_FD_TO_CLOSE + 1 : FIRST_FD_TO_CLOSE);
  execv(command[0], command);
  fprintf(stderr, "sandbox-enter: exec %s: %s\n", command[0], strerror(errno));
  return 127;
}
EOF

# Rebuild when a source changed (the stamp holds their hash) or an output is missing.
want_hash=$(printf '%s\n%s' "$generator" "$enter" | sha256sum | cut -c1-16)
launcher="$out_dir/sandbox-enter"
if [ ! -s "$filter" ] || [ ! -x "$launcher" ] || [ "$(cat "$out_dir/build.stamp" 2>/dev/null)" != "$want_hash" ]; then
  log "building the seccomp filter and the launcher"
  build=$(mktemp -d)
  trap 'rm -rf "$build"' EXIT
  printf '%s\n' "$generator" > "$build/seccomp-gen.c"
  printf '%s\n' "$enter" > "$build/sandbox-enter.c"
  gcc -O2 -Wall -Werror -o "$build/seccomp-gen" "$build/seccomp-gen.c" -lseccomp
  # Static: it runs once per sandboxed process, and skipping the dynamic loader saves part of a millisecond.
  gcc -O2 -Wall -Werror -static -o "$build/sandbox-enter" "$build/sandbox-enter.c" 2>/dev/null \
    || gcc -O2 -Wall -Werror -o "$build/sandbox-enter" "$build/sandbox-enter.c"
  mkdir -p "$out_dir"
  "$build/seccomp-gen" "$filter.tmp"
  mv "$filter.tmp" "$filter"
  install -m 0755 "$build/sandbox-enter" "$launcher.tmp"
  mv "$launcher.tmp" "$launcher"
  printf '%s\n' "$want_hash" > "$out_dir/build.stamp"
  rm -f "$out_dir/seccomp.stamp"
fi
