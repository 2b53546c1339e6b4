"""Python curio's echo server for org.curio.bench.echo.EchoHarness.

Binds 127.0.0.1 on a free port, prints "LISTENING <port>", and echoes every connection until
killed, one curio task per connection, like the harness's other servers: TCP_NODELAY on every
connection, a backlog of 1024, reads of at most 16 KiB. Needs curio (written against 1.6):
    python3 echo_curio.py
"""
import resource
import socket
import sys

import curio
from curio.network import run_server, tcp_server_socket

BUFFER = 16 * 1024


async def echo(client, addr):
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while True:
        data = await client.recv(BUFFER)
        if not data:
            break
        await client.sendall(data)


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)   # as many connections as allowed
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    sock = tcp_server_socket('127.0.0.1', 0, backlog=1024)
    print('LISTENING', sock._socket.getsockname()[1], flush=True)
    curio.run(run_server, sock, echo)


if __name__ == '__main__':
    sys.exit(main())
