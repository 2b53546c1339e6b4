/*
 * The C floor of the echo comparison: one thread, one epoll set, non-blocking sockets, no allocation
 * per request. What a server that does nothing but the system calls costs per request.
 *
 * Binds 127.0.0.1 on a free port, prints "LISTENING <port>", and echoes every connection until
 * killed. Every connection gets TCP_NODELAY; the backlog is 1024. Level-triggered: a readable
 * connection is read once per wake-up (at most 16 KiB) and what was read is written back at once;
 * if the peer's window is full the rest waits for EPOLLOUT before the connection is read again.
 * Built by org.curio.bench.echo.EchoHarness at run time:
 *   cc -O2 -o echo_epoll echo_epoll.c
 */
#define _GNU_SOURCE                   /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUFFER (16 * 1024)
#define EVENTS 256

/* A connection with bytes still to write back: what is pending, from where. */
struct conn {
    int fd;
    size_t off;
    size_t len;
    char buf[BUFFER];
};

static int epfd;

static void drop(struct conn *c) {
    close(c->fd);                     /* closing removes it from the epoll set */
    free(c);
}

/* Writes what is pending; returns 0 when all is written, 1 when it must wait, -1 on failure. */
static int flush(struct conn *c) {
    while (c->off < c->len) {
        ssize_t w = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
        if (w < 0) {
            return errno == EAGAIN || errno == EWOULDBLOCK ? 1 : -1;
        }
        c->off += (size_t) w;
    }
    c->off = c->len = 0;
    return 0;
}

static void watch(struct conn *c, int op, unsigned events) {
    struct epoll_event ev = {.events = events, .data.ptr = c};
    epoll_ctl(epfd, op, c->fd, &ev);
}

static void serve(struct conn *c, unsigned events) {
    if (c->len > 0) {                 /* waiting to write: only EPOLLOUT (or an error) gets here */
        int r = flush(c);
        if (r < 0) {
            drop(c);
        } else if (r == 0) {
            watch(c, EPOLL_CTL_MOD, EPOLLIN);
        }
        return;
    }
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
        return;
    }
    ssize_t n = recv(c->fd, c->buf, BUFFER, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
        drop(c);
        return;
    }
    if (n < 0) {
        return;
    }
    c->len = (size_t) n;
    int r = flush(c);
    if (r < 0) {
        drop(c);
    } else if (r == 1) {
        watch(c, EPOLL_CTL_MOD, EPOLLOUT);
    }
}

int main(void) {
    struct rlimit files;              /* as many connections as the hard limit allows */
    if (getrlimit(RLIMIT_NOFILE, &files) == 0) {
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
    }
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (listener < 0) {
        perror("socket");
        return 1;
    }
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(listener, (struct sockaddr *) &addr, sizeof addr) < 0 || listen(listener, 1024) < 0) {
        perror("bind/listen");
        return 1;
    }
    socklen_t len = sizeof addr;
    getsockname(listener, (struct sockaddr *) &addr, &len);
    epfd = epoll_create1(0);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};   /* NULL marks the listener */
    epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &lev);
    printf("LISTENING %d\n", ntohs(addr.sin_port));
    fflush(stdout);
    struct epoll_event events[EVENTS];
    for (;;) {
        int ready = epoll_wait(epfd, events, EVENTS, -1);
        for (int i = 0; i < ready; i++) {
            struct conn *c = events[i].data.ptr;
            if (c != NULL) {
                serve(c, events[i].events);
                continue;
            }
            for (;;) {                /* accept everything queued */
                int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
                if (fd < 0) {
                    break;
                }
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                struct conn *nc = malloc(sizeof *nc);
                if (nc == NULL) {
                    close(fd);
                    continue;
                }
                nc->fd = fd;
                nc->off = nc->len = 0;
                watch(nc, EPOLL_CTL_ADD, EPOLLIN);
            }
        }
    }
}
