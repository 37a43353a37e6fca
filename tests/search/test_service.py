"""Pagefind's service process, started while another thread forks (the page workers, when
Pagefind indexes beside the pages): its start must not wait for the forked processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# Forks a child every millisecond, each living until the end, while Pagefind starts ten
# times. Started by fork and exec, each start waits for a pipe that closes at exec; a child
# forked meanwhile holds that pipe for its life, and the start hangs until the script's
# watchdog ends it (exit status 3).
SCRIPT = textwrap.dedent(
    """
    import os, signal, sys, threading, time
    from briefgen.search.service import PagefindService

    children, forking, parent = [], threading.Event(), os.getpid()
    def fork_while_asked():
        while forking.is_set():
            pid = os.fork()
            if pid == 0:  # lives until ended, or until the script is gone
                while os.getppid() == parent:
                    time.sleep(0.1)
                os._exit(0)
            children.append(pid)
            time.sleep(0.001)

    def end_children():
        for pid in children:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        children.clear()

    def watchdog():  # the children end once their parent is gone
        time.sleep(30)
        print("Pagefind's start hung", file=sys.stderr, flush=True)
        os._exit(3)

    threading.Thread(target=watchdog, daemon=True).start()
    for _ in range(10):
        forking.set()
        thread = threading.Thread(target=fork_while_asked)
        thread.start()
        service = PagefindService().__enter__()  # started while children are forked
        forking.clear()
        thread.join()
        end_children()
        assert service.index("en", []), "Pagefind made no bundle"
        service.__exit__(None)
    print("started", flush=True)
    """
)


def test_pagefind_starts_while_another_thread_forks() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stdout == "started\n"
