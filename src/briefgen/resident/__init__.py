"""The resident build process: `briefgen build` hands its build to a long-lived process per
site, which keeps what the last build read and made in memory (build/warm.py).

- `place`: the identity of a server (site, code version, Python) and its files in a private
  folder (socket, locks, log);
- `protocol`: length-prefixed frames over the socket;
- `client`: whether to use it, connecting (or starting one), streaming a build's output;
- `server`: the process (`python -m briefgen.resident.server`); `job`: one client's build
  inside it, with the client's arguments, working directory, environment and streams.
"""
