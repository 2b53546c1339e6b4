/*
 * A thread-per-connection echo server over blocking sockets: the floor a fairness benchmark compares
 * against, since the operating system's scheduler gives every connection its own turn.
 *
 * Binds 127.0.0.1 on a free port, prints "LISTENING <port>", and echoes every connection until
 * killed. Every connection gets TCP_NODELAY. Built by org.curio.bench.echo.Fairness at run time:
 *   gcc -O2 -pthread -o echo_threads echo_threads.c
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void *serve(void *arg) {
    int fd = (int) (intptr_t) arg;
    char buf[16 * 1024];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) {
            break;
        }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(fd, buf + off, (size_t) (n - off));
            if (w <= 0) {
                goto done;
            }
            off += w;
        }
    }
done:
    close(fd);
    return NULL;
}

int main(void) {
    int listener = socket(AF_INET, SOCK_STREAM, 0);
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
    printf("LISTENING %d\n", ntohs(addr.sin_port));
    fflush(stdout);
    for (;;) {
        int client = accept(listener, NULL, NULL);
        if (client < 0) {
            continue;
        }
        setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        pthread_t thread;
        if (pthread_create(&thread, NULL, serve, (void *) (intptr_t) client) != 0) {
            close(client);
            continue;
        }
        pthread_detach(thread);
    }
}
