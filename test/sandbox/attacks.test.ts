/**
 * Attack suite: hostile programs that must stay contained. Each test runs the attack through the public API
 * and then checks both what the program could observe and, where it matters, the host itself.
 * Programs report what they saw as one JSON line on stdout.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { detectCgroups } from '../../src/infra/sandbox/cgroup.js';
import { BOXES_DIR, PROJECT_ROOT, SANDBOX_UID } from '../../src/infra/sandbox/paths.js';
import { sweepLeftovers } from '../../src/infra/sandbox/probe.js';
import { closeSandboxesAhead } from '../../src/infra/sandbox/index.js';
import { forkBombProgram, report, run } from './helpers.js';

const token = () => `sbx${randomBytes(5).toString('hex')}`;

/** Host processes whose command name (which a process can set for itself and its children) is `comm`. */
function processesNamed(comm: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/comm`, 'utf8').trim() === comm) pids.push(Number(name));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Python prelude: names the process (inherited by children) so the host can look for survivors. */
const nameSelf = (comm: string) => `open('/proc/self/comm', 'w').write(${JSON.stringify(comm)})\n`;

let listener: Server;
let listenerPort = 0;
/** A host process running as the sandbox uid but outside any sandbox: a target that must stay untouchable. */
let canary: ChildProcess;

beforeAll(async () => {
  listener = createServer((s) => s.end('hello from the host\n'));
  await new Promise<void>((resolve) => listener.listen(0, '0.0.0.0', resolve));
  listenerPort = (listener.address() as { port: number }).port;
  canary = spawn('/usr/bin/setpriv', [`--reuid=${SANDBOX_UID}`, `--regid=${SANDBOX_UID}`, '--clear-groups', '/usr/bin/sleep', '600'], {
    stdio: 'ignore',
  });
  await new Promise((r) => setTimeout(r, 100));
});

afterAll(async () => {
  await closeSandboxesAhead();
  canary.kill('SIGKILL');
  await new Promise<void>((resolve) => listener.close(() => resolve()));
});

describe('network', () => {
  it('cannot reach host services, the LAN, the internet or DNS', async () => {
    const hostIps = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i && i.family === 'IPv4' && !i.internal)
      .map((i) => i!.address);
    const targets: Array<[string, number]> = [
      ['127.0.0.1', listenerPort],
      ['127.0.0.1', 5432], // Postgres
      ['127.0.0.1', 6379], // Redis
      ['::1', listenerPort],
      ...hostIps.map((ip): [string, number] => [ip, listenerPort]),
      ['8.8.8.8', 53],
      ['1.1.1.1', 443],
    ];
    const r = await run(
      'python',
      `
import json, socket, sys
targets = json.loads(sys.stdin.read())
out = {}
for host, port in targets:
    try:
        socket.create_connection((host, port), timeout=2).close()
        out[f'{host}:{port}'] = 'CONNECTED'
    except Exception as e:
        out[f'{host}:{port}'] = repr(e)
try:
    out['dns'] = 'RESOLVED ' + repr(socket.getaddrinfo('example.com', 80))
except Exception as e:
    out['dns'] = repr(e)
try:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(b'x', ('8.8.8.8', 53))
    out['udp'] = 'SENT'
except Exception as e:
    out['udp'] = repr(e)
out['interfaces'] = sorted(l.split(':')[0].strip() for l in open('/proc/net/dev').read().splitlines()[2:])
print(json.dumps(out))
`,
      { stdin: JSON.stringify(targets) },
    );
    const seen = report<Record<string, unknown>>(r);
    for (const [host, port] of targets) expect(seen[`${host}:${port}`]).not.toBe('CONNECTED');
    expect(String(seen.dns)).not.toMatch(/^RESOLVED/);
    expect(seen.udp).not.toBe('SENT');
    expect(seen.interfaces).toEqual(['lo']);
  }, 60_000);

  it('the host listener really is reachable from outside the sandbox (the test above means something)', async () => {
    const { connect } = await import('node:net');
    const answer = await new Promise<string>((resolve, reject) => {
      const s = connect(listenerPort, '127.0.0.1');
      s.on('data', (d) => resolve(d.toString()));
      s.on('error', reject);
    });
    expect(answer).toContain('hello from the host');
  });

  it('cannot open vsock, netlink, packet or other non-IP sockets, even with high bits in the family', async () => {
    const r = await run(
      'python',
      `
import json, socket
out = {}
for name, fam, kind in [('vsock', 40, socket.SOCK_STREAM), ('netlink', 16, socket.SOCK_RAW), ('packet', 17, socket.SOCK_RAW),
                        ('bluetooth', 31, socket.SOCK_STREAM), ('alg', 38, socket.SOCK_SEQPACKET), ('unspec', 0, socket.SOCK_STREAM)]:
    try:
        socket.socket(fam, kind)
        out[name] = 'OPENED'
    except OSError as e:
        out[name] = e.errno
print(json.dumps(out))
`,
    );
    const seen = report(r);
    for (const name of ['vsock', 'netlink', 'packet', 'bluetooth', 'alg', 'unspec']) expect(seen[name]).toBe(97); // EAFNOSUPPORT

    // Raw syscall: the kernel truncates the family to int, so 0x1_0000_0028 would be AF_VSOCK if let through.
    const c = await run(
      'c',
      `
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void) {
  long a = syscall(SYS_socket, 0x100000028L, 1L, 0L); int ea = errno;
  long b = syscall(SYS_socket, 0x100000001L, 1L, 0L); int eb = errno;
  long c = syscall(SYS_socket, 40L, 1L, 0L); int ec = errno;
  printf("{\\"high_vsock\\": [%ld, %d], \\"high_unix\\": [%ld, %d], \\"vsock\\": [%ld, %d]}\\n", a, ea, b, eb, c, ec);
  return 0;
}
`,
    );
    expect(report(c)).toEqual({ high_vsock: [-1, 97], high_unix: [-1, 97], vsock: [-1, 97] });
  }, 60_000);
});

describe('filesystem', () => {
  it('sees none of the host: no /etc/shadow, no project directory, no sockets, no /sys, a minimal /dev', async () => {
    const paths = [
      '/etc/shadow',
      '/etc/passwd',
      '/root',
      '/home',
      '/sys/kernel',
      '/var/run/postgresql',
      '/run',
      path.join(PROJECT_ROOT, 'package.json'),
      path.join(PROJECT_ROOT, '.data/sandbox/seccomp.bpf'),
      '/proc/1/root/etc/hostname',
      '/proc/1/cwd',
      '/usr/local/etc', // hand-installed tools' configuration (e.g. a global npmrc)
      '/dev/vsock',
      '/dev/kmsg',
      '/dev/mem',
    ];
    const r = await run(
      'python',
      `
import json, os, sys
out = {'read': {}}
for p in json.loads(sys.stdin.read()):
    try:
        if os.path.isdir(p):
            out['read'][p] = 'LISTED ' + ','.join(os.listdir(p))
        else:
            with open(p, 'rb') as f:
                out['read'][p] = 'READ ' + repr(f.read(64))
    except Exception as e:
        out['read'][p] = repr(e)
out['root'] = sorted(os.listdir('/'))
out['etc'] = sorted(os.listdir('/etc'))
out['dev'] = sorted(os.listdir('/dev'))
out['box'] = sorted(os.listdir('/box'))
out['proc_pids'] = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())
out['hostname'] = os.uname().nodename
out['mountinfo'] = open('/proc/self/mountinfo').read()
print(json.dumps(out))
`,
      { stdin: JSON.stringify(paths) },
    );
    const seen = report<{
      read: Record<string, string>;
      root: string[];
      etc: string[];
      dev: string[];
      box: string[];
      proc_pids: number[];
      hostname: string;
      mountinfo: string;
    }>(r);
    for (const p of paths) expect(`${p}: ${seen.read[p]}`).toMatch(/Error|No such file|Permission denied/);
    expect(seen.root).toEqual(['bin', 'box', 'dev', 'etc', 'lib', 'lib64', 'proc', 'sbin', 'tmp', 'usr'].filter((e) => e !== 'lib64' || existsSync('/usr/lib64')));
    expect(seen.etc.every((e) => ['alternatives', 'ld.so.cache'].includes(e) || e.startsWith('java-'))).toBe(true);
    expect(seen.dev.every((e) => ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'pts', 'ptmx', 'shm', 'fd', 'stdin', 'stdout', 'stderr', 'core', 'console'].includes(e))).toBe(true);
    expect(seen.box).toEqual(['code.py']);
    expect(seen.proc_pids.length).toBeLessThanOrEqual(3); // bwrap's init, the program, nothing of the host
    expect(seen.hostname).toBe('sandbox');
    expect(seen.mountinfo).not.toContain(PROJECT_ROOT); // the box is a tmpfs of its own, not a host directory
  }, 60_000);

  it('cannot write outside /tmp, and /box is read-only while running', async () => {
    const targets = ['/pwned', '/usr/pwned', '/usr/bin/pwned', '/etc/pwned', '/box/pwned', '/dev/pwned', '/proc/sysrq-trigger', '/proc/sys/kernel/hostname'];
    const r = await run(
      'python',
      `
import json, sys
out = {}
for p in json.loads(sys.stdin.read()) + ['/tmp/ok']:
    try:
        with open(p, 'w') as f:
            f.write('x')
        out[p] = 'WROTE'
    except Exception as e:
        out[p] = repr(e)
print(json.dumps(out))
`,
      { stdin: JSON.stringify(targets) },
    );
    const seen = report(r);
    for (const t of targets) expect(`${t}: ${seen[t]}`).toMatch(/Error/);
    expect(seen['/tmp/ok']).toBe('WROTE');
    for (const t of ['/pwned', '/usr/pwned', '/usr/bin/pwned', '/etc/pwned']) expect(existsSync(t)).toBe(false);
  }, 60_000);

  it('cannot fill the disk: /tmp is a small tmpfs and single files are capped', async () => {
    const r = await run(
      'python',
      `
import json, os
out = {}
written = 0
try:
    for i in range(10_000):
        with open(f'/tmp/f{i}', 'wb') as f:
            f.write(b'x' * (1 << 20))
        written += 1 << 20
except OSError as e:
    out['many_files_error'] = e.errno
out['many_files_bytes'] = written
for i in range(10_000):
    try:
        os.remove(f'/tmp/f{i}')
    except FileNotFoundError:
        break
size = 0
try:
    with open('/tmp/big', 'wb') as f:
        for _ in range(1000):
            f.write(b'x' * (1 << 20))
            f.flush()
            size += 1 << 20
except OSError as e:
    out['big_file_error'] = e.errno
out['big_file_bytes'] = size
print(json.dumps(out))
`,
    );
    const seen = report<Record<string, number>>(r);
    expect(seen.many_files_error).toBe(28); // ENOSPC
    expect(seen.many_files_bytes).toBeLessThanOrEqual(64 * 1024 * 1024);
    expect(seen.big_file_error).toBe(27); // EFBIG
    expect(seen.big_file_bytes).toBeLessThanOrEqual(16 * 1024 * 1024);
  }, 60_000);

  it('cannot fill the disk at compile time either (a 1 GiB static array)', async () => {
    const r = await run('c', '#include <stdio.h>\nchar big[1 << 30] = {1};\nint main(void) { return big[getchar() & 0xff]; }\n');
    expect(r.verdictHint).toBe('CE');
    expect(r.error).toMatch(/File size limit|No space left|file too large/i);
  }, 60_000);

  it('cannot escape through symlinks or /proc links', async () => {
    const r = await run(
      'python',
      `
import json, os
out = {}
def attempt(name, fn):
    try:
        out[name] = 'OK ' + repr(fn())[:80]
    except Exception as e:
        out[name] = repr(e)
attempt('make_in_box', lambda: os.symlink('/etc/shadow', '/box/link'))
os.symlink('/etc/shadow', '/tmp/shadow')
attempt('follow_shadow', lambda: open('/tmp/shadow').read())
os.symlink('/proc/1/root', '/tmp/initroot')
attempt('init_root', lambda: os.listdir('/tmp/initroot'))
attempt('init_cwd', lambda: os.listdir('/proc/1/cwd'))
attempt('init_exe', lambda: open('/proc/1/exe', 'rb').read(4))
attempt('init_environ', lambda: open('/proc/1/environ').read())
attempt('init_mem', lambda: open('/proc/1/mem', 'rb').read(1))
print(json.dumps(out))
`,
    );
    const seen = report<Record<string, string>>(r);
    for (const [name, what] of Object.entries(seen)) expect(`${name}: ${what}`).toMatch(/Error/);
  }, 60_000);

  it('does not let one run see another run\'s files', async () => {
    const mark = token();
    const [writer, reader] = await Promise.all([
      run('python', `import time\nopen('/tmp/${mark}', 'w').write('secret')\ntime.sleep(1.5)\nprint('done')`),
      run('python', `import json, os, time\ntime.sleep(0.7)\nprint(json.dumps({'tmp': os.listdir('/tmp'), 'box': os.listdir('/box')}))`),
    ]);
    expect(writer.verdictHint).toBe('OK');
    const seen = report<{ tmp: string[]; box: string[] }>(reader);
    expect(seen.tmp).not.toContain(mark);
    expect(seen.box).toEqual(['code.py']);
  }, 60_000);
});

describe('secrets and identity', () => {
  it('leaks no environment variable of the worker, through its own environment or any /proc entry', async () => {
    const secret = `canary-${token()}`;
    process.env.SANDBOX_TEST_SECRET = secret;
    try {
      const r = await run(
        'python',
        `
import json, os
out = {'env': dict(os.environ), 'proc': {}}
for pid in os.listdir('/proc'):
    if pid.isdigit():
        for f in ('environ', 'cmdline'):
            try:
                out['proc'][f'{pid}/{f}'] = open(f'/proc/{pid}/{f}', 'rb').read().decode('latin-1')
            except Exception as e:
                out['proc'][f'{pid}/{f}'] = repr(e)
print(json.dumps(out))
`,
      );
      expect(r.stdout).not.toContain(secret);
      expect(r.stdout).not.toContain('DATABASE_URL');
      expect(r.stdout).not.toContain(PROJECT_ROOT); // bwrap (pid 1) got its arguments through a pipe
      expect(r.stdout).toContain('1/cmdline');
      const seen = report<{ env: Record<string, string> }>(r);
      expect(Object.keys(seen.env).sort()).toEqual(expect.arrayContaining(['PATH']));
      for (const key of Object.keys(seen.env)) expect(['PATH', 'HOME', 'LANG', 'LC_CTYPE', 'PWD']).toContain(key);
      expect(seen.env.PATH).toBe('/usr/bin:/bin');
    } finally {
      delete process.env.SANDBOX_TEST_SECRET;
    }
  }, 60_000);

  it('inherits no file descriptor beyond stdin, stdout and stderr', async () => {
    const r = await run(
      'python',
      `
import json, os
fds = {}
for fd in os.listdir('/proc/self/fd'):
    try:
        fds[fd] = os.readlink(f'/proc/self/fd/{fd}')
    except OSError:
        pass  # the descriptor listdir itself used, closed by now
print(json.dumps(sorted(int(fd) for fd in fds)))
`,
    );
    expect(report(r)).toEqual([0, 1, 2]);
  }, 60_000);

  it('runs unprivileged: sandbox uid, no capabilities, no_new_privs, seccomp on; setuid binaries do not help', async () => {
    const r = await run(
      'python',
      `
import json, os, subprocess
status = dict(l.split(':\\t', 1) for l in open('/proc/self/status').read().splitlines() if ':\\t' in l)
out = {k: status[k].split() for k in ('Uid', 'Gid', 'CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb', 'NoNewPrivs', 'Seccomp', 'Groups') if k in status}
def attempt(name, fn):
    try:
        out[name] = 'OK ' + repr(fn())
    except Exception as e:
        out[name] = repr(e)
attempt('setuid0', lambda: os.setuid(0))
attempt('setgid0', lambda: os.setgid(0))
for name, argv in [('su', ['su', '-c', 'id -u']), ('mount', ['mount', '-t', 'tmpfs', 'x', '/tmp']),
                   ('unshare_user', ['unshare', '-Ur', 'id', '-u']), ('chroot', ['/usr/sbin/chroot', '/', 'id', '-u'])]:
    p = subprocess.run(argv, capture_output=True, text=True)
    out[name] = [p.returncode, p.stdout.strip()]
setuid_bins = []
for d in ('/usr/bin', '/usr/sbin'):
    for f in os.listdir(d):
        try:
            if os.stat(os.path.join(d, f)).st_mode & 0o4000:
                setuid_bins.append(f)
        except OSError:
            pass
out['setuid_bins'] = setuid_bins
print(json.dumps(out))
`,
    );
    const seen = report<Record<string, any>>(r);
    expect(seen.Uid).toEqual(Array(4).fill(String(SANDBOX_UID)));
    expect(seen.Gid).toEqual(Array(4).fill(String(SANDBOX_UID)));
    expect(seen.Groups ?? []).toEqual([]);
    for (const cap of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) expect(seen[cap]).toEqual(['0000000000000000']);
    expect(seen.NoNewPrivs).toEqual(['1']);
    expect(seen.Seccomp).toEqual(['2']);
    expect(seen.setuid0).toMatch(/PermissionError/);
    expect(seen.setgid0).toMatch(/PermissionError/);
    for (const name of ['su', 'mount', 'unshare_user', 'chroot']) expect(seen[name][0]).not.toBe(0);
    expect(seen.setuid_bins.length).toBeGreaterThan(0); // they exist, yet none of the above could use one
  }, 60_000);

  it('blocks the kernel interfaces namespaces do not cover (seccomp)', async () => {
    const r = await run(
      'c',
      `
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>
static void show(const char *name, long rc, int first) {
  printf("%s\\"%s\\": [%ld, %d]", first ? "{" : ", ", name, rc, rc < 0 ? errno : 0);
}
int main(void) {
  show("ptrace_attach_init", ptrace(PTRACE_ATTACH, 1, 0, 0), 1);
  show("ptrace_traceme", ptrace(PTRACE_TRACEME, 0, 0, 0), 0);
  show("keyctl", syscall(SYS_keyctl, 0, 0, 0, 0, 0), 0);
  show("add_key", syscall(SYS_add_key, "user", "k", "v", 1, -2), 0);
  show("bpf", syscall(SYS_bpf, 0, 0, 0), 0);
  show("perf_event_open", syscall(SYS_perf_event_open, 0, 0, -1, -1, 0), 0);
  show("userfaultfd", syscall(SYS_userfaultfd, 0), 0);
  show("io_uring_setup", syscall(SYS_io_uring_setup, 1, 0), 0);
  show("unshare_user", unshare(CLONE_NEWUSER), 0);
  show("unshare_net", unshare(CLONE_NEWNET), 0);
  show("clone_newuser", syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0), 0);
  show("clone3", syscall(SYS_clone3, 0, 0), 0);
  show("setns", setns(0, 0), 0);
  show("mount", mount("x", "/tmp", "tmpfs", 0, 0), 0);
  show("personality_norandom", personality(ADDR_NO_RANDOMIZE), 0);
  show("kill_init", kill(1, SIGKILL), 0);
  printf("}\\n");
  return 0;
}
`,
    );
    const seen = report<Record<string, [number, number]>>(r);
    expect(Object.keys(seen)).toHaveLength(16);
    for (const [name, [rc]] of Object.entries(seen)) expect(`${name} ${rc}`).toBe(`${name} -1`);
    expect(seen.io_uring_setup![1]).toBe(38); // ENOSYS: runtimes fall back instead of failing
    expect(seen.clone3![1]).toBe(38);
  }, 60_000);

  it('kills a process that switches to the 32-bit syscall ABI (which would bypass argument filters)', async () => {
    const r = await run(
      'c',
      `
#include <stdio.h>
int main(void) {
  puts("before"); fflush(stdout);
  long ret; __asm__ volatile ("int $0x80" : "=a"(ret) : "a"(20L)); /* i386 getpid */
  printf("after %ld\\n", ret);
  return 0;
}
`,
    );
    expect(process.arch).toBe('x64'); // the assembly above is x86 specific; the suite runs on x86-64 hosts
    expect(r.stdout.trim()).toBe('before');
    expect(r.verdictHint).toBe('RE');
    expect(r.signal).toBe('SIGSYS');
  }, 60_000);
});

describe('processes', () => {
  it('cannot see, signal or trace the worker or other processes of the same uid', async () => {
    const r = await run(
      'python',
      `
import ctypes, json, os, signal, sys
targets = json.loads(sys.stdin.read())
out = {}
for name, pid in targets.items():
    try:
        os.kill(pid, signal.SIGKILL)
        out[name] = 'SIGNALLED'
    except Exception as e:
        out[name] = repr(e)
    out[name + '_visible'] = os.path.exists(f'/proc/{pid}')
libc = ctypes.CDLL(None, use_errno=True)
out['ptrace_worker'] = [libc.ptrace(16, targets['worker'], 0, 0), ctypes.get_errno()]
try:
    os.kill(os.getppid(), signal.SIGKILL)
    out['parent'] = 'SIGNALLED'
except Exception as e:
    out['parent'] = repr(e)
try:
    os.kill(-1, signal.SIGKILL)  # everything this process may signal, which is nothing outside the sandbox
    out['everyone'] = 'sent'
except Exception as e:
    out['everyone'] = repr(e)
print(json.dumps(out))
`,
      { stdin: JSON.stringify({ worker: process.pid, canary: canary.pid, init: 1 }) },
    );
    const seen = report<Record<string, any>>(r);
    expect(seen.worker).toMatch(/ProcessLookupError|PermissionError/);
    expect(seen.worker_visible).toBe(false);
    expect(seen.canary).toMatch(/ProcessLookupError|PermissionError/);
    expect(seen.canary_visible).toBe(false);
    expect(seen.init).toMatch(/PermissionError/);
    expect(seen.parent).toMatch(/PermissionError/);
    expect(seen.ptrace_worker[0]).toBe(-1);
    expect(r.verdictHint).toBe('OK');
    expect(alive(canary.pid!)).toBe(true);
  }, 60_000);

  it('contains a fork bomb (pids cgroup) without starving a concurrent run, and leaves no process behind', async () => {
    const comm = token();
    const [bomb, neighbour] = await Promise.all([
      run(
        'python',
        `${forkBombProgram(nameSelf(comm), 60)}time.sleep(0.5)\n`,
        { timeoutMs: 5000 },
      ),
      run('python', 'import time\ntime.sleep(0.3)\nprint(sum(range(10)))'),
    ]);
    const seen = report<{ forks: number; error: number }>(bomb);
    expect(seen.error).toBe(11); // EAGAIN from pids.max
    expect(seen.forks).toBeLessThan(64);
    expect(neighbour.stdout.trim()).toBe('45');
    expect(processesNamed(comm)).toEqual([]); // the sleeping children died with the sandbox
  }, 60_000);

  it('stops a memory bomb at the cgroup limit (MLE) and the host stays healthy', async () => {
    const r = await run('python', 'x = bytearray(4 << 30)\nfor i in range(0, len(x), 4096):\n    x[i] = 1\nprint("survived")', { memoryMb: 128 });
    expect(r.verdictHint).toBe('MLE');
    expect(r.stdout).toBe('');
    expect(r.memoryUsageMb ?? 0).toBeLessThanOrEqual(128);
  }, 60_000);

  it('stops a multi-process CPU spin at the CPU limit, counting every process', async () => {
    const comm = token();
    const r = await run(
      'python',
      `${nameSelf(comm)}
import os
for _ in range(7):
    if os.fork() == 0:
        break
while True:
    pass
`,
      { timeoutMs: 1000 },
    );
    expect(r.verdictHint).toBe('TLE');
    // Stopped by the CPU poll once all processes together used 1 s, or, on a host so busy that they could not
    // get that much CPU, by the wall clock (3 s).
    if (!r.error?.includes('wall clock')) expect(r.cpuTimeMs).toBeGreaterThanOrEqual(1000);
    expect(r.durationMs).toBeLessThan(4000);
    expect(processesNamed(comm)).toEqual([]);
  }, 60_000);

  it('kills a sleeper at the wall-clock limit, daemonised children included', async () => {
    const comm = token();
    const r = await run(
      'python',
      `${nameSelf(comm)}
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(120)
    os._exit(0)
time.sleep(120)
`,
      { timeoutMs: 500 },
    );
    expect(r.verdictHint).toBe('TLE');
    expect(r.timedOut).toBe(true);
    expect(r.durationMs).toBeGreaterThanOrEqual(2000); // wall limit = 2 × 500 + 1000 ms
    expect(r.durationMs).toBeLessThan(4000);
    expect(r.cpuTimeMs).toBeLessThan(500);
    expect(processesNamed(comm)).toEqual([]);
  }, 60_000);

  it('kills background processes when the main program exits', async () => {
    const comm = token();
    const r = await run('python', `${nameSelf(comm)}\nimport os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(120)\nprint('bye')`);
    expect(r.verdictHint).toBe('OK');
    expect(processesNamed(comm)).toEqual([]);
  }, 60_000);

  it('cuts huge output at 64 KiB per stream (OLE) and stops the program at once', async () => {
    const r = await run('python', "import sys\nwhile True:\n    sys.stdout.write('y' * 65536)\n    sys.stderr.write('z' * 65536)");
    expect(r.verdictHint).toBe('OLE');
    expect(r.outputTruncated).toBe(true);
    expect(Buffer.byteLength(r.stdout)).toBeLessThanOrEqual(64 * 1024);
    expect(Buffer.byteLength(r.stderr)).toBeLessThanOrEqual(64 * 1024);
    expect(r.durationMs).toBeLessThan(2000);
  }, 60_000);

  it('takes the whole sandbox down when the worker process itself dies', async () => {
    const comm = token();
    const script = `
      import { executeRun } from ${JSON.stringify(path.join(PROJECT_ROOT, 'src/infra/sandbox/index.ts'))};
      process.stdout.write('started\\n');
      await executeRun({ language: 'python', code: ${JSON.stringify(`${nameSelf(comm)}import time\ntime.sleep(120)`)}, timeoutMs: 60000 });
    `;
    const worker = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        worker.stdout!.on('data', (d: Buffer) => d.toString().includes('started') && resolve());
        worker.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
      });
      const deadline = Date.now() + 20_000;
      while (processesNamed(comm).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(processesNamed(comm).length).toBeGreaterThan(0); // the sandboxed sleeper is running
    } finally {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGKILL');
      await exited; // reaped, so its pid no longer counts as alive
    }
    const deadline = Date.now() + 5_000;
    while (processesNamed(comm).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(processesNamed(comm)).toEqual([]);

    // What the dead worker left (its run cgroup and box) is cleaned up by the next sweep.
    const layout = detectCgroups()!;
    const parents = layout.version === 'v2' ? [layout.parent] : [layout.memory, layout.pids, layout.cpuacct];
    const leftovers = () =>
      [...parents, BOXES_DIR].flatMap((dir) => (existsSync(dir) ? readdirSync(dir) : [])).filter((n) => n.startsWith(`${worker.pid}-`));
    expect(leftovers().length).toBeGreaterThan(0);
    await sweepLeftovers();
    expect(leftovers()).toEqual([]);
  }, 60_000);
});
